# SPDX-License-Identifier: GPL-2.0
#
# guest.sh SEED OPS NRANDOM ANNFLUSH ANNRANDOM SHUTDOWNS - the crash test,
# in the VM.
#
# /dev/vda holds a fresh journaled vexfs, /dev/vdb is the write log,
# /dev/vdc is an empty disk for the bulk import (4.), /dev/vdd one for
# the shutdowns (5.).
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
# 4. A bulk import cut short (ann_import_crash): a fresh filesystem on vdc
#    through dm-log-writes; a collection, then ANN_BATCHES batches of
#    ANN_BATCH vectors by VEXFS_IOC_BATCH_SET (anntest load), each
#    acknowledged by sync(2) between marks, crossing
#    VEXFS_INDEX_MIN_VECTORS so that the index is built during the import.
#    At ANNFLUSH FLUSH/FUA points spread over the log, ANNRANDOM random
#    ones and the end: the copy mounts read-only (journal replay), every
#    acknowledged batch is there with the very vectors imported and the
#    batch in flight has no wrong one, the index is not trusted (the
#    crash left VEXFS_COLL_INDEX_DIRTY set; only a cut during the final
#    unmount may find it ready, and whole); then mounted read-write it is
#    rebuilt in the background, holds every vector once (anntest census)
#    and answers queries, and fsck.vexfs -fn is clean after the unmount.
# 5. FS_IOC_SHUTDOWN as the crash (shutdown_crash), SHUTDOWNS times, the
#    flags in turn (default, logflush, nologflush, then one the seed
#    picks): the workload of 1. runs on a fresh filesystem on vdd, its
#    marks going to a file, and a second process shuts the filesystem
#    down at a moment the seed places (after the acknowledgement of
#    operation AT, plus up to 15 ms), racing with the operation then
#    running.  The workload must stop with EIO (or have finished), the
#    unmount must complete, and the mount after it (journal replay) is
#    judged as a replayed crash point is: every acknowledged operation is
#    there and the one in flight is all or nothing (crashtool verify),
#    the userspace replay of the same image gives the same tree with only
#    the recovery to report (fsck_replay_matches; not after the default
#    flag, which writes everything out first), and fsck.vexfs -fn is
#    clean after the unmount.
. /tests/lib.sh

seed=$1 ops=$2 nrandom=$3 annflush=${4:-8} annrandom=${5:-4} shutdowns=${6:-4}
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
echo "crash: $(grep -c '^P' /tmp/model) punch or zero-range operations"
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

ANN_DIM=8 ANN_BATCH=250 ANN_BATCHES=8
aseed=$((seed % 997 + 1))

# ann_fail WHAT FILE MESSAGE: report a failed check of a crash point.
ann_fail() {
	echo "FAIL-DETAIL: $1: $3"
	[ -n "$2" ] && grep -v "^Pass " "$2" | head -20
	grep -q " $c " /proc/mounts && umount $c
	return 1
}

# ann_point_check WHAT ACKED INFLIGHT: the recovered copy on $loop.
# Operation 1 made the collection, operation k > 1 imported batch k - 1
# (files f((k-2)*ANN_BATCH)...).
ann_point_check() {
	what=$1 acked=$2 inflight=$3
	# The loop device is reused point after point, each time over a new
	# image: no block cached from an earlier point may be read.
	sync
	echo 3 >/proc/sys/vm/drop_caches
	blockdev --flushbufs "$loop"
	if [ "$ro_dev_checked" = no ] &&
	   vexctl info "$loop" | grep -q 'features:.*needs_recovery'; then
		# A read-only device is never written: the mount refuses a
		# journal that needs recovery, and leaves the image as it was.
		ro_dev_checked=yes
		cp /tmp/ascratch.img /tmp/arodev.img
		rloop=$(losetup -f)
		losetup -r "$rloop" /tmp/arodev.img
		check_fails ann_ro_device_refuses_recovery \
			mount -t vexfs -o ro "$rloop" $u
		grep -q " $u " /proc/mounts && umount $u
		losetup -d "$rloop"
		check ann_ro_device_untouched cmp /tmp/ascratch.img /tmp/arodev.img
		rm -f /tmp/arodev.img
	fi
	mount -t vexfs -o ro "$loop" $c 2>/tmp/mount.err ||
		ann_fail "$what" /tmp/mount.err "read-only mount failed" || return 1
	st=none count=0
	if [ "$acked" -ge 1 ]; then
		k=2
		while [ $k -le "$acked" ]; do
			anntest verify $c/c $(( (k - 2) * ANN_BATCH )) $ANN_BATCH \
				$ANN_DIM $aseed >/tmp/verify.out 2>&1 ||
				ann_fail "$what" /tmp/verify.out \
					"acknowledged batch $((k - 1)) lost:" || return 1
			k=$((k + 1))
		done
		if [ "$inflight" -ge 2 ]; then
			anntest verify $c/c $(( (inflight - 2) * ANN_BATCH )) \
				$ANN_BATCH $ANN_DIM $aseed partial >/tmp/verify.out 2>&1 ||
				ann_fail "$what" /tmp/verify.out \
					"the batch in flight has a wrong vector:" || return 1
		fi
		st=$(anntest state $c/c)
		count=${st##* count }
		# A crash leaves VEXFS_COLL_INDEX_DIRTY set: the index is not
		# trusted.  Only once the whole import was acknowledged may the
		# unmount have cleared it, and then the index must be whole.
		case "${st%% *}" in
		none|stale)
			;;
		ready)
			[ "$acked" -eq $((ANN_BATCHES + 1)) ] ||
				ann_fail "$what" "" "read-only, a dirty index is trusted: $st" ||
				return 1
			anntest census $c/c >/tmp/census.out 2>&1 ||
				ann_fail "$what" /tmp/census.out \
					"read-only, the clean index is not whole:" || return 1
			;;
		*)
			ann_fail "$what" "" "read-only, the index is \"$st\"" || return 1
			;;
		esac
		[ "${st%% *}" = stale ] && astale=$((astale + 1))
		if [ "$acked" -ge 2 ]; then
			vexctl query $c/c --like $c/c/f0 -k 3 >/tmp/query.out 2>&1 ||
				ann_fail "$what" /tmp/query.out "read-only, a query failed:" ||
				return 1
		fi
	fi
	umount $c
	# The replay wrote the device; the recovery is finished (as ext4
	# does on a read-only mount), not left pending for the next mount.
	if vexctl info "$loop" | grep -q 'features:.*needs_recovery'; then
		ann_fail "$what" "" "needs_recovery still set after the read-only mount's replay"
		return 1
	fi
	fsck.vexfs -fn "$loop" >/tmp/fsck.out 2>&1 ||
		ann_fail "$what" /tmp/fsck.out "fsck.vexfs -fn after the read-only recovery:" ||
		return 1
	mount -t vexfs "$loop" $c 2>/tmp/mount.err ||
		ann_fail "$what" /tmp/mount.err "read-write mount failed" || return 1
	got=-
	if [ "$acked" -ge 1 ]; then
		want=none
		[ "$count" -ge 1024 ] && want=ready
		got=$(anntest wait $c/c 2>&1)
		[ "$got" = $want ] ||
			ann_fail "$what" "" "$count vectors, the index ends \"$got\", want $want" ||
			return 1
		anntest census $c/c >/tmp/census.out 2>&1 ||
			ann_fail "$what" /tmp/census.out \
				"a vector is not counted or not indexed once:" || return 1
		if [ $want = ready ]; then
			anntest recall $c/c 10 64 20 $aseed 0.9 >/tmp/recall.out 2>&1 ||
				ann_fail "$what" /tmp/recall.out \
					"queries by the rebuilt index:" || return 1
			aready=$((aready + 1))
		fi
	fi
	echo "crash-ann: $what: $count vectors, read-only ${st%% *}, then $got"
	umount $c
	fsck.vexfs -fn "$loop" >/tmp/fsck.out 2>&1 ||
		ann_fail "$what" /tmp/fsck.out "fsck.vexfs -fn after recovery:" ||
		return 1
	return 0
}

ann_import_crash() {
	echo "crash-ann: $ANN_BATCHES batches of $ANN_BATCH vectors, dim $ANN_DIM, data seed $aseed"
	check ann_mkfs mkfs.vexfs -q /dev/vdc
	dd if=/dev/vdc of=/tmp/abase.img bs=1M 2>/dev/null
	dev=$(crashtool dm-create lwa /dev/vdc /dev/vdb) ||
		{ fail ann_dm_create; return; }
	check ann_mount_on_log_writes mount -t vexfs "$dev" $t
	start=$(date +%s)
	crashtool mark lwa b1
	mkdir $t/c
	check ann_collection vexctl collection create $t/c --dim $ANN_DIM --metric l2
	sync
	crashtool mark lwa a1
	k=2 bad=0
	while [ $k -le $((ANN_BATCHES + 1)) ]; do
		crashtool mark lwa b$k
		anntest load $t/c $(( (k - 2) * ANN_BATCH )) $ANN_BATCH $ANN_DIM \
			$aseed || bad=1
		sync
		crashtool mark lwa a$k
		k=$((k + 1))
	done
	check_eq ann_import "$bad" 0
	check_out ann_index_ready_after_import ready anntest wait $t/c
	echo "crash-ann: import took $(( $(date +%s) - start )) s"
	check ann_umount umount $t
	check ann_dm_remove crashtool dm-remove lwa

	crashtool points /dev/vdb "$seed" "$annrandom" "$annflush" >/tmp/apoints ||
		{ fail ann_points; return; }
	anpoints=$(wc -l </tmp/apoints)
	echo "crash-ann: $anpoints crash points of $(tail -n 1 /tmp/apoints | cut -d' ' -f1) log entries"
	cp /tmp/abase.img /tmp/acursor.img
	prev=0 aok=0 abad=0 astale=0 aready=0 amid=0 ro_dev_checked=no
	while read -r entries acked inflight; do
		crashtool replay /dev/vdb /tmp/acursor.img "$prev" "$entries" ||
			{ fail "ann_replay_$entries"; return; }
		prev=$entries
		[ "$acked" -ge 2 ] && [ "$acked" -le "$ANN_BATCHES" ] &&
			amid=$((amid + 1))
		cp /tmp/acursor.img /tmp/ascratch.img
		loop=$(losetup -f)
		losetup "$loop" /tmp/ascratch.img || { fail ann_losetup; return; }
		if ann_point_check "point $entries (acked $acked, in flight $inflight)" \
			"$acked" "$inflight"; then
			aok=$((aok + 1))
		else
			abad=$((abad + 1))
		fi
		losetup -d "$loop"
	done </tmp/apoints
	rm -f /tmp/abase.img /tmp/acursor.img /tmp/ascratch.img
	echo "crash-ann: $aok of $anpoints crash points clean, $abad failed, $astale found the index stale, $aready rebuilt to ready (seed $seed)"
	check_eq ann_ro_device_checked "$ro_dev_checked" yes
	check_eq ann_crash_points_all_consistent "$abad" 0
	check_eq ann_crash_points_mid_import "$([ "$amid" -ge 4 ] && echo yes || echo "only $amid")" yes
	check_eq ann_crash_points_with_stale_index "$([ "$astale" -ge 1 ] && echo yes || echo none)" yes
	check_eq ann_crash_points_rebuilt "$([ "$aready" -ge 2 ] && echo yes || echo "only $aready")" yes
}
ann_import_crash

# The workload's operations take about 10 ms each in a TCG guest (a
# cache=unsafe disk): a shutdown up to 15 ms after an acknowledgement in
# its first half lands inside it, in the operation that follows or soon
# after.
SHUT_OPS=24

# shutdown_point I FLAG: one shutdown of a workload on vdd.
shutdown_point() {
	i=$1 flag=$2
	sseed=$((seed * 8 + i))
	at=$(( (seed * 7 + i * 5) % (SHUT_OPS / 2) + 1 ))
	delay=$(( (seed * 11 + i * 37) % 16 ))
	what="shutdown $i ($flag, $delay ms after operation $at, workload seed $sseed)"
	if ! mkfs.vexfs -q -F /dev/vdd || ! mount -t vexfs /dev/vdd $t; then
		echo "FAIL-DETAIL: $what: mkfs or mount failed"
		return 1
	fi
	rm -f /tmp/smarks /tmp/smodel
	crashtool workload $t /tmp/smarks $sseed $SHUT_OPS /tmp/smodel \
		>/tmp/sworkload.out 2>&1 &
	wl=$!
	crashtool shutdown $t /tmp/smarks $at $delay $flag >/tmp/sdown.out 2>&1
	src=$?
	wait $wl
	wrc=$?
	if [ $src -ne 0 ]; then
		echo "FAIL-DETAIL: $what: the shutdown failed:"
		cat /tmp/sdown.out
		umount $t
		return 1
	fi
	# Stopped by the shutdown (EIO), or finished first.
	if [ $wrc -ne 0 ] && ! grep -q 'Input/output error' /tmp/sworkload.out; then
		echo "FAIL-DETAIL: $what: the workload failed otherwise:"
		head -5 /tmp/sworkload.out
		umount $t
		return 1
	fi
	[ $wrc -ne 0 ] && scut=$((scut + 1))
	if ! umount $t; then
		echo "FAIL-DETAIL: $what: umount after the shutdown failed"
		return 1
	fi
	set -- $(crashtool marks /tmp/smarks)
	acked=$1 inflight=$2
	what="$what, acked $acked, in flight $inflight"
	# What the disk holds now is the crash image, for the userspace replay.
	dd if=/dev/vdd of=/tmp/cursor.img bs=1M 2>/dev/null
	if ! mount -t vexfs /dev/vdd $c 2>/tmp/mount.err; then
		echo "FAIL-DETAIL: $what: mount failed: $(cat /tmp/mount.err)"
		dmesg | tail -5
		return 1
	fi
	if ! crashtool verify $c /tmp/smodel "$acked" "$inflight"; then
		echo "FAIL-DETAIL: $what: verification failed"
		umount $c
		return 1
	fi
	# The userspace replay too, where the journal was not flushed first
	# (it costs seconds; the default flag leaves little to replay).
	if [ $flag != default ]; then
		fsck_replay_matches "$what" || { umount $c; return 1; }
		sxok=$((sxok + 1))
	fi
	umount $c
	if ! fsck.vexfs -fn /dev/vdd >/tmp/fsck.out 2>&1; then
		echo "FAIL-DETAIL: $what: fsck.vexfs -fn after recovery:"
		head -20 /tmp/fsck.out
		return 1
	fi
	echo "crash-shutdown: $what: clean"
	return 0
}

shutdown_crash() {
	start=$(date +%s)
	sok=0 sbad=0 scut=0 sxok=0 i=0
	while [ $i -lt "$shutdowns" ]; do
		case $((i % 4)) in
		0) flag=default ;;
		1) flag=logflush ;;
		2) flag=nologflush ;;
		*) set -- default logflush nologflush
		   shift $(( (seed + i) % 3 ))
		   flag=$1 ;;
		esac
		i=$((i + 1))
		if shutdown_point $i $flag; then
			sok=$((sok + 1))
		else
			sbad=$((sbad + 1))
		fi
	done
	echo "crash-shutdown: $sok of $shutdowns shutdowns clean, $sbad failed, $scut cut the workload short, $sxok compared with the userspace replay (seed $seed), $(( $(date +%s) - start )) s"
	check_eq shutdown_points_all_consistent "$sbad" 0
	# A shutdown that came after the workload's end proves little.
	check_eq shutdown_cut_workloads "$([ "$scut" -ge $((shutdowns / 2)) ] && echo yes || echo "only $scut")" yes
}
[ "$shutdowns" -gt 0 ] && shutdown_crash
finish
