# SPDX-License-Identifier: GPL-2.0
#
# guest.sh DEV - O_DIRECT on VexFS, in a VM guest (tests/dio/run.sh).
#
# Makes a filesystem on DEV and runs every check of odirect.c on its own
# file; then unmounts, mounts again and checks that each file reads the
# same, direct and buffered, and has the same checksum as before.
. /tests/lib.sh

dev=$1
mnt=/mnt/dio
checks="aligned misaligned coherent hole eof prealloc"
mkdir -p $mnt
modprobe vexfs
fresh_vexfs "$dev" || { fail "dio/mkfs"; finish; }
check dio/mount mount -t vexfs "$dev" $mnt

# Opening with O_DIRECT, and setting it later with fcntl, are allowed.
check dio/open_odirect dd if=/dev/zero of=$mnt/probe bs=4096 count=1 oflag=direct
for c in $checks; do
	check dio/$c odirect $c $mnt/$c
done

sums=$(cd $mnt && md5sum $checks)
check dio/umount umount $mnt
check dio/remount mount -t vexfs "$dev" $mnt
for c in $checks; do
	check dio/$c/survives_remount odirect same $mnt/$c
done
check_eq dio/checksums_after_remount "$(cd $mnt && md5sum $checks)" "$sums"
check_eq dio/no_errors_logged "$(dmesg_count 'vexfs.*error')" 0
check dio/final_umount umount $mnt
finish
