#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# errors.sh [panic] - what errors=continue|remount-ro|panic do, in the VM.
#
# A small filesystem gets one directory block with a stale checksum
# (vexfs-fuzz break-dir).  Listing that directory must fail with EBADMSG
# (EFSBADCRC) and log exactly one line that names the device and the
# block; then:
#   errors=continue     the filesystem stays read-write and usable;
#   (default)           it is remounted read-only: /proc/mounts says ro
#                       and a create fails with EROFS;
#   both                the on-disk superblock says "errors" after umount;
#   errors=panic        the option is accepted and shown in /proc/mounts.
# With the argument "panic" the script instead mounts errors=panic and
# lists the directory, which must panic the kernel: run.sh boots that
# separately and expects the panic message on the console.
img=/tmp/errors.img
work=/tmp/errors-work.img
mnt=/mnt/errors
loop=/dev/loop1
mkdir -p $mnt
failed=0

pass() { echo "PASS: fuzz-images/errors/$1"; }
fail() { echo "FAIL: fuzz-images/errors/$1"; failed=1; }
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

dd if=/dev/zero of=$img bs=1M count=0 seek=8 2>/dev/null
mkfs.vexfs -q -F -b 1024 $img && losetup $loop $img &&
	mount -t vexfs $loop $mnt && mkdir $mnt/d && i=0 &&
	while [ $i -lt 20 ]; do : >$mnt/d/file-$i || exit 1; i=$((i + 1)); done &&
	umount $mnt && losetup -d $loop || { fail setup; exit 1; }
block=$(vexfs-fuzz break-dir $img) || { fail break-dir; exit 1; }

# mount_broken OPTS: a fresh copy of the broken image, mounted
mount_broken() {
	cp $img $work && losetup $loop $work &&
		mount -t vexfs ${1:+-o $1} $loop $mnt
}

unmount() {
	umount $mnt
	losetup -d $loop
}

if [ "${1:-}" = panic ]; then
	mount_broken errors=panic || { fail panic-mount; exit 1; }
	echo "errors.sh: listing the broken directory under errors=panic"
	fuzz-walk list $mnt/d
	echo "errors.sh: still alive after the error: errors=panic did nothing"
	exit 1
fi

# listing_fails: ls of the broken directory fails with "Bad message" and
# the kernel logs exactly one line naming loop1 and the block.
listing_fails() {
	dmesg -c >/dev/null
	out=$(fuzz-walk list $mnt/d) && { echo "listing worked: $out"; return 1; }
	case $out in *"Bad message"*) ;; *) echo "ls said: $out"; return 1 ;; esac
	lines=$(dmesg | grep -c "vexfs (loop1): .*block $block: checksum mismatch")
	[ "$lines" -eq 1 ] || { echo "log lines naming block $block: $lines"; dmesg | tail -5; return 1; }
}

in_mounts() {
	awk -v m=$mnt '$2 == m { print $4 }' /proc/mounts | grep -q "$1"
}

on_disk_errors() {
	vexctl info --json $work | grep -q '"errors": true'
}

# errors=continue
mount_broken errors=continue || { fail continue-mount; exit 1; }
check continue-shown-in-proc-mounts in_mounts 'errors=continue'
check continue-bad-crc-is-ebadmsg-with-one-log-line listing_fails
check continue-stays-read-write in_mounts '^rw'
check continue-can-still-create touch $mnt/after-error
unmount
check continue-errors-recorded-on-disk on_disk_errors

# the default, remount-ro
mount_broken || { fail remount-ro-mount; exit 1; }
check remount-ro-bad-crc-is-ebadmsg-with-one-log-line listing_fails
check remount-ro-is-read-only-after-the-error in_mounts '^ro'
check remount-ro-create-fails sh -c "! touch $mnt/after-error 2>/dev/null"
unmount
check remount-ro-errors-recorded-on-disk on_disk_errors

# errors=panic: accepted and reported (the panic itself is a boot of its own)
mount_broken errors=panic || { fail panic-mount; exit 1; }
check panic-shown-in-proc-mounts in_mounts 'errors=panic'
unmount
losetup $loop $work
check bad-errors-option-refused sh -c "! mount -t vexfs -o errors=bogus $loop $mnt 2>/dev/null"
losetup -d $loop
exit $failed
