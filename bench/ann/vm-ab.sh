#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-ab.sh - a quick A/B of two builds of vexfs.ko on the in-VM ANN
# benchmark's data, in ONE guest: the kernel queries only, no hnswlib or
# FAISS, no results written to bench/results.
#
# usage: vm-ab.sh -a A.ko -b B.ko [--n N] [--nq Q] [--rounds R]
#                 [--ef "10 64"] [--reps 2]
#
# The guest loads A, imports the vectors (as bench/ann/vm.sh does) and
# times the ef sweep and the k = 1 / k = 10 probe; then, R times, it
# swaps to B, then back to A, each time unmounting, dropping the caches,
# remounting the same disk and timing the same queries (annvm
# --skip-import).  A and B meet the same host load in turn, so their
# ratio means more than two separate runs' would on a shared machine.
# Both modules must read the same on-disk format.  Output: the guest's
# JSON lines in build/bench-ann-ab/ab.jsonl, labelled A0, B1, A1, ...,
# and a one-line summary per label and ef on stderr.  BENCH_KERNEL picks
# the kernel (default: the newest of tests/vm/kernels.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench-ann-ab
data=$top/build/bench-ann
. "$top/bench/ann/lib.sh"
a= b= n=20000 dim=128 nq=500 rounds=2 efs="10 64" reps=2
usage() {
	sed -n '8,9p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	-a) a=$2 ;;
	-b) b=$2 ;;
	--n) n=$2 ;;
	--nq) nq=$2 ;;
	--rounds) rounds=$2 ;;
	--ef) efs=$2 ;;
	--reps) reps=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[ -r "$a" ] && [ -r "$b" ] || usage
mkdir -p "$out" "$data"
kver=${BENCH_KERNEL:-$("$top/tests/vm/kernels.sh" | tail -n 1)}
make -s -C "$top/userspace" all static >/dev/null

inc=(-I"$top/include" -I"$top/common" -I"$top/userspace/lib")
if [ ! -x "$data/annbench-gen" ]; then
	gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/hnsw.o" "$top/common/hnsw.c"
	gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/hnsw_mem.o" "$top/userspace/lib/hnsw_mem.c"
	gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/islands.o" "$top/common/simd_islands.c"
	gcc -std=gnu11 -O2 "${inc[@]}" -c -o "$out/simd.o" "$top/userspace/lib/simd.c"
	g++ -std=gnu++17 -O3 -march=native -fopenmp "${inc[@]}" -o "$data/annbench-gen" \
		"$top/bench/ann/annbench.cpp" "$out/hnsw_mem.o" "$out/hnsw.o" \
		"$out/islands.o" "$out/simd.o" -lfaiss -lopenblas
fi
if [ ! -x "$out/annvm" ] || [ "$out/annvm" -ot "$top/bench/ann/annvm.cpp" ]; then
	g++ -std=gnu++17 -O3 -march=x86-64-v3 -fopenmp -Wall -Wextra -I"$top/include" \
		-static -o "$out/annvm" "$top/bench/ann/annvm.cpp" \
		-lfaiss -lopenblas -lgfortran -lquadmath -lpthread -lm 2>"$out/link.log" || {
		cat "$out/link.log" >&2; exit 1; }
fi
img=$(ann_data_image "$n" "$dim" "$nq" "$out") || exit 1
mods=$out/mods
rm -rf "$mods"
mkdir -p "$mods"
cp "$a" "$mods/vexfs.ko"
rm -f "$out/vexfs.img"
truncate -s 2G "$out/vexfs.img"
echo "vm-ab: n=$n dim=$dim nq=$nq on $kver, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$top/tests/vm/run-vm.sh" -v -p -k "$kver" -r 2048 -t 3600 -m "$mods" \
	-b "$a:/root/a.ko" -b "$b:/root/b.ko" -b "$out/annvm" \
	-l "$out/console.log" -d "$out/vexfs.img" -d "$img" \
	"$top/bench/ann/vm-ab-guest.sh" /dev/vda /dev/vdb $((n + 4096)) "$rounds" \
	--libs vexfs --ef "${efs// /,}" --nq-exact 0 --reps "$reps" --mounts 1 \
	| tee "$out/guest.txt" | grep -v '^{' >&2 || { rm -f "$out/vexfs.img"; exit 1; }
echo "vm-ab: done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rm -f "$out/vexfs.img"
grep '^{' "$out/guest.txt" >"$out/ab.jsonl" || true
/usr/bin/python3 - "$out/ab.jsonl" <<'PY' >&2
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    if r["lib"] in ("vexfs-kernel", "vexfs-kernel-probe", "vexfs-kernel-info-ioctl"):
        print("%-4s %-24s ef %3d k %-2s recall %.4f qps %8.1f runs %s" % (
            r["label"], r["lib"], r["ef"], r.get("k", ""), r["recall"],
            r["qps"], r.get("qps_runs", "")))
PY
