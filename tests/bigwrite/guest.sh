# SPDX-License-Identifier: GPL-2.0
#
# guest.sh DEV - large buffered writes on VexFS, in a VM guest
# (tests/bigwrite/run.sh).
#
# Every check of bigwrite.c on one filesystem, with the journal: appends
# of odd sizes, a write far past EOF, a write cut short by a fault, an
# overwrite, a write larger than the free space, a write to an unlinked
# file, and a direct read of what was just written.  Then the files must
# read the same after a remount, and fsck must find nothing to fix.
#
# Once with 4 KiB blocks and once with 1 KiB: with blocks smaller than a
# page a batch's window starts and ends inside pages, which is where the
# stale-block bug of batched writes was (CHANGELOG, 0.2.0 "Fixed").
. /tests/lib.sh

dev=$1
mnt=/mnt/bigwrite
mkdir -p $mnt
modprobe vexfs

# bigwrite_round BS: every check on a fresh filesystem of BS-byte blocks.
bigwrite_round() {
	bs=$1
	t=bigwrite/$bs
	fresh_vexfs "$dev" -b "$bs" || { fail "$t/mkfs"; return; }
	check $t/mount mount -t vexfs "$dev" $mnt

	check $t/append bigwrite append $mnt/append
	size=$(stat -c %s $mnt/append)
	check $t/gap bigwrite gap $mnt/gap
	check $t/short bigwrite short $mnt/short
	check $t/overwrite bigwrite overwrite $mnt/overwrite
	check $t/unlinked bigwrite unlinked $mnt
	check $t/direct bigwrite direct $mnt/direct
	check $t/fill bigwrite fill $mnt
	# After ENOSPC the filesystem still takes a large write.
	check $t/append_after_fill bigwrite append $mnt/append2

	sums=$(cd $mnt && md5sum append gap short overwrite direct append2)
	check $t/umount umount $mnt
	check $t/fsck_clean fsck.vexfs -n "$dev"
	check $t/remount mount -t vexfs "$dev" $mnt
	check $t/append/survives_remount bigwrite verify $mnt/append 7 "$size"
	check_eq $t/checksums_after_remount \
		"$(cd $mnt && md5sum append gap short overwrite direct append2)" "$sums"
	check $t/final_umount umount $mnt
	check $t/final_fsck_clean fsck.vexfs -n "$dev"
}

bigwrite_round 4096
bigwrite_round 1024
check_eq bigwrite/no_errors_logged "$(dmesg_count 'vexfs.*error')" 0
finish
