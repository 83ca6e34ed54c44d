# SPDX-License-Identifier: GPL-2.0
#
# attrs.sh DEV - behaviour that depends on mount options and on the VFS
# contract rather than on one system call:
#   - atime under strictatime, relatime (the default) and noatime;
#   - set-group-ID directories: new entries take the directory's group,
#     new subdirectories keep the bit;
#   - writeback and readahead issue large I/Os to the device (counted in
#     /sys/block/DEV/stat, not timed);
#   - file handles and inode generations (progs/handles.c).
. /tests/lib.sh

dev=$1
mnt=/mnt/attrs
blk=/sys/block/${dev#/dev/}/stat
mkdir -p $mnt
modprobe vexfs

check mkfs fresh_vexfs "$dev"

atime() { stat -c %X "$1"; }

# read_changes_atime OPTION: does reading a file whose atime is newer
# than its mtime and ctime, and less than a day old, move atime under
# OPTION?  touch itself sets ctime to now, so the atime is an hour ahead.
read_changes_atime() {
	mount -t vexfs -o "$1" "$dev" $mnt || return 2
	f=$mnt/atime.$1
	echo data >"$f"
	touch -m -d '2001-01-01 00:00:00' "$f"
	touch -a -d "@$(($(date +%s) + 3600))" "$f"
	before=$(atime "$f")
	cat "$f" >/dev/null
	after=$(atime "$f")
	umount $mnt
	[ "$before" != "$after" ]
}

check atime_strictatime_updates read_changes_atime strictatime
check_fails atime_relatime_skips_fresh_atime read_changes_atime relatime
check_fails atime_noatime_never_updates read_changes_atime noatime

# relatime still updates an atime older than mtime.
relatime_catches_up() {
	mount -t vexfs "$dev" $mnt || return 2
	f=$mnt/relatime
	echo data >"$f"
	touch -a -d '2001-01-01 00:00:00' "$f"
	cat "$f" >/dev/null
	t=$(atime "$f")
	umount $mnt
	[ "$t" -gt 978307200 ]
}
check atime_relatime_updates_stale_atime relatime_catches_up

# The atime that reading set is on disk, not only in the inode cache.
atime_persists() {
	mount -t vexfs -o strictatime "$dev" $mnt || return 2
	f=$mnt/persist
	echo data >"$f"
	touch -a -d '2001-01-01 00:00:00' "$f"
	cat "$f" >/dev/null
	t=$(atime "$f")
	umount $mnt
	mount -t vexfs "$dev" $mnt || return 2
	t2=$(atime "$f")
	umount $mnt
	[ "$t" = "$t2" ] && [ "$t" -gt 978307200 ]
}
check atime_persists_across_remount atime_persists

check mount mount -t vexfs "$dev" $mnt

# set-group-ID directory: group and bit are inherited.
mkdir $mnt/sgid
chown 0:1234 $mnt/sgid
chmod 2775 $mnt/sgid
touch $mnt/sgid/file
mkdir $mnt/sgid/sub
check_eq sgid_file_takes_dir_group "$(stat -c %g $mnt/sgid/file)" 1234
check_eq sgid_subdir_takes_dir_group "$(stat -c %g $mnt/sgid/sub)" 1234
check_eq sgid_subdir_keeps_bit "$(stat -c %a $mnt/sgid/sub)" 2755
check_eq sgid_file_has_no_bit "$(stat -c %a $mnt/sgid/file)" 644

# field N of the device's stat line (1 = reads, 3 = sectors read,
# 5 = writes, 7 = sectors written)
io_field() {
	awk -v n="$1" '{ print $n }' "$blk"
}

# average_at_least KIB TOTAL_KIB REQUESTS
average_at_least() {
	[ "$3" -gt 0 ] && [ $(($2 / $3)) -ge "$1" ]
}

# Sequential buffered writeback: 64 MiB must reach the disk in large
# requests.  Metadata adds a few small writes, so the bar is an average.
sync
w0=$(io_field 5)
s0=$(io_field 7)
dd if=/dev/zero of=$mnt/seq bs=1M count=64 2>/dev/null
sync
writes=$(($(io_field 5) - w0))
kib=$((($(io_field 7) - s0) / 2))
echo "    writeback: $writes requests, $kib KiB"
check write_requests_average_128k_or_more average_at_least 128 "$kib" "$writes"

# Readahead: 4 KiB reads of a cold file become large device reads.
umount $mnt
mount -t vexfs "$dev" $mnt
r0=$(io_field 1)
s0=$(io_field 3)
dd if=$mnt/seq of=/dev/null bs=4k 2>/dev/null
reads=$(($(io_field 1) - r0))
kib=$((($(io_field 3) - s0) / 2))
echo "    readahead: $reads requests, $kib KiB"
check read_requests_average_64k_or_more average_at_least 64 "$kib" "$reads"

# File handles (nfsd, open_by_handle_at) and FS_IOC_GETVERSION.
# Count from here: earlier suites of the same boot (dir_semantics.sh's
# corrupt directories) log errors on purpose.
e0=$(dmesg_count 'vexfs.*error')
handles $mnt || failures=$((failures + 1))
check_eq no_error_logged_for_stale_handles \
	"$(($(dmesg_count 'vexfs.*error') - e0))" 0

check umount umount $mnt
finish
