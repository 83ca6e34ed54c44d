# SPDX-License-Identifier: GPL-2.0
#
# foundation.sh CLEAN BLANK DATA_KB BADMAGIC BADCSUM INCOMPAT NEWMAJOR
#               BADBS TRUNCATED EXT4
#
# The module registers "vexfs"; a host-made filesystem (CLEAN, DATA_KB
# KiB of data space) mounts, lists an empty root, reports exact statfs
# numbers and unmounts cleanly; mkfs.vexfs works in the guest (BLANK); and
# every damaged superblock is refused with an error code and exactly one
# "vexfs" kernel line, never an oops.
. /tests/lib.sh

clean=$1 blank=$2 data_kb=$3
shift 3
mnt=/mnt/found
mkdir -p $mnt

check module_loads modprobe vexfs
check_eq filesystem_registered "$(grep -c 'vexfs$' /proc/filesystems)" 1

check mount_clean mount -t vexfs "$clean" $mnt
check_eq root_lists_only_dots "$(ls -a $mnt | tr '\n' ' ')" ". .. "
# df -k: total and free are the data area; nothing is used yet.
set -- $(df -k $mnt | awk 'NR == 2 { print $2, $3, $4 }') "$@"
check_eq statfs_total_kb "$1" "$data_kb"
check_eq statfs_used_kb "$2" 0
check_eq statfs_free_kb "$3" "$data_kb"
shift 3
check_eq statfs_type "$(stat -f -c %t $mnt)" 56584653
check_eq statfs_namelen "$(stat -f -c %l $mnt)" 255
check umount_clean umount $mnt
check remount mount -t vexfs -o ro "$clean" $mnt
check_eq readonly_mount_refuses_writes \
	"$(touch $mnt/x 2>&1 >/dev/null | grep -c 'Read-only')" 1
check umount_again umount $mnt

check mkfs_in_guest mkfs.vexfs -q -L guest "$blank"
check mount_guest_made mount -t vexfs "$blank" $mnt
check_eq guest_made_root_empty "$(ls -A $mnt | wc -l)" 0
check umount_guest_made umount $mnt
check_fails mkfs_refuses_existing_fs mkfs.vexfs -q "$blank"
check mkfs_force_overwrites mkfs.vexfs -q -F "$blank"
mount -t vexfs "$blank" $mnt
check_fails mkfs_refuses_mounted mkfs.vexfs -q -F "$blank"
umount $mnt

# refused NAME DEV: mount fails, one new kernel line names vexfs, no oops.
refused() {
	before=$(dmesg | grep -c 'vexfs (')
	if mount -t vexfs "$2" $mnt 2>/dev/null; then
		fail "refuses_$1 (mounted)"
		umount $mnt
		return
	fi
	after=$(dmesg | grep -c 'vexfs (')
	check_eq "refuses_$1_one_log_line" $((after - before)) 1
	dmesg | grep 'vexfs (' | tail -n 1 | sed 's/^/    log: /'
}

refused bad_magic "$1"
refused bad_checksum "$2"
refused unknown_incompat_feature "$3"
refused newer_major_version "$4"
refused bad_block_size "$5"
refused truncated_device "$6"
check_fails refuses_ext4 mount -t vexfs "$7" $mnt

check rmmod_after_use rmmod vexfs
finish
