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
. /tests/lib.sh

dev=$1
mnt=/mnt/bigwrite
mkdir -p $mnt
modprobe vexfs
fresh_vexfs "$dev" || { fail "bigwrite/mkfs"; finish; }
check bigwrite/mount mount -t vexfs "$dev" $mnt

check bigwrite/append bigwrite append $mnt/append
size=$(stat -c %s $mnt/append)
check bigwrite/gap bigwrite gap $mnt/gap
check bigwrite/short bigwrite short $mnt/short
check bigwrite/overwrite bigwrite overwrite $mnt/overwrite
check bigwrite/unlinked bigwrite unlinked $mnt
check bigwrite/direct bigwrite direct $mnt/direct
check bigwrite/fill bigwrite fill $mnt
# After ENOSPC the filesystem still takes a large write.
check bigwrite/append_after_fill bigwrite append $mnt/append2

sums=$(cd $mnt && md5sum append gap short overwrite direct append2)
check bigwrite/umount umount $mnt
check bigwrite/fsck_clean fsck.vexfs -n "$dev"
check bigwrite/remount mount -t vexfs "$dev" $mnt
check bigwrite/append/survives_remount bigwrite verify $mnt/append 7 "$size"
check_eq bigwrite/checksums_after_remount \
	"$(cd $mnt && md5sum append gap short overwrite direct append2)" "$sums"
check_eq bigwrite/no_errors_logged "$(dmesg_count 'vexfs.*error')" 0
check bigwrite/final_umount umount $mnt
check bigwrite/final_fsck_clean fsck.vexfs -n "$dev"
finish
