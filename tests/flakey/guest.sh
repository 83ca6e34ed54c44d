# SPDX-License-Identifier: GPL-2.0
#
# guest.sh VEXDEV EXTDEV - a device that drops or refuses writes, in the VM
# (tests/flakey/run.sh).
#
# For each filesystem (vexfs on VEXDEV, ext4 on EXTDEV as the control),
# each way of failing (dm-flakey's drop_writes: writes are acknowledged
# and lost; error_writes: they fail with EIO) and each moment (data: the
# switch lands while file data is dirty; metadata: directory operations
# run after it; commit: a journal commit is forced after it):
#
#   mkfs, mount through a dm-flakey device that passes everything, write
#   files and fsync them, do the moment's work, switch the table to drop
#   or refuse writes (dmsetup suspend --nolockfs/load/resume, as xfstests'
#   dmflakey does), do the rest of it, unmount (bounded: a stall dumps the
#   blocked tasks and fails), switch back, mount (journal recovery), and
#   require every file fsynced before the switch with its contents; then
#   fsck (fsck.vexfs -fn, e2fsck -fn) must find nothing.
# With error_writes the filesystem must notice: an fsync after the switch
# fails, and the errors= policy (remount-ro) applies.
#
# FS_IOC_SHUTDOWN (godown), each flag during a write workload, on both
# filesystems: afterwards reads, creates and writes fail (EIO on VexFS),
# unmount completes, and the next mount has every file fsynced before;
# with the default flag also the data written and not fsynced, with
# LOGFLUSH the running transaction's files.
. /tests/lib.sh

vexdev=$1 extdev=$2
m=/mnt/flakey
dm=flakey
mkdir -p $m
export DM_DISABLE_UDEV=1

# bounded NAME SECS CMD...: run CMD; if it has not finished after SECS
# seconds, FAIL NAME with the stacks of the blocked tasks (the stall is
# the bug) and return 124.  Otherwise return CMD's status.
bounded() {
	b_name=$1 b_secs=$2
	shift 2
	"$@" >/tmp/bounded.out 2>&1 &
	b_pid=$!
	b_n=0
	while kill -0 $b_pid 2>/dev/null; do
		if [ $b_n -ge $((b_secs * 10)) ]; then
			fail "$b_name (still running after ${b_secs}s)"
			for p in /proc/[0-9]*; do
				grep -q '^State:.*D' $p/status 2>/dev/null || continue
				echo "    blocked: $(cat $p/comm) (pid ${p#/proc/})"
				sed 's/^/      /' $p/stack 2>/dev/null
			done
			return 124
		fi
		sleep 0.1
		b_n=$((b_n + 1))
	done
	wait $b_pid
}

# returns NAME SECS CMD...: PASS if CMD finishes in time, whether or not
# it succeeds (a failing device may make it fail, never hang); a stall
# ends the run, since the stuck task holds the device.
returns() {
	r_name=$1
	bounded "$@"
	[ $? = 124 ] && finish
	pass "$r_name"
}

# table MODE: the dm-flakey table over the current device; "up" passes
# everything, "drop_writes" and "error_writes" are down all the time.
table() {
	sz=$(blockdev --getsz "$dev")
	case $1 in
	up) echo "0 $sz flakey $dev 0 1 0" ;;
	*) echo "0 $sz flakey $dev 0 0 1 1 $1" ;;
	esac
}

switch_to() {
	dmsetup suspend --nolockfs $dm &&
		dmsetup load $dm --table "$(table "$1")" &&
		dmsetup resume $dm
}

mkfs_on() {
	case $fs in
	vexfs) mkfs.vexfs -q -F "$dev" ;;
	ext4) mkfs.ext4 -q -F "$dev" >/dev/null ;;
	esac
}

fsck_on() {
	case $fs in
	vexfs) fsck.vexfs -fn "$dev" ;;
	ext4) e2fsck -fn "$dev" ;;
	esac
}

# mkfile PATH KIB: a file of random contents, fsynced, remembered.
mkfile() {
	dd if=/dev/urandom of=/tmp/src bs=1024 count=$2 2>/dev/null &&
		dd if=/tmp/src of="$1" bs=4096 conv=fsync 2>/dev/null &&
		echo "$(md5sum <"$1" | cut -d' ' -f1) ${1#$m/}" >>/tmp/want
}

# survivors: every fsynced file is there with its contents.
survivors() {
	while read -r sum name; do
		got=$(md5sum <"$m/$name" 2>/dev/null | cut -d' ' -f1)
		[ "$got" = "$sum" ] || { echo "$name: got '$got', want $sum"; return 1; }
	done </tmp/want
}

# The work before and after the switch, per moment.
before() {
	case $1 in
	data)
		# Dirty pages and delayed block allocation in the page cache.
		dd if=/dev/urandom of=$m/big bs=64k count=64 2>/dev/null
		dd if=/dev/urandom of=$m/d1/u1 bs=4k count=40 2>/dev/null
		;;
	metadata) ;;
	commit)
		# Operations in the running transaction, not yet committed.
		mkdir -p $m/c/x/y
		for i in 1 2 3 4 5 6 7 8; do : >$m/c/f$i; done
		mv $m/c/f1 $m/c/x/y/g1
		rm -f $m/c/f2
		ln $m/c/f3 $m/c/x/h3
		;;
	esac
}

after() {
	case $1 in
	data)
		dd if=/dev/urandom of=$m/big bs=64k count=16 seek=64 2>/dev/null
		sync $m/big
		;;
	metadata)
		mkdir -p $m/n/a/b
		for i in 1 2 3 4 5 6 7 8 9 10; do echo $i >$m/n/a/f$i; done
		mv $m/d1/s1 $m/n/moved
		mv $m/n/moved $m/d1/s1
		rm -f $m/n/a/f3
		ln -s s1 $m/d1/link
		sync $m/n/a/f1 $m/n/a $m/n
		;;
	commit)
		sync $m/c
		;;
	esac
	# Whatever the moment: an append to a file fsynced before.
	echo more >>$m/d1/s3
	sync $m/d1/s3
}

# scenario FS DEV MODE MOMENT
scenario() {
	fs=$1 dev=$2 mode=$3 moment=$4
	n=flakey/$fs/$mode/$moment
	: >/tmp/want
	mkfs_on || { fail "$n/mkfs"; return; }
	dmsetup create $dm --table "$(table up)" || { fail "$n/dmsetup_create"; return; }
	opts=
	[ $moment = commit ] && opts=-ocommit=60
	if ! mount -t $fs $opts /dev/mapper/$dm $m; then
		fail "$n/mount"
		dmsetup remove $dm
		return
	fi
	mkdir $m/d1 && sync $m
	mkfile $m/d1/s1 4 && mkfile $m/d1/s2 200 && mkfile $m/d1/s3 16 &&
		mkfile $m/top 64 && sync $m/d1 $m
	check $n/fsynced_before_switch [ $(wc -l </tmp/want) = 4 ]
	# Files to cut down after the switch (not remembered): one of many
	# extents, a plain one, and one open when it loses its last link.
	i=0
	while [ $i -lt 160 ]; do
		dd if=/dev/urandom of=$m/frag bs=4k count=1 seek=$((i * 2)) conv=notrunc 2>/dev/null
		i=$((i + 1))
	done
	dd if=/dev/urandom of=$m/victim bs=64k count=16 2>/dev/null
	dd if=/dev/urandom of=$m/orphan bs=64k count=16 2>/dev/null
	sync
	exec 3<$m/orphan
	before $moment
	check $n/switch_to_$mode switch_to $mode

	after $moment >/tmp/after.out 2>&1
	rc=$?
	if [ $mode = error_writes ]; then
		# The failure reaches fsync, the journal is aborted, and
		# errors=remount-ro (the default) applies.
		check_fails $n/fsync_reports_eio sh -c "echo x >>$m/d1/s1 && sync $m/d1/s1"
		check_fails $n/dir_fsync_reports_eio sh -c "mkdir $m/probe && sync $m"
		check_fails $n/metadata_refused mkdir $m/after_error
		# ext4 applies its policy from a work item, later: only
		# VexFS is held to it here.
		[ $fs = vexfs ] &&
			check_out $n/errors_remount_ro " ro," grep " $m " /proc/mounts
	fi
	# Truncation and deletion run until done, or fail, whatever the
	# journal's state; the last close of an unlinked file deletes it.
	rm -f $m/orphan
	returns $n/truncate_returns 60 truncate -s 4096 $m/frag
	returns $n/unlink_returns 60 rm -f $m/victim
	exec 3<&-
	bounded $n/umount_completes 120 umount $m
	case $? in
	0) pass $n/umount_completes ;;
	124) echo "    (giving up: a stalled unmount holds the device)"
	     finish ;;
	*) fail $n/umount_completes; sed 's/^/    /' /tmp/bounded.out ;;
	esac

	check $n/switch_back switch_to up
	if bounded $n/remount 120 mount -t $fs /dev/mapper/$dm $m; then
		pass $n/remount
		check $n/fsynced_files_survive survivors
		bounded $n/umount_after_recovery 60 umount $m ||
			fail $n/umount_after_recovery
	elif [ $? = 124 ]; then
		finish
	else
		fail $n/remount
		sed 's/^/    /' /tmp/bounded.out
	fi
	dmsetup remove $dm || fail "$n/dmsetup_remove"
	check $n/fsck_clean fsck_on
}

# shutdown FS DEV FLAG: FS_IOC_SHUTDOWN during a write workload.
shutdown_case() {
	fs=$1 dev=$2 flag=$3
	n=shutdown/$fs/$flag
	: >/tmp/want
	mkfs_on || { fail "$n/mkfs"; return; }
	mount -t $fs "$dev" $m || { fail "$n/mount"; return; }
	mkdir $m/d1 && sync $m
	mkfile $m/d1/s1 8 && mkfile $m/d1/s2 100 && sync $m/d1 $m
	# The workload: files written one after another, never fsynced.
	( i=0; while [ $i -lt 400 ]; do
		dd if=/dev/zero of=$m/w$i bs=4k count=4 2>/dev/null || break
		i=$((i + 1))
	  done ) &
	wl=$!
	sleep 1
	# Written and closed before the shutdown, not fsynced.
	dd if=/dev/urandom of=/tmp/late bs=4k count=8 2>/dev/null
	cp /tmp/late $m/late
	check $n/ioctl godown $flag $m
	wait $wl
	check_fails $n/read_fails_eio cat $m/d1/s1
	check_fails $n/create_fails touch $m/new
	check_fails $n/write_fails sh -c "echo x >>$m/d1/s2"
	if [ $fs = vexfs ]; then
		check_err $n/read_is_eio 1 "Input/output error" cat $m/d1/s1
		check_fails $n/fsync_fails sync $m/d1/s2
	fi
	returns $n/umount_completes 120 umount $m
	if ! mount -t $fs "$dev" $m; then
		fail "$n/remount"
		return
	fi
	check $n/fsynced_files_survive survivors
	case $flag in
	default)
		# Everything written before the call was flushed.
		check_eq $n/unsynced_data_flushed \
			"$(md5sum <$m/late 2>&1 | cut -d' ' -f1)" \
			"$(md5sum </tmp/late | cut -d' ' -f1)" ;;
	logflush)
		# The running transaction was committed.
		check $n/running_transaction_committed [ -e $m/late ] ;;
	esac
	returns $n/umount_after_recovery 60 umount $m
	check $n/fsck_clean fsck_on
}

check flakey/modules_load sh -c 'modprobe vexfs && modprobe dm-flakey && modprobe ext4'
for mode in drop_writes error_writes; do
	for moment in data metadata commit; do
		scenario vexfs "$vexdev" $mode $moment
		scenario ext4 "$extdev" $mode $moment
	done
done
for flag in default logflush nologflush; do
	shutdown_case vexfs "$vexdev" $flag
	shutdown_case ext4 "$extdev" $flag
done
check_eq flakey/no_hung_tasks "$(dmesg_count 'blocked for more than')" 0
finish
