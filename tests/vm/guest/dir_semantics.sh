# SPDX-License-Identifier: GPL-2.0
#
# dir_semantics.sh [DEV] - directory semantics of VexFS, with exact
# assertions (the checks themselves are in tests/vm/progs/dirops.c).
#
# DEV (default /dev/vda) is a scratch disk of at least 512 MiB; it is
# reformatted several times:
#   4 KiB blocks: the namespace tests, 100000 entries in one directory,
#                 a directory at the link limit, persistence across
#                 umount/mount, and fsck of the result when fsck exists;
#   1 KiB blocks: the same with deeper trees (30000 entries);
#   dir_hash_test_bits=3 and =1: names of equal hash in groups larger
#                 than a leaf;
#   damaged directory blocks: EUCLEAN/EBADMSG, never an oops or a hang.
#
# Needs mkfs.vexfs (userspace/static) and dirops (tests/vm/progs/bin).
. /tests/lib.sh

dev=${1:-/dev/vda}
mnt=/mnt/dirsem
mkdir -p "$mnt"

# run-vm.sh always brings the static tools: without them, nothing here ran.
if ! command -v mkfs.vexfs >/dev/null 2>&1; then
	fail "dir_semantics (mkfs.vexfs is not in the guest)"
	exit 1
fi

# dirops prints its own PASS:/FAIL: lines; count a failed run once more
# only if it printed none (a crash), so nothing passes silently.
run_dirops() {
	out=$(dirops "$@" 2>&1)
	rc=$?
	echo "$out"
	if [ $rc -ne 0 ]; then
		case $out in
		*FAIL:*) failures=$((failures + 1)) ;;
		*) fail "dir_${DIROPS_TAG}dirops_$2 (exit $rc)" ;;
		esac
	fi
}

# step NAME CMD...: like check, and returns whether CMD succeeded
step() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
		return 0
	fi
	fail "$name"
	echo "$out" | sed 's/^/    /'
	return 1
}

mount_vexfs() {
	mount -t vexfs "$@" "$dev" "$mnt"
}

# one_size TAG BLOCKSIZE BIG_N
one_size() {
	DIROPS_TAG=$1
	export DIROPS_TAG
	step "dir_${1}mkfs" fresh_vexfs "$dev" -b "$2" -N 160000 || return
	step "dir_${1}mount" mount_vexfs || return
	run_dirops "$mnt" all
	run_dirops "$mnt" big "$3"
	[ "$2" -eq 4096 ] && run_dirops "$mnt" emlink_dir
	mkdir "$mnt/persist"
	run_dirops "$mnt/persist" setup
	step "dir_${1}umount" umount "$mnt" || return
	step "dir_${1}remount" mount_vexfs || return
	run_dirops "$mnt/persist" verify
	run_dirops "$mnt/persist" cleanup
	step "dir_${1}umount_again" umount "$mnt" || return
	if command -v fsck.vexfs >/dev/null 2>&1; then
		check "dir_${1}fsck_clean" fsck.vexfs -n "$dev"
	fi
	# After a clean unmount the emptied tree still reads back empty.
	step "dir_${1}remount_empty" mount_vexfs || return
	run_dirops "$mnt/persist" empty
	umount "$mnt"
}

# collide TAG BITS BLOCKSIZE N
collide() {
	DIROPS_TAG=$1
	export DIROPS_TAG
	modprobe -r vexfs
	step "dir_${1}modprobe" modprobe vexfs dir_hash_test_bits="$2" ||
		return
	step "dir_${1}mkfs" fresh_vexfs "$dev" -b "$3" -N 20000 &&
	step "dir_${1}mount" mount_vexfs &&
	run_dirops "$mnt" collide "$4"
	umount "$mnt" 2>/dev/null
	modprobe -r vexfs
	modprobe vexfs
}

corrupt() {
	kinds="crc count reclen order name ino type child level loop used"
	DIROPS_TAG=
	export DIROPS_TAG
	step dir_corrupt_mkfs fresh_vexfs "$dev" -b 4096 -N 40000 || return
	step dir_corrupt_mount mount_vexfs || return
	run_dirops "$mnt" corrupt_setup
	for k in $kinds; do
		eval "ino_$k=$(stat -c %i "$mnt/c_$k")"
	done
	umount "$mnt"
	for k in $kinds; do
		eval "ino=\$ino_$k"
		run_dirops "$dev" corrupt "$k" "$ino"
	done
	step dir_corrupt_remount mount_vexfs -o errors=continue || return
	for k in $kinds; do
		run_dirops "$mnt/c_$k" probe "$k"
	done
	check dir_corrupt_umount umount "$mnt"
}

step dir_modprobe modprobe vexfs || finish
one_size "" 4096 100000
one_size 1k_ 1024 30000
collide collide3_ 3 4096 3000
collide collide1_ 1 1024 2000
corrupt
finish
