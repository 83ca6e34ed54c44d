#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - `make demo`: boot the newest 6.12 kernel in QEMU, load vexfs,
# format a disk, mount it and use it, narrating each step.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kver=$("$top/tests/vm/kernels.sh" | tail -n 1)
work=$top/build/demo
mkdir -p "$work"

echo "== building vexfs.ko for $kver and the tools"
"$top/tests/vm/build-module.sh" "$kver" >/dev/null
make -s -C "$top/userspace" all static >/dev/null
make -s -C "$top/tests/vm/progs" >/dev/null
rm -f "$work/disk.img"
truncate -s 256M "$work/disk.img"

cat >"$work/demo-guest.sh" <<'GUEST'
say() { printf '\n$ %s\n' "$*"; "$@"; }
say modprobe vexfs
say grep vexfs /proc/filesystems
say mkfs.vexfs -L demo /dev/vda
mkdir -p /mnt/demo
say mount -t vexfs /dev/vda /mnt/demo
say df -h /mnt/demo
mkdir -p /mnt/demo/papers/2026
echo "Attention is all you need" >/mnt/demo/papers/2026/a.txt
dd if=/dev/urandom of=/mnt/demo/papers/blob bs=1M count=20 2>/dev/null
ln -s 2026/a.txt /mnt/demo/papers/latest
xattr set /mnt/demo/papers/2026/a.txt user.topic transformers
say ls -laR /mnt/demo
say cat /mnt/demo/papers/latest
say xattr list /mnt/demo/papers/2026/a.txt
say df -h /mnt/demo
say umount /mnt/demo
say fsck.vexfs -f -n /dev/vda
say vexctl info /dev/vda
GUEST

echo "== booting $kver (QEMU, TCG); the guest's session follows"
"$top/tests/vm/run-vm.sh" -v -k "$kver" -d "$work/disk.img" \
	-l "$work/console.log" "$work/demo-guest.sh"
