#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh - the in-VM half of `make bench-ann` (`make bench-ann-vm`): the
# VexFS kernel's ANN index and exact search against hnswlib and FAISS, in
# the same QEMU/TCG guest, on the same data, one thread each.
#
# usage: vm.sh [--long | --mount-1m | --import-1m] [--n N] [--dims "128 ..."]
#              [--nq Q] [--nq-exact E] [--reps R] [--ef "10 16 ..."]
#              [--libs LIST] [--mount-n N]
#
# Data: annbench's clustered Gaussian vectors and its ground truth (exact
# float64 search on the host), cached in build/bench-ann, packed into one
# raw image that the guest reads as its second disk (bench/ann/annvm.cpp
# says how).  annvm is linked statically (-O3 -march=x86-64-v3: AVX2 and
# FMA, which QEMU's TCG "max" CPU offers; the native build's AVX-512 it
# does not), and runs, in order: the kernel import (VEXFS_IOC_BATCH_SET)
# and index build (VEXFS_INDEX_OP_WAIT), umount/mount with the caches
# dropped (timed, with the first query after), hnswlib's and FAISS's
# builds, then the ef sweep with every library in turn per ef, the
# kernel's exact search (fewer queries: it scans everything) and FAISS's
# flat index.  Results: bench/results/ann-vm.md, ann-vm.png, the raw
# ann-vm.jsonl.
#
# The sweep runs --reps times (default 3) and each point keeps its best
# rate: the host is shared with other jobs, and under load the same sweep
# came out up to 2x slower.  The default size, 100000 x 128 (the issue's)
# with 500 queries, took 15 minutes under TCG on this machine (a 2-core
# EPYC) on a quiet host: the kernel's import and index build 2.4, hnswlib's
# build 3.2, FAISS's HNSW build 5.2, the sweeps most of the rest.
# --n 20000 takes 8 minutes quiet (14 to 20 at load 7 to 12).
#
# --long adds the mount of a 1M x 128 collection (--mount-1m: that
# alone).  Importing 1M vectors through the emulated kernel would take
# many hours, so the collection is made on the host, offline, by
# `mkfs.vexfs -d` (bench/ann/mkimage.py: a source tree of 1M files
# carrying user.vexfs.embedding, on a tmpfs; mkfs lays out the store and
# builds the HNSW index; its time and peak memory are reported), then
# each kernel of tests/vm/kernels.sh boots on a copy of the image and
# annvm --existing mounts it cold three times (mount time, index state,
# first and second query, kernel memory), reads the directory to map
# inodes to vector ids, and sweeps ef over 300 queries against the
# float64 ground truth (the first of three sweeps cold).  13 minutes in
# all at load 2 to 4.5: mkfs 6 (the index build is most of it; mkfs
# peaks at 1.3 GiB, plus the tree in the tmpfs meanwhile), each guest
# 3.  The image (1.8 GiB sparse, 1.1 GiB used) is kept in
# build/bench-ann-vm and reused while it is newer than mkfs.vexfs and the
# data; the tree is removed.  --mount-n N sets the size (testing).
# --import-1m instead imports 1M x 128 through the kernel in the VM, as
# the 20k run does (the kernel, hnswlib and the kernel's exact search
# only): many hours, never run.
# BENCH_KERNEL picks the kernel (default: the newest 6.12 of
# tests/vm/kernels.sh; for --mount-1m both kernels); ANN_TREE_DIR the
# directory for the source tree (default /dev/shm).  The rows of
# bench/results/ann-vm.jsonl for runs not repeated here are kept.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/bench-ann-vm
data=$top/build/bench-ann
. "$top/bench/ann/lib.sh"
. "$top/tests/vm/kernel-lib.sh"
res=$top/bench/results
n=100000 dims=128 nq=500 nq_exact=50 reps=3 long=0 mount=0 mount_n=1000000
efs="10 16 24 32 48 64 96 128 200"
libs=vexfs,hnswlib,faiss-hnsw,faiss-flat
usage() {
	echo "usage: vm.sh [--long | --mount-1m | --import-1m] [--n N] [--dims \"128 ...\"] [--nq Q] [--nq-exact E] [--reps R] [--ef \"10 16 ...\"] [--libs LIST] [--mount-n N]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--long|--mount-1m|--import-1m) ;;
	*) [ $# -ge 2 ] || usage ;;
	esac
	case $1 in
	--long) mount=1 ;;
	--mount-1m) mount=1 dims= ;;
	--import-1m) long=1 ;;
	--mount-n) mount_n=$2; shift ;;
	--n) n=$2; shift ;;
	--dims) dims=$2; shift ;;
	--reps) reps=$2; shift ;;
	--nq) nq=$2; shift ;;
	--nq-exact) nq_exact=$2; shift ;;
	--ef) efs=$2; shift ;;
	--libs) libs=$2; shift ;;
	*) usage ;;
	esac
	shift
done
mkdir -p "$out" "$data" "$res"
kver=${BENCH_KERNEL:-$("$top/tests/vm/kernels.sh" | tail -n 1)}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

"$top/tests/vm/build-module.sh" "$kver" >/dev/null
make -s -C "$top/userspace" all static >/dev/null

# annbench makes (and caches) the data and the ground truth.
inc=(-I"$top/include" -I"$top/common" -I"$top/userspace/lib")
if [ ! -x "$data/annbench-gen" ] ||
	[ "$data/annbench-gen" -ot "$top/bench/ann/annbench.cpp" ]; then
	gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/hnsw.o" "$top/common/hnsw.c"
	gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/hnsw_mem.o" "$top/userspace/lib/hnsw_mem.c"
	gcc -std=gnu11 -O3 -march=native "${inc[@]}" -c -o "$out/islands.o" "$top/common/simd_islands.c"
	gcc -std=gnu11 -O2 "${inc[@]}" -c -o "$out/simd.o" "$top/userspace/lib/simd.c"
	g++ -std=gnu++17 -O3 -march=native -fopenmp "${inc[@]}" -o "$data/annbench-gen" \
		"$top/bench/ann/annbench.cpp" "$out/hnsw_mem.o" "$out/hnsw.o" \
		"$out/islands.o" "$out/simd.o" -lfaiss -lopenblas
fi
# The guest program: static, for the CPU TCG emulates.  (libgomp.a warns
# that its offloading code calls dlopen; nothing here offloads.)
g++ -std=gnu++17 -O3 -march=x86-64-v3 -fopenmp -Wall -Wextra -I"$top/include" \
	-static -o "$out/annvm" "$top/bench/ann/annvm.cpp" \
	-lfaiss -lopenblas -lgfortran -lquadmath -lpthread -lm 2>"$out/link.log" || {
	cat "$out/link.log" >&2; exit 1; }

raw=$out/ann-vm.jsonl
: >"$raw"
# run_vm N DIM NQ LIBS DISK_SIZE MEM_MIB TIMEOUT
run_vm() {
	local n=$1 dim=$2 nq=$3 libs=$4 disk=$5 mem=$6 tmo=$7 img
	img=$(ann_data_image "$n" "$dim" "$nq" "$out") || return 1
	rm -f "$out/vexfs.img"
	truncate -s "$disk" "$out/vexfs.img"
	local hcpu
	hcpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo "{\"info\": \"n=$n dim=$dim nq=$nq\", \"kernel\": \"$kver\", \"cpu\": \"$hcpu\", \"nproc\": $(nproc --all), \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"date\": \"$(date -u '+%Y-%m-%d %H:%M UTC')\", \"guest_mem_mib\": $mem}" >>"$raw"
	echo "bench-ann-vm: n=$n dim=$dim nq=$nq on $kver, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	"$top/tests/vm/run-vm.sh" -v -p -k "$kver" -r "$mem" -t "$tmo" \
		-b "$out/annvm" -l "$out/console-$n-$dim.log" \
		-d "$out/vexfs.img" -d "$img" \
		"$top/bench/ann/vm-guest.sh" /dev/vda /dev/vdb $((n + 4096)) \
		--libs "$libs" --ef "${efs// /,}" --nq-exact "$nq_exact" \
		--reps "$reps" --label "vm n=$n d=$dim" | tee "$out/guest-$n-$dim.txt" |
		grep -v '^{' >&2 || { rm -f "$out/vexfs.img"; return 1; }
	grep '^{' "$out/guest-$n-$dim.txt" >>"$raw"
	rm -f "$out/vexfs.img"
}

# mount_vm N DIM: the collection made offline by mkfs -d, mounted in each
# kernel (see the top).
mount_vm() {
	local n=$1 dim=$2 tag img qimg work kv series blocks mk
	tag=$data/d$dim-n$n-q1000-k10
	[ -s "$tag.gt" ] || "$data/annbench-gen" --n "$n" --nq 1000 --dim "$dim" \
		--data "$data" --libs none >&2
	qimg=$out/queries-$dim-$n-1000.img
	if [ ! -s "$qimg" ] || [ "$qimg" -ot "$tag.gt" ]; then
		{ printf 'ANNVM %s 1000 %s 10 nobase\n' "$n" "$dim"
		  head -c 4096 /dev/zero; } | head -c 4096 >"$qimg"
		for f in query gt; do
			cat "$tag.$f" >>"$qimg"
			truncate -s %4096 "$qimg"
		done
	fi
	# about 1.5x what the store, index, inodes and directory take
	blocks=$(( (n * (dim * 4 + 600) / 4096) * 3 / 2 + 65536 ))
	img=$out/vexfs-$n-$dim.img
	mk=$top/userspace/mkfs/mkfs.vexfs
	if [ ! -s "$img" ] || [ ! -s "$img.json" ] || [ "$img" -ot "$tag.gt" ] ||
		[ "$img" -ot "$mk" ]; then
		rm -f "$img" "$img.json"
		echo "bench-ann-vm: mkfs.vexfs -d with $n x $dim vectors, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
		/usr/bin/python3 "$top/bench/ann/mkimage.py" "$tag.base" "$n" "$dim" \
			"${ANN_TREE_DIR:-/dev/shm}/vexfs-ann-tree.$$" "$img" "$blocks" \
			$((n + 4096)) "$mk" >"$img.json.new"
		mv "$img.json.new" "$img.json"
	fi
	sed "s/^{/{\"label\": \"mount n=$n d=$dim\", /" "$img.json" >>"$raw"
	work=$out/vexfs-mount.img
	for kv in ${BENCH_KERNEL:-$("$top/tests/vm/kernels.sh")}; do
		series=$(kernel_series "$kv")
		[ "$kv" = "$kver" ] || "$top/tests/vm/build-module.sh" "$kv" >/dev/null
		cp --sparse=always "$img" "$work"
		echo "{\"info\": \"mount n=$n dim=$dim $series\", \"kernel\": \"$kv\", \"cpu\": \"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)\", \"nproc\": $(nproc --all), \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"date\": \"$(date -u '+%Y-%m-%d %H:%M UTC')\", \"guest_mem_mib\": 2048}" >>"$raw"
		echo "bench-ann-vm: mount of $n x $dim on $kv, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
		"$top/tests/vm/run-vm.sh" -v -p -k "$kv" -r 2048 -t 3600 \
			-b "$out/annvm" -l "$out/console-mount-$n-$series.log" \
			-d "$work" -d "$qimg" \
			"$top/bench/ann/vm-guest.sh" /dev/vda /dev/vdb - --existing \
			--nq 300 --ef 10,16,24,32,48,64,96,128 --reps 3 --mounts 3 \
			--label "mount n=$n d=$dim $series" |
			tee "$out/guest-mount-$n-$series.txt" | grep -v '^{' >&2 ||
			{ rm -f "$work"; return 1; }
		grep '^{' "$out/guest-mount-$n-$series.txt" >>"$raw"
		echo "{\"lib\": \"vexfs-load\", \"label\": \"mount n=$n d=$dim $series\", \"load_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$raw"
		rm -f "$work"
	done
}

for dim in $dims; do
	run_vm "$n" "$dim" "$nq" "$libs" 2G 2048 3600
done
if [ $long = 1 ]; then
	run_vm 1000000 128 1000 vexfs,hnswlib 8G 6144 43200
fi
if [ $mount = 1 ]; then
	mount_vm "$mount_n" 128
fi
# Keep the earlier rows of the runs not repeated here (the 20k sweep when
# only the mount ran, and the other way round).
if [ -s "$res/ann-vm.jsonl" ]; then
	/usr/bin/python3 "$top/bench/ann/keep-rows.py" "$res/ann-vm.jsonl" "$raw" \
		--mount
fi
cp "$raw" "$res/ann-vm.jsonl"
/usr/bin/python3 "$top/bench/ann/vm-report.py" "$raw" "$res/ann-vm.md" "$res/ann-vm.png"
