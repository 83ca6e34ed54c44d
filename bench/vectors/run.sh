#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [N [DIM [REPS]]] - `make bench-exact`: exact-search throughput.
#
# Boots the newest 6.12 kernel in QEMU (TCG: absolute numbers are those of
# an emulated CPU), imports N random float32 vectors of dimension DIM
# (default 100000 x 128) into a collection, times REPS exact top-10 L2
# queries in the kernel, and times a plain float32 L2 scan of the same
# vectors in userspace in the same VM, so the two numbers are comparable.
# Prints vectors scanned per second for both.
set -euo pipefail

n=${1:-100000} dim=${2:-128} reps=${3:-6}
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${KVER:-$("$top/tests/vm/kernels.sh" | tail -n 1)}
work=$top/build/bench-exact
mkdir -p "$work"

"$top/tests/vm/build-module.sh" "$kver" >/dev/null
make -s -C "$top/userspace" all static >/dev/null
gcc -O2 -Wall -static -I"$top/include" -o "$work/vectest" \
	"$top/tests/vectors/progs/vectest.c" -lm
rm -f "$work/disk.img"
truncate -s 2G "$work/disk.img"

cat >"$work/bench-guest.sh" <<GUEST
modprobe vexfs
mkfs.vexfs -q -F -N $((n + 4096)) /dev/vda
mkdir -p /mnt/b
mount -t vexfs /dev/vda /mnt/b
vexctl collection create /mnt/b/c --dim $dim --metric l2
grep -m1 'model name' /proc/cpuinfo
vectest bench /mnt/b/c $n $dim 12345 $reps
vexctl stats /mnt/b/c
umount /mnt/b
GUEST
"$top/tests/vm/run-vm.sh" -v -p -t 3600 -k "$kver" -d "$work/disk.img" \
	-b "$work/vectest" \
	-l "$work/console.log" "$work/bench-guest.sh" | tee "$work/result.txt"
rm -f "$work/disk.img"
