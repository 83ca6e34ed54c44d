#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - the ANN index between the kernel and the offline
# tools, on every kernel kernels.sh names (or those given):
#   1. guest/vidx.sh kernel: the kernel builds an index (3000 vectors),
#      churns it (tombstones), unmounts cleanly;
#   2. host: fsck.vexfs -fn finds the kernel's index clean; then a node
#      record is damaged, fsck.vexfs -fn finds it, -fy rebuilds the index
#      (next epoch, same inode) and -fn finds the result clean (the
#      images before and after are kept in build/vidx on a failure);
#   3. guest/vidx.sh offline: the kernel trusts the index fsck rebuilt
#      (ready at once, no build), every embedding is in it once, queries
#      are answered by it with recall >= 0.9 and exact distances, and it
#      keeps it right through inserts, updates and removals; on a second
#      disk, the same for an index mkfs.vexfs -d built; fsck -fn in the
#      guest after both.
# Prints PASS:/FAIL: lines (via run-vm.sh).

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" vidx
suite_kernels "$@"
suite_build_tools
suite_prog anntest "$top/tests/ann/anntest.c" -lm
suite_tool vexfs-damage "$top/tests/fsck/tools/vexfs-damage.c"
fsck=$top/userspace/fsck/fsck.vexfs
damage=$work/vexfs-damage

# host_check SERIES NAME CMD...: a PASS:/FAIL: line for a host step
host_check() {
	local series=$1 name=$2
	shift 2
	if "$@" >"$work/last-$series.log" 2>&1; then
		echo "PASS: $series/vidx/$name"
	else
		echo "FAIL: $series/vidx/$name"
		sed 's/^/    /' "$work/last-$series.log"
		return 1
	fi
}

# mkfs_disk IMG: a filesystem whose collection v (dim 16, l2, 1500
# vectors) mkfs.vexfs -d indexes
mkfs_disk() {
	# $BASHPID, not $$: each kernel runs this in a subshell of its own,
	# where $$ is the same for both, and one would delete the other's tree.
	local src=$work/src-$BASHPID
	rm -rf "$src"
	mkdir -p "$src/v"
	python3 - "$src/v" <<'PY' || return 1
import os, random, struct, sys
random.seed(11)
os.setxattr(sys.argv[1], "user.vexfs.collection", b"dim=16,metric=l2")
for i in range(1500):
    p = "%s/f%d" % (sys.argv[1], i)
    with open(p, "w") as f:
        f.write("%d\n" % i)
    v = [random.uniform(-1, 1) for _ in range(16)]
    os.setxattr(p, "user.vexfs.embedding", struct.pack("<16f", *v))
PY
	rm -f "$1"
	truncate -s 64M "$1"
	"$top/userspace/mkfs/mkfs.vexfs" -q -d "$src" "$1" || return 1
	rm -rf "$src"
}

# damage_and_rebuild IMG: damage a node of the kernel's index; fsck -n
# finds it, fsck -y rebuilds, fsck -n finds the result clean
damage_and_rebuild() {
	local img=$1 c slot
	c=$("$damage" "$img" --vec /c/f7 | cut -d' ' -f1)
	slot=$("$damage" "$img" --vec /c/f7 | cut -d' ' -f2)
	"$damage" "$img" --stale-csum vnode:"$c":"$slot" @16:1=^0x40 || return 1
	# the damage is found (exit 4) ...
	"$fsck" -fn "$img" >"$img.found"
	[ $? -eq 4 ] && grep -q "node of slot $slot is bad" "$img.found" ||
		return 1
	# ... and repaired by a rebuild
	"$fsck" -fy "$img"
	[ $? -eq 1 ] || return 1
	"$fsck" -fn "$img"
}

vidx_kernel() {
	local kver=$1 series=$2 failed=0 disk disk2
	suite_module "$kver" "$series/vidx/module_builds" || return 1
	disk=$work/disk-$series.img
	disk2=$work/mkfs-$series.img
	suite_image "$disk" 128M
	"$vm/run-vm.sh" -k "$kver" -t 1200 \
		-l "$top/build/console-vidx-$kver-kernel.log" \
		-b "$work/anntest" -d "$disk" \
		"$here/guest/vidx.sh" kernel /dev/vda || failed=1
	host_check "$series" "host_fsck_clean_on_the_kernels_index" \
		"$fsck" -fn "$disk" || failed=1
	cp "$disk" "$work/kernel-$series.img"
	host_check "$series" "host_fsck_rebuilds_a_damaged_index" \
		damage_and_rebuild "$disk" || failed=1
	cp "$disk" "$work/rebuilt-$series.img"
	host_check "$series" "host_mkfs_d_builds_an_index" mkfs_disk "$disk2" ||
		failed=1
	"$vm/run-vm.sh" -k "$kver" -t 1200 \
		-l "$top/build/console-vidx-$kver-offline.log" \
		-b "$work/anntest" -d "$disk" -d "$disk2" \
		"$here/guest/vidx.sh" offline /dev/vda /dev/vdb || failed=1
	host_check "$series" "host_fsck_clean_after_the_kernel_used_them" \
		sh -c "'$fsck' -fn '$disk' && '$fsck' -fn '$disk2'" || failed=1
	# a failure keeps the images for a look
	[ $failed = 1 ] || rm -f "$disk" "$disk2" "$disk.found" \
		"$work/kernel-$series.img" "$work/rebuilt-$series.img"
	return $failed
}

suite_each_kernel vidx_kernel
