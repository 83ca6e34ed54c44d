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
echo
echo "== vector collections"
say vexctl collection create /mnt/demo/docs --dim 8 --metric cosine
mkdir -p /mnt/demo/docs/notes
echo "quarterly report" >/mnt/demo/docs/report.txt
say vexctl embed set /mnt/demo/docs/report.txt --vector "0.9,0.1,0,0,0.2,0,0,0.1"
say vexctl import /mnt/demo/docs/notes /data/demo.jsonl
say vexctl collection list /mnt/demo
say vexctl query /mnt/demo/docs --like /mnt/demo/docs/report.txt -k 5
say vexctl query /mnt/demo/docs --vector "0,0,1,0,0,0,0,0" -k 3 --json
say vexctl stats /mnt/demo/docs
say umount /mnt/demo
say fsck.vexfs -f -n /dev/vda
say vexctl info /dev/vda
GUEST

# 200 generated vectors of dimension 8, named note-0 .. note-199.
python3 - "$work/demo.jsonl" <<'GEN'
import json, random, sys
rnd = random.Random(7)
with open(sys.argv[1], 'w') as f:
    for i in range(200):
        v = [round(rnd.gauss(0, 1), 4) for _ in range(8)]
        f.write(json.dumps({"name": f"note-{i}", "vector": v}) + "\n")
GEN

echo "== booting $kver (QEMU, TCG); the guest's session follows"
"$top/tests/vm/run-vm.sh" -v -k "$kver" -d "$work/disk.img" \
	-b "$work/demo.jsonl:/data/demo.jsonl" \
	-l "$work/console.log" "$work/demo-guest.sh"
