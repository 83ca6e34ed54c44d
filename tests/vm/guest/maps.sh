# SPDX-License-Identifier: GPL-2.0
#
# maps.sh VEXFS-DEV EXT4-DEV - the file API around the block map, against
# ext4 in the same guest: FIEMAP (filefrag), SEEK_DATA/SEEK_HOLE and what
# cp makes of them, fsfreeze during a writer, FITRIM (fstrim).
#
# VEXFS-DEV must pass discards through (run-vm.sh -D); EXT4-DEV holds an
# ext4 filesystem with 4 KiB blocks, like VexFS's default, and no discard:
# at the end it becomes a VexFS on which fstrim must say "not supported".
# Needs filefrag, and util-linux's fstrim and fsfreeze and GNU cp from
# the host, as util-fstrim, util-fsfreeze and gcp: busybox sh runs its own
# applets of the same names first.
. /tests/lib.sh

dev=${1:-/dev/vda}
ext4dev=${2:-/dev/vdb}
vx=/mnt/maps-vx
e4=/mnt/maps-e4
mkdir -p $vx $e4

fresh_vexfs "$dev" || { fail "maps/mkfs"; finish; }
mount -t vexfs "$dev" $vx || { fail "maps/mount"; finish; }
modprobe ext4 2>/dev/null
mount -t ext4 "$ext4dev" $e4 || { fail "maps/mount_ext4"; finish; }

# same NAME CMD...: CMD (run with FS for the filesystem's mount point)
# prints the same on VexFS and on ext4.
same() {
	name=$1
	shift
	got=$(FS=$vx sh -c "$*" 2>&1)
	want=$(FS=$e4 sh -c "$*" 2>&1)
	check_eq "maps/$name" "$got" "$want"
}

# Sparse files: SIZE then the OFF:LEN ranges that hold data.
M=1048576
set_files() {
	for fs in $vx $e4; do
		maps make $fs/holes $M 0:4096 65536:8192 200000:100 &&
		maps make $fs/tail $((10 * M)) 0:$M &&
		maps make $fs/head $((3 * M)) $((2 * M)):$M &&
		maps make $fs/empty_hole $M &&
		maps make $fs/odd $((5 * M + 123)) 4095:2 $((5 * M)):123 &&
		: >$fs/empty || fail "maps/make_files"
	done
}
set_files
for f in holes tail head empty_hole odd empty; do
	same "fiemap_$f" 'maps fiemap $FS/'$f' sync'
	same "seek_$f" 'maps seek $FS/'$f
	same "walk_$f" 'maps walk $FS/'$f
done

# Without FIEMAP_FLAG_SYNC, right after the write (no delayed allocation:
# the blocks are there already; ext4 would say "delalloc").
maps make $vx/nosync $((4 * M)) $M:$M
check_eq maps/fiemap_without_sync "$(maps fiemap $vx/nosync)" \
	"$(printf '%s\n%s' "$M $((2 * M)) last" "extents some")"

# Blocks preallocated past the end (FALLOC_FL_KEEP_SIZE) are extents,
# as in ext4 (which flags them unwritten; VexFS zeroes them instead),
# but not data: SEEK_DATA stops at the size.
maps make $vx/prealloc $M 0:4096
maps keepsize $vx/prealloc $((2 * M)) $M
check_eq maps/fiemap_past_eof "$(maps fiemap $vx/prealloc)" \
	"$(printf '%s\n%s\n%s' "0 4096 -" "$((2 * M)) $((3 * M)) last" "extents some")"
check_eq maps/walk_past_eof "$(maps walk $vx/prealloc)" \
	"$(printf '%s\n%s' "data 0 4096" "end ENXIO")"

# filefrag itself: its extents' logical ranges and lengths (not their
# physical placement), and the flags of the last.
for f in holes tail odd; do
	same "filefrag_$f" 'filefrag -v $FS/'$f' | awk "/^ *[0-9]+:/ { print \$2, \$3, \$6 }"'
done
check_out maps/filefrag_last_eof "last,eof" filefrag -v $vx/head
check_out maps/filefrag_last "last" filefrag -v $vx/tail

# cp keeps the holes, with --sparse=always (it finds the zeros itself)
# and --sparse=auto (the default: SEEK_HOLE, or st_blocks and zeros).
# GNU cp 9.1 keeps them even with SEEK_HOLE broken (tried): the seek_
# and walk_ checks above are the ones that prove SEEK_DATA/SEEK_HOLE.
for mode in always auto; do
	rm -f $vx/copy
	gcp --sparse=$mode $vx/tail $vx/copy
	check maps/cp_sparse_${mode}_same cmp $vx/tail $vx/copy
	check_eq maps/cp_sparse_${mode}_blocks "$(du -k $vx/copy | cut -f1)" \
		"$(du -k $vx/tail | cut -f1)"
done
umount $e4

# fsfreeze during a writer: the writer blocks, the frozen image is
# consistent (fsck -n of the mounted device), and nothing is lost.  The
# writer appends numbered lines until told to stop, so that it is
# certainly running when the filesystem freezes, however fast the guest.
writer() {
	i=0
	while [ ! -e /tmp/stop-writer ]; do
		echo "line $i" >>$vx/frozen
		i=$((i + 1))
	done
}
# lines N: what the writer wrote if it wrote N lines
lines() {
	i=0
	while [ $i -lt "$1" ]; do echo "line $i"; i=$((i + 1)); done
}
rm -f /tmp/stop-writer
writer &
wpid=$!
n=0
# (The subshell: busybox reports a failed < before 2> applies.)
while [ "$( (wc -l <$vx/frozen) 2>/dev/null || echo 0)" -lt 100 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
check maps/freeze util-fsfreeze -f $vx
s1=$(stat -c %s $vx/frozen)
sleep 3
s2=$(stat -c %s $vx/frozen)
check_eq maps/freeze_blocks_writer "$s2" "$s1"
check maps/freeze_writer_still_running kill -0 $wpid
check maps/freeze_image_fsck_clean fsck.vexfs -n "$dev"
check maps/unfreeze util-fsfreeze -u $vx
sleep 1
touch /tmp/stop-writer
wait $wpid
s3=$(stat -c %s $vx/frozen)
check maps/freeze_writer_resumed test "$s3" -gt "$s1"
nlines=$(wc -l <$vx/frozen)
lines "$nlines" >/tmp/frozen.want
check maps/freeze_data_intact cmp /tmp/frozen.want $vx/frozen
check maps/freeze_again util-fsfreeze -f $vx
check maps/unfreeze_again util-fsfreeze -u $vx
check maps/write_after_thaw sh -c "echo after >>$vx/frozen"

# fstrim: free space is discarded, data stays.  The device's holes grow
# (QEMU unmaps), which the host checks are not needed for: the count of
# bytes FITRIM reports must cover the 32 MiB just deleted.
maps make $vx/big $((32 * M)) 0:$((32 * M))
maps make $vx/keep $((8 * M)) 0:$((8 * M))
sync
md5=$(md5sum <$vx/keep)
rm $vx/big
trim=$(util-fstrim -v $vx 2>&1)
check maps/fstrim_runs test $? -eq 0
bytes=$(echo "$trim" | sed -n 's/.*(\([0-9]*\) bytes).*/\1/p')
if [ -n "$bytes" ] && [ "$bytes" -ge $((32 * M)) ]; then
	pass maps/fstrim_reports_bytes
else
	fail "maps/fstrim_reports_bytes ($trim)"
fi
check_out maps/fstrim_minlen_range "trimmed" util-fstrim -v -o 0 -l $((64 * M)) -m $((1 * M)) $vx
check_err maps/fstrim_minlen_too_big 1 "Invalid argument" util-fstrim -m 1T $vx
umount $vx
mount -t vexfs "$dev" $vx
echo 3 >/proc/sys/vm/drop_caches
check_eq maps/fstrim_data_intact "$(md5sum <$vx/keep)" "$md5"
check_eq maps/freeze_data_after_remount "$(head -n "$nlines" $vx/frozen | cmp - /tmp/frozen.want && echo ok)" ok
umount $vx
check maps/fsck_clean_after fsck.vexfs -n "$dev"

# A device without discard: EOPNOTSUPP, as ext4 says.
fresh_vexfs "$ext4dev"
mount -t vexfs "$ext4dev" $vx
check_err maps/fstrim_no_discard 1 "not supported" util-fstrim -v $vx
umount $vx

# Without a journal, freezing syncs: the frozen image is clean too.
fresh_vexfs "$ext4dev" -J size=0
mount -t vexfs "$ext4dev" $vx
maps make $vx/nj $((2 * M)) 0:$M
check maps/nojournal_freeze util-fsfreeze -f $vx
check maps/nojournal_frozen_fsck_clean fsck.vexfs -n "$ext4dev"
check maps/nojournal_unfreeze util-fsfreeze -u $vx
check maps/nojournal_write_after_thaw maps make $vx/nj2 $M 0:4096
umount $vx
check maps/nojournal_fsck_clean_after fsck.vexfs -n "$ext4dev"

finish
