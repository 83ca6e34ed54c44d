#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - the vector collection suite, on every kernel
# kernels.sh names (or those given).
#
# Builds vexfs.ko, the static tools and the static test program vectest,
# makes the datasets on the host (mkdata.py), then per kernel boots twice:
#   1. guest/vectors.sh run: every rule of collections, embeddings, exact
#      search, permissions, EXDEV, the xattr, vexctl, ioctl abuse, races,
#      a remount;
#   2. a fresh boot on the same disk: guest/vectors.sh verify;
#   3. a disk made offline by mkfs.vexfs -d with two collections and
#      their embeddings (mkoffline): guest/offline.sh mounts it, queries,
#      changes it and checks that fsck.vexfs -fn finds it clean.
# Prints PASS:/FAIL: lines (via run-vm.sh).

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" vectors
suite_kernels "$@"
mkdir -p "$work/data"
suite_build_tools
suite_prog vectest "$here/progs/vectest.c" -lm
python3 "$here/mkdata.py" "$work/data" || fail_setup "datasets"

bins=(-b "$work/vectest" -b /usr/bin/cp:/usr/local/bin/gnucp
      -b /usr/bin/tar:/usr/local/bin/gnutar)
if command -v rsync >/dev/null; then
	bins+=(-b "$(command -v rsync)")
fi
for f in "$work"/data/*; do
	bins+=(-b "$f:/data/${f##*/}")
done

# mkoffline IMAGE: collections made by mkfs -d (tests/fsck/tools/common.sh
# has the helpers that set user.vexfs.collection and .embedding)
mkoffline() {
	local img=$1 src
	src=$(mktemp -d "$work/offline-src.XXXXXX")
	(
		DAMAGE=/bin/false
		. "$top/tests/fsck/tools/common.sh"
		coll_tree "$src"
		mkdir "$src/docs/gen"
		for i in $(seq 0 19); do
			echo "$i" >"$src/docs/gen/v$i"
			embed "$src/docs/gen/v$i" "$i" 0 0 0
		done
	) || return 1
	rm -f "$img"
	truncate -s 64M "$img"
	"$top/userspace/mkfs/mkfs.vexfs" -q -d "$src" "$img" &&
		"$top/userspace/fsck/fsck.vexfs" -fn "$img" >/dev/null
	local rc=$?
	rm -rf "$src"
	return $rc
}

# vectors_kernel KVER SERIES: the suite, then a fresh boot that verifies
# what it left; runs beside the other kernel (tests/vm/each-kernel.sh).
vectors_kernel() {
	local kver=$1 series=$2 failed=0 disk t0
	suite_module "$kver" "$series/vectors/module_builds" || return 1
	disk=$work/disk-$series.img
	suite_image "$disk" 512M
	t0=$(date +%s)
	"$vm/run-vm.sh" -k "$kver" -t 1800 -l "$top/build/console-vectors-$kver.log" \
		"${bins[@]}" -d "$disk" "$here/guest/vectors.sh" run /dev/vda || failed=1
	echo "vectors: $series run took $(($(date +%s) - t0)) s" >&2
	t0=$(date +%s)
	"$vm/run-vm.sh" -k "$kver" -t 600 -l "$top/build/console-vectors-$kver-reboot.log" \
		"${bins[@]}" -d "$disk" "$here/guest/vectors.sh" verify /dev/vda || failed=1
	echo "vectors: $series reboot check took $(($(date +%s) - t0)) s" >&2
	rm -f "$disk"
	disk=$work/offline-$series.img
	if ! mkoffline "$disk"; then
		echo "FAIL: $series/vectors/offline_image"
		return 1
	fi
	"$vm/run-vm.sh" -k "$kver" -t 600 -l "$top/build/console-vectors-$kver-offline.log" \
		-d "$disk" "$here/guest/offline.sh" /dev/vda || failed=1
	rm -f "$disk"
	return $failed
}

suite_each_kernel vectors_kernel
