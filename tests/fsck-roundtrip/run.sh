#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - mkfs.vexfs -d round trip, on every kernel kernels.sh names:
#   1. build a source tree with every kind of file (contents, modes,
#      owners, times, xattrs, short and long symlinks, hard links, device
#      nodes, fifos, a directory large enough for a multi-level tree, an
#      xattr value large enough for a value inode) and its manifest;
#   2. mkfs.vexfs -d it (1 KiB blocks, so that trees get deep), and check
#      it with fsck.vexfs -fn on the host;
#   3. in the VM: mount, compare every file with the manifest, modify
#      the tree, unmount (tests/vm/guest/roundtrip.sh);
#   4. fsck.vexfs -fn on the host must find the result clean;
#   5. the same for an image that fsck.vexfs repaired (a rebuilt big
#      directory, a directory reconnected to a /lost+found it created):
#      the kernel must read and change what the repairs wrote.
# Prints PASS:/FAIL: lines.

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" fsck-roundtrip
suite_build_tools
mkfs=$top/userspace/mkfs/mkfs.vexfs
fsck=$top/userspace/fsck/fsck.vexfs
xattr=$vm/progs/bin/xattr

rm -rf "$work"
mkdir -p "$work/src" "$work/bin"
src=$work/src
(
	set -e
	cd "$src"
	mkdir -p deep/a/b/c/d/e big empty
	echo hello >small
	: >emptyfile
	head -c 300000 /dev/urandom >multi
	printf 'tail' | dd of=sparse bs=1 seek=200000 2>/dev/null
	ln small deep/a/hardlink
	ln small big/another_link
	ln -s small shortlink
	ln -s "$(printf 'long/%.0s' $(seq 1 40))target" longlink
	mkfifo fifo
	if [ "$(id -u)" = 0 ]; then
		mknod chr c 1 3
		mknod blk b 7 200
		chown 1234:5678 small multi
		chown 42:43 deep/a
	fi
	chmod 4755 multi
	chmod 1777 empty
	chmod 0640 deep/a/b/c/d/e
	for i in $(seq 1 400); do echo "$i" >"big/f$i"; done
	"$xattr" set small user.colour blue
	"$xattr" setacl small 1000
	"$xattr" set deep/a user.on_a_directory yes
	"$xattr" set multi user.big "$(head -c 3000 /dev/zero | tr '\0' v)"
	touch -d '2001-02-03 04:05:06.789' small
	touch -h -d '1999-12-31 23:59:59' shortlink
	touch -d '@0' emptyfile
) || fail_setup "source tree"
PATH=$vm/progs/bin:$PATH busybox sh "$vm/guest/roundtrip_manifest.sh" "$src" \
	>"$work/manifest.host" || fail_setup "manifest"
grep -q 'user.colour=blue' "$work/manifest.host" || fail_setup "manifest without xattrs"
grep -q 'system.posix_acl_access=0x02000000' "$work/manifest.host" ||
	fail_setup "manifest without the ACL (does the host filesystem support ACLs?)"

img=$work/disk.img
if truncate -s 64M "$img" && "$mkfs" -q -b 1024 -E hash_seed=00112233-4455-6677-8899-aabbccddeeff \
	-d "$src" "$img" 2>"$work/mkfs.err"; then
	echo "PASS: fsck-roundtrip/mkfs_d_copies_the_tree"
else
	echo "FAIL: fsck-roundtrip/mkfs_d_copies_the_tree"
	sed 's/^/    /' "$work/mkfs.err"
	exit 1
fi
if "$fsck" -fn "$img" >"$work/fsck0.out" 2>&1; then
	echo "PASS: fsck-roundtrip/fsck_clean_after_mkfs_d"
else
	echo "FAIL: fsck-roundtrip/fsck_clean_after_mkfs_d"
	sed 's/^/    /' "$work/fsck0.out"
	failed=1
fi
cp "$img" "$work/pristine.img"

# A copy damaged and repaired by fsck: the kernel must accept the repairs.
suite_tool vexfs-damage "$top/tests/fsck/tools/vexfs-damage.c"
cp "$img" "$work/repaired.img"
# /deep/a/b loses its entry (it now names a free inode): it must be
# reconnected to a new /lost+found; /big's leaf chain skips a leaf: the
# directory must be rebuilt.
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $("$work/vexfs-damage" "$work/repaired.img" --entry /deep/a b)
"$work/vexfs-damage" "$work/repaired.img" dir:/deep/a:"$1" de:"$2".de_ino=4000 &&
	"$work/vexfs-damage" "$work/repaired.img" dir:/big:1 dn_next=3 ||
	fail_setup "damage"
"$fsck" -fy "$work/repaired.img" >"$work/repair.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q 'Rebuild the directory? yes' "$work/repair.out" &&
	grep -q 'lost+found not found.  Create? yes' "$work/repair.out" &&
	"$fsck" -fn "$work/repaired.img" >/dev/null 2>&1; then
	echo "PASS: fsck-roundtrip/fsck_repairs_damaged_copy"
else
	echo "FAIL: fsck-roundtrip/fsck_repairs_damaged_copy (exit $rc)"
	sed 's/^/    /' "$work/repair.out"
	failed=1
fi
cp "$work/repaired.img" "$work/repaired-pristine.img"

# roundtrip_kernel KVER SERIES: one kernel's round trip, on its own copies
# of the images; runs beside the other kernel (tests/vm/each-kernel.sh).
roundtrip_kernel() {
	local kver=$1 series=$2 failed=0
	local img=$work/roundtrip-$series.img repaired=$work/repaired-$series.img
	suite_module "$kver" "fsck-roundtrip/$series/module_builds" || return 1
	cp "$work/pristine.img" "$img"
	cp "$work/repaired-pristine.img" "$repaired"
	if ! "$vm/run-vm.sh" -k "$kver" -t 600 -l "$work/console-$series.log" \
		-b "$work/manifest.host:/tests/manifest.host" -d "$img" \
		-d "$repaired" roundtrip.sh; then
		failed=1
	fi
	if "$fsck" -fn "$repaired" >"$work/fsck-repaired-$series.out" 2>&1; then
		echo "PASS: fsck-roundtrip/$series/repaired_image_clean_after_kernel_changes"
	else
		echo "FAIL: fsck-roundtrip/$series/repaired_image_clean_after_kernel_changes"
		sed 's/^/    /' "$work/fsck-repaired-$series.out"
		failed=1
	fi
	if "$fsck" -fn "$img" >"$work/fsck-$series.out" 2>&1; then
		echo "PASS: fsck-roundtrip/$series/fsck_clean_after_kernel_changes"
	else
		echo "FAIL: fsck-roundtrip/$series/fsck_clean_after_kernel_changes"
		sed 's/^/    /' "$work/fsck-$series.out"
		failed=1
	fi
	return $failed
}

suite_each_kernel roundtrip_kernel
