#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/fs/run.sh - VexFS against ext4 in the same VM, same run.
#
# Boots one Debian kernel (default: the newest 6.12 that tests/vm/kernels.sh
# names; BENCH_KERNEL overrides) under QEMU with two virtio disks of equal
# size, one VexFS and one ext4 (made by the same machine's mkfs.ext4), and
# runs bench/fs/guest.sh: sequential and random I/O and a WAL pattern with
# fio, metadata rates with metabench, and unpacking/walking a source tree
# (the kernel headers package contents).  The ratios VexFS/ext4 go to
# stdout and to bench/results/fs.md, with a bar chart in fs.png.
#
# Every workload runs BENCH_ROUNDS times (default 3), the filesystems
# taking turns to go first; the report gives medians and the spread.  The
# disks honour flushes (QEMU cache=none, BENCH_CACHE overrides): with
# cache=unsafe, fsync and fdatasync would measure CPU, not durability.
# The report records the commit, kernel, QEMU version, cache mode, rounds
# and the host's load before and after, and calls a run noisy when the
# load was high.
#
# BENCH_QUICK=1 shrinks the sizes for a smoke run (the numbers are then
# not the ones to quote).  Emulated hardware is slow and noisy in absolute
# terms; only the ratios, measured side by side, mean anything.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench-fs
results=$top/bench/results
mkdir -p "$out" "$results"

kver=${BENCH_KERNEL:-$("$top/tests/vm/kernels.sh" | tail -n 1)}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	seq_mb=128 nfiles=10000 runtime=10 disk=2G
else
	seq_mb=1024 nfiles=100000 runtime=30 disk=6G
fi

rounds=${BENCH_ROUNDS:-3}
cache=${BENCH_CACHE:-none}

"$top/tests/vm/build-module.sh" "$kver" >/dev/null
make -s -C "$top/userspace" all static >/dev/null
gcc -O2 -Wall -Wextra -static -o "$out/metabench" "$top/bench/fs/metabench.c"

rm -f "$out"/*.img
truncate -s "$disk" "$out/vexfs.img" "$out/ext4.img"
"$top/userspace/mkfs/mkfs.vexfs" -q "$out/vexfs.img"
# Initialize ext4's inode tables and journal now, so no background
# zeroing in the guest competes with the measured work.
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$out/ext4.img"

src=$(ls -d /usr/src/linux-headers-*-common | sort -V | tail -n 1)
[ -s "$out/src.tar" ] || tar -C "$(dirname "$src")" -cf "$out/src.tar" "$(basename "$src")"

host_cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
sizes="$(date -u '+%Y-%m-%d %H:%M UTC'); host: $host_cpu, $(nproc) cores (shared);
QEMU TCG, 2 vCPUs, 2 GiB; $disk disks; ${seq_mb} MiB sequential files;\
 $nfiles small files; random I/O for ${runtime} s; source tree $(basename "$src")"
[ "${BENCH_QUICK:-0}" = 1 ] && sizes="$sizes (BENCH_QUICK: smoke-test sizes, not for quoting)"
commit=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
qemu=$(qemu-system-x86_64 --version | head -n 1)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-fs: $sizes"
"$top/tests/vm/run-vm.sh" -k "$kver" -r 2048 -p -t 14400 -v -c "$cache" \
	-M ext4 \
	-b /usr/bin/fio -b "$out/metabench" \
	-l "$out/console.log" \
	-d "$out/vexfs.img" -d "$out/ext4.img" -d "$out/src.tar" \
	"$top/bench/fs/guest.sh" /dev/vda /dev/vdb /dev/vdc \
	"$seq_mb" "$nfiles" "$runtime" "$rounds" >"$out/raw.txt"
rm -f "$out"/*.img
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# The guest's QEMU thread keeps one host core busy: a 1-minute load
# average above 1.5 before or after means something else shared the host.
noisy=$(awk -v a="${load_before%% *}" -v b="${load_after%% *}" \
	'BEGIN { print (a > 1.5 || b > 1.5) ? "yes" : "no" }')
provenance="commit $commit; kernel $kver; $qemu; disks cache=$cache\
 (flushes reach the host's disk); $rounds rounds, order alternating;\
 host load average $load_before before, $load_after after"
[ "$noisy" = no ] || provenance="$provenance. **Noisy run**: the host was loaded, so the ratios are less certain than the spread suggests"

judge=()
[ "${BENCH_QUICK:-0}" = 0 ] && [ "$noisy" = no ] || judge=(--no-judge)
/usr/bin/python3 "$top/bench/fs/report.py" --kernel "$kver" --sizes "$sizes" \
	--provenance "$provenance" "${judge[@]}" \
	--raw "$out/raw.txt" --md "$results/fs.md" --png "$results/fs.png" \
	--notes "$top/bench/fs/notes.md"
