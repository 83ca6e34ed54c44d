#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - `make bench-ann`: recall@10 against queries per second for the
# VexFS HNSW core, hnswlib and FAISS, natively on this machine (the
# kernel's own queries are measured in a VM by bench/ann/vm.sh).
#
# usage: run.sh [--long | --long-only] [--dims "128 768"] [--n N]
#
# Builds bench/ann/annbench twice: with the index core compiled as the
# kernel will compile it (-O2 -mgeneral-regs-only: the compiler emits no
# SIMD, no FP; the distance kernels are the module's SIMD islands,
# common/simd_islands.c, the same asm) and with -O3 -march=native (the
# flags hnswlib and FAISS get here), runs the kernel-flags core twice,
# with its scalar distance kernels (VEXFS_SIMD=scalar: the kernel before
# the islands, label "kflags-scalar") and with the fastest the CPU has,
# and both cores and the references single-threaded (OMP_NUM_THREADS=1,
# OPENBLAS_NUM_THREADS=1, omp_set_num_threads(1); times are process CPU
# time, so that other jobs on the machine count less) at 100k vectors for
# each dimension, and 1M at 128-d with --long (without FAISS's HNSW) (--long-only: the 1M run
# alone); writes bench/results/ann.md, ann.png and the raw ann.jsonl.
# The rows of bench/results/ann.jsonl for data sets this run did not
# measure are kept, so the 1M run adds to the 100k tables and a 100k
# run does not drop the 1M one.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench-ann
res=$top/bench/results
dims="128 768" n=100000 long=0
while [ $# -gt 0 ]; do
	case $1 in
	--long) long=1 ;;
	--long-only) long=1 dims= ;;
	--dims) dims=$2; shift ;;
	--n) n=$2; shift ;;
	*) echo "usage: run.sh [--long | --long-only] [--dims \"128 768\"] [--n N]" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$out" "$res"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

inc=(-I"$top/include" -I"$top/common" -I"$top/userspace/lib")
gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/hnsw-native.o" "$top/common/hnsw.c"
gcc -std=gnu11 -O2 -mgeneral-regs-only "${inc[@]}" -c -o "$out/hnsw-kflags.o" "$top/common/hnsw.c"
"$top/scripts/check-kernel-safe.sh" "$out/hnsw-kflags.o" >/dev/null 2>&1 || {
	echo "bench-ann: the kernel-flags core uses FP/SIMD" >&2; exit 1; }
gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/islands-native.o" "$top/common/simd_islands.c"
gcc -std=gnu11 -O2 -mgeneral-regs-only "${inc[@]}" -c -o "$out/islands-kflags.o" "$top/common/simd_islands.c"
"$top/scripts/check-kernel-safe.sh" "$out/islands-kflags.o" >/dev/null 2>&1 || {
	echo "bench-ann: the kernel-flags islands fail the kernel-safety check" >&2; exit 1; }
gcc -std=gnu11 -O2 "${inc[@]}" -c -o "$out/simd.o" "$top/userspace/lib/simd.c"
gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/hnsw_mem.o" "$top/userspace/lib/hnsw_mem.c"
g++ -std=gnu++17 -O3 -march=native -fopenmp "${inc[@]}" -c -o "$out/annbench.o" "$top/bench/ann/annbench.cpp"
for v in native kflags; do
	g++ -fopenmp -o "$out/annbench-$v" "$out/annbench.o" "$out/hnsw_mem.o" \
		"$out/hnsw-$v.o" "$out/islands-$v.o" "$out/simd.o" -lfaiss -lopenblas
done

raw=$out/ann.jsonl
: >"$raw"
run() {	# N DIM [LIBS]
	local cpu
	cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
	echo "bench-ann: n=$1 dim=$2 on $cpu, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	echo "{\"info\": \"n=$1 dim=$2\", \"cpu\": \"$cpu\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"nproc\": $(nproc --all)}" >>"$raw"
	"$out/annbench-native" --n "$1" --dim "$2" --data "$out" \
		--libs "${3:-vexfs,hnswlib,faiss-flat,faiss-hnsw}" \
		--label "native n=$1 d=$2" | tee -a "$raw"
	VEXFS_SIMD=scalar "$out/annbench-kflags" --n "$1" --dim "$2" \
		--data "$out" --libs vexfs --label "kflags-scalar n=$1 d=$2" |
		tee -a "$raw"
	"$out/annbench-kflags" --n "$1" --dim "$2" --data "$out" --libs vexfs \
		--label "kflags n=$1 d=$2" | tee -a "$raw"
}
for d in $dims; do
	run "$n" "$d"
done
# At 1M, FAISS's HNSW build alone would take longer than the rest of the
# run (40 s against hnswlib's 15 s at 100k): left out, as in vm.sh.
[ $long = 1 ] && run 1000000 128 vexfs,hnswlib,faiss-flat
# Keep the earlier rows of the data sets not measured here.
[ -s "$res/ann.jsonl" ] &&
	/usr/bin/python3 "$top/bench/ann/keep-rows.py" "$res/ann.jsonl" "$raw"
cp "$raw" "$res/ann.jsonl"
/usr/bin/python3 "$top/bench/ann/report.py" "$raw" "$res/ann.md" "$res/ann.png"
