# SPDX-License-Identifier: GPL-2.0
#
# guest.sh SEED OPS NRANDOM - the crash test, inside the VM.
#
# /dev/vda holds a fresh journaled vexfs, /dev/vdb is the write log.
# 0. Scratch images: the journal mount options and flags, and logs written
#    by the fsck fixtures' journal writer, replayed by the kernel and by
#    fsck.vexfs alike (writer_check).
# 1. Run the workload on a dm-log-writes device over vda: every write
#    reaches the log with its FLUSH/FUA flags, with a mark before each
#    operation and after each acknowledgement (fsync).
# 2. For every FLUSH/FUA point, NRANDOM random points and the end: replay
#    that prefix of the log onto a copy of the initial disk (a power cut
#    there), mount it (journal replay), check that everything acknowledged
#    is there and the operation in flight is all or nothing, unmount, and
#    require fsck.vexfs -fn to find nothing.
# 3. At every fourth point (and the last), also recover a copy of the same
#    crash image in userspace: fsck.vexfs -fy must replay its journal and
#    finish its orphans reporting nothing else, fsck.vexfs -fn must then
#    be clean, and the tree it gives (mounted read-only) must be the tree
#    the kernel's own recovery gave, file for file (roundtrip_manifest.sh:
#    type, mode, owner, links, mtime, size, contents, xattrs).
. /tests/lib.sh

seed=$1 ops=$2 nrandom=$3
t=/mnt/crash c=/mnt/check u=/mnt/fsck
mkdir -p $t $c $u

# fsck_replay_matches WHAT: the userspace recovery of /tmp/cursor.img
# gives what the kernel's recovery mounted on $c shows.
fsck_replay_matches() {
	cp /tmp/cursor.img /tmp/fsck.img
	fsck.vexfs -fy /tmp/fsck.img >/tmp/fsck.fy 2>&1
	rc=$?
	if [ $rc -gt 1 ]; then
		echo "FAIL-DETAIL: $1: fsck.vexfs -fy exited $rc:"
		head -20 /tmp/fsck.fy
		return 1
	fi
	# jbd2 replays a non-empty log whatever the superblock says; note it
	if grep -q '^The journal holds transactions, but' /tmp/fsck.fy; then
		echo "crash-note: $1: log not empty, superblock: $(vexctl info /tmp/cursor.img | grep -i 'features:')"
		unflagged=$((unflagged + 1))
	fi
	# only the recovery itself may be reported
	if grep -v -E '^(Pass [0-9]|/tmp/fsck.img: (recovering journal|replayed|\*\*\*\*\* FILE SYSTEM WAS MODIFIED|[0-9]+/[0-9]+ inodes)|Orphan inode [0-9]+ .*(Free it|Finish the truncation)\? yes|The journal holds transactions, but the superblock does not say it needs recovery.  Replay them\? yes|$)' \
		/tmp/fsck.fy >/tmp/fsck.other; then
		echo "FAIL-DETAIL: $1: fsck.vexfs -fy found more than the recovery:"
		head -20 /tmp/fsck.other
		return 1
	fi
	if ! fsck.vexfs -fn /tmp/fsck.img >/tmp/fsck.fn 2>&1; then
		echo "FAIL-DETAIL: $1: fsck.vexfs -fn after the userspace replay:"
		head -20 /tmp/fsck.fn
		return 1
	fi
	uloop=$(losetup -f)
	losetup "$uloop" /tmp/fsck.img || return 1
	if ! mount -t vexfs -o ro "$uloop" $u 2>/tmp/mount.err; then
		echo "FAIL-DETAIL: $1: mounting the fsck-recovered copy: $(cat /tmp/mount.err)"
		losetup -d "$uloop"
		return 1
	fi
	sh /tests/roundtrip_manifest.sh $c >/tmp/manifest.kernel
	sh /tests/roundtrip_manifest.sh $u >/tmp/manifest.fsck
	umount $u
	losetup -d "$uloop"
	if ! cmp -s /tmp/manifest.kernel /tmp/manifest.fsck; then
		echo "FAIL-DETAIL: $1: the fsck replay differs from the kernel's:"
		diff /tmp/manifest.kernel /tmp/manifest.fsck | head -20
		return 1
	fi
	return 0
}

echo "crash: seed $seed, $ops operations, $nrandom random points"
check module_loads modprobe vexfs
check dm_log_writes_loads modprobe dm-log-writes
# The journal's mount options and superblock flags, on a scratch image.
truncate -s 32M /tmp/opt.img
mkfs.vexfs -q /tmp/opt.img
loop=$(losetup -f)
losetup "$loop" /tmp/opt.img
check_fails data_writeback_refused mount -t vexfs -o data=writeback "$loop" $c
check_fails data_journal_refused mount -t vexfs -o data=journal "$loop" $c
check mount_data_ordered_commit_1 mount -t vexfs -o data=ordered,commit=1 "$loop" $c
check_eq commit_option_shown "$(grep -c "$c vexfs .*commit=1" /proc/mounts)" 1
check_eq needs_recovery_while_mounted \
	"$(vexctl info "$loop" | grep -c 'features:.*needs_recovery')" 1
echo data >$c/f
check umount_scratch umount $c
check_eq needs_recovery_cleared_at_umount \
	"$(vexctl info "$loop" | grep -c 'needs_recovery')" 0
check fsck_scratch_clean fsck.vexfs -fn "$loop"
losetup -d "$loop"
rm -f /tmp/opt.img

# The fsck fixtures' journal writer (tests/fsck/tools/vexfs-journal)
# writes what jbd2 reads: a log it wrote, replayed by the kernel's mount,
# gives the tree fsck's replay gives.  File a's block is logged with the
# jbd2 magic over its first bytes (an escaped block), b's the same but
# revoked by a later transaction, c's zeroed in a transaction cut off
# before its commit.  With jbd2 checksums v3 too, if this kernel has
# crc32c for jbd2.
writer_check() {	# writer_check NAME [--csum 3]
	wname=$1
	shift
	rm -f /tmp/w.img
	truncate -s 16M /tmp/w.img
	mkfs.vexfs -q /tmp/w.img
	loop=$(losetup -f)
	losetup "$loop" /tmp/w.img
	mount -t vexfs "$loop" $c
	for f in a b c; do
		head -c 4096 /dev/zero | tr '\0' $f >$c/$f
	done
	umount $c
	losetup -d "$loop"
	A=$(vexfs-damage /tmp/w.img --map /a | cut -d' ' -f2)
	B=$(vexfs-damage /tmp/w.img --map /b | cut -d' ' -f2)
	C=$(vexfs-damage /tmp/w.img --map /c | cut -d' ' -f2)
	vexfs-journal /tmp/w.img "$@" "commit:$A=magic,$B=magic" "commit:-$B" \
		"open:$C=0" >/dev/null || { fail "${wname}_written"; return; }
	cp /tmp/w.img /tmp/wf.img
	check "${wname}_fsck_replays" sh -c 'fsck.vexfs -fy /tmp/wf.img; [ $? -le 1 ]'
	check "${wname}_fsck_clean_after" fsck.vexfs -fn /tmp/wf.img
	loop=$(losetup -f)
	losetup "$loop" /tmp/w.img
	if ! mount -t vexfs "$loop" $c 2>/tmp/mount.err; then
		if [ $# -gt 0 ] && dmesg | tail -3 | grep -q -i 'crc32c\|checksum driver'; then
			echo "SKIP: ${wname}_kernel_replays (no crc32c for jbd2 here)"
		else
			fail "${wname}_kernel_replays"
			cat /tmp/mount.err
			dmesg | tail -5
		fi
		losetup -d "$loop"
		return
	fi
	pass "${wname}_kernel_replays"
	check_eq "${wname}_escaped_block_restored" \
		"$(head -c 4 $c/a | od -A n -t x1 | tr -d ' ')" c03b3998
	check_eq "${wname}_revoked_block_not_replayed" "$(head -c 4 $c/b)" bbbb
	check_eq "${wname}_uncommitted_not_replayed" "$(head -c 4 $c/c)" cccc
	uloop=$(losetup -f)
	losetup "$uloop" /tmp/wf.img
	mount -t vexfs -o ro "$uloop" $u
	sh /tests/roundtrip_manifest.sh $c >/tmp/manifest.kernel
	sh /tests/roundtrip_manifest.sh $u >/tmp/manifest.fsck
	check "${wname}_fsck_and_kernel_replays_agree" cmp /tmp/manifest.kernel /tmp/manifest.fsck
	umount $u
	losetup -d "$uloop"
	umount $c
	losetup -d "$loop"
}
writer_check journal_writer
writer_check journal_writer_csum3 --csum 3

dd if=/dev/vda of=/tmp/base.img bs=1M 2>/dev/null
check_eq base_copied "$(stat -c %s /tmp/base.img)" "$(blockdev --getsize64 /dev/vda)"

dev=$(crashtool dm-create lw /dev/vda /dev/vdb) || { echo "FAIL: dm_create"; exit 1; }
check mount_on_log_writes mount -t vexfs "$dev" $t
start=$(date +%s)
check workload crashtool workload $t lw "$seed" "$ops" /tmp/model
echo "crash: workload took $(( $(date +%s) - start )) s"
echo "crash: $(grep -c '^E' /tmp/model) embedding operations"
check umount_after_workload umount $t
check dm_remove crashtool dm-remove lw

crashtool points /dev/vdb "$seed" "$nrandom" >/tmp/points || { echo "FAIL: points"; exit 1; }
npoints=$(wc -l </tmp/points)
echo "crash: $npoints crash points"
cp /tmp/base.img /tmp/cursor.img
prev=0 ok=0 bad=0 n=0 xok=0 xbad=0 unflagged=0
while read -r entries acked inflight; do
	n=$((n + 1))
	crashtool replay /dev/vdb /tmp/cursor.img "$prev" "$entries" || { echo "FAIL: replay $entries"; exit 1; }
	prev=$entries
	cp /tmp/cursor.img /tmp/scratch.img
	loop=$(losetup -f)
	losetup "$loop" /tmp/scratch.img || { echo "FAIL: losetup"; exit 1; }
	what="point $entries (acked $acked, in flight $inflight)"
	if ! mount -t vexfs "$loop" $c 2>/tmp/mount.err; then
		echo "FAIL-DETAIL: $what: mount failed: $(cat /tmp/mount.err)"
		dmesg | tail -5
		bad=$((bad + 1))
		losetup -d "$loop"
		continue
	fi
	if ! crashtool verify $c /tmp/model "$acked" "$inflight"; then
		echo "FAIL-DETAIL: $what: verification failed"
		bad=$((bad + 1))
		umount $c
		losetup -d "$loop"
		continue
	fi
	if [ $((n % 4)) -eq 1 ] || [ "$n" -eq "$npoints" ]; then
		if fsck_replay_matches "$what"; then
			xok=$((xok + 1))
		else
			xbad=$((xbad + 1))
		fi
	fi
	umount $c
	if ! fsck.vexfs -fn "$loop" >/tmp/fsck.out 2>&1; then
		echo "FAIL-DETAIL: $what: fsck.vexfs -fn after recovery:"
		head -20 /tmp/fsck.out
		bad=$((bad + 1))
	else
		ok=$((ok + 1))
	fi
	losetup -d "$loop"
done </tmp/points
echo "crash: $ok of $npoints crash points clean, $bad failed (seed $seed)"
echo "crash: fsck replay matched the kernel's at $xok points, differed at $xbad ($unflagged with a log but no needs_recovery flag)"
check_eq crash_points_all_consistent "$bad" 0
# A replayed journal leaves nothing for fsck: the mount must not ask for it.
check_eq no_fsck_advice_after_replay "$(dmesg_count 'not cleanly unmounted')" 0
check_eq fsck_replay_matches_kernel_recovery "$xbad" 0
check_eq fsck_replay_compared_some "$([ "$xok" -ge 8 ] && echo yes || echo "only $xok")" yes
check_eq crash_points_at_least_50 "$([ "$npoints" -ge 50 ] && echo yes || echo "only $npoints")" yes
finish
