# SPDX-License-Identifier: GPL-2.0
#
# files.sh DEV - regular files, attributes, xattrs and ACLs (posix_file),
# the randomized exerciser (fsx) and the multi-process metadata stress
# (fsstress, checked against its model after a remount).
. /tests/lib.sh

dev=$1
mnt=/mnt/files
mkdir -p $mnt
modprobe vexfs

check mkfs mkfs.vexfs -q -F "$dev"
check mount mount -t vexfs "$dev" $mnt
posix_file $mnt || failures=$((failures + 1))

seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
# -P: punch holes and zero ranges too.
check "fsx_seed_$seed" fsx -s "$seed" -n 20000 -R -P $mnt/fsx.file
# Up to 100 MB: whole-file compares every 250 ops, a 1 MiB window at the
# checks between (a whole compare each time took five minutes of TCG).
check "fsx_large_seed_$seed" fsx -s "$seed" -n 3000 -l 100000000 -F 250 $mnt/fsx.large
rm -f $mnt/fsx.file $mnt/fsx.large

mkdir $mnt/stress
check "fsstress_run_seed_$seed" fsstress run $mnt/stress 8 1500 "$seed" /tmp/model
check umount_after_stress umount $mnt
check remount_after_stress mount -t vexfs "$dev" $mnt
check fsstress_verify_after_remount fsstress verify $mnt/stress /tmp/model
check umount umount $mnt

# 1 KiB blocks, 4 to a page: a large extending write that starts in the
# middle of a page is batched from the block of its first byte, so the
# page's blocks are partly in the batch's window.  Those blocks reuse
# ones freed earlier (by truncate here, by punch with -P) and were read
# back from the disk instead of zeroed, so the file showed another
# file's old data (0x99 at byte 3613988, op 75, with seed 3 and -P; op
# 28 with seed 7 and truncate only).
check mkfs_1k mkfs.vexfs -q -F -b 1024 "$dev"
check mount_1k mount -t vexfs "$dev" $mnt
check fsx_1k_batch_mid_page_punch fsx -s 3 -n 75 -R -P $mnt/fsx.1k
check fsx_1k_batch_mid_page_truncate fsx -s 7 -n 100 -R $mnt/fsx.1k
check umount_1k umount $mnt
finish
