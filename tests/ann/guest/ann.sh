# SPDX-License-Identifier: GPL-2.0
#
# ann.sh run|crash|recover DEV - the ANN index of collections, in a guest.
#
# run:     build, recall, churn, concurrency, compaction, rebuild, a clean
#          remount that must find the index ready at once, read-only use,
#          small collections, fsck; then a queried collection deleted
#          and a new one indexed in its place;
# crash:   a bulk import interrupted by an immediate reboot (sysrq b: the
#          page cache, index blocks included, is lost as at a power cut);
#          the import's progress file must show it still running then;
# recover: the next boot: the mount does not wait for the index, queries
#          are answered meanwhile, the rebuilt index has every vector,
#          the synced vectors are each the one imported, and the cut
#          import left no wrong vector and did not complete.
. /tests/lib.sh

mode=$1 dev=$2
mnt=/mnt/ann
mkdir -p $mnt
modprobe vexfs

# The distance kernels chosen at load (src/simd.c): logged once, read
# back from the parameter; a variant forced on the command line
# (VEXFS_VM_APPEND="vexfs.simd=avx2", run-vm.sh) must be the one in use.
simd=$(cat /sys/module/vexfs/parameters/simd 2>/dev/null)
echo "# distance kernels: $simd; $(dmesg | grep -o 'distance kernels: .*' | tail -n 1)"
want=$(sed -n 's/.*vexfs\.simd=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
if [ "$mode" = run ]; then
	[ "$want" = auto ] && want=
	check_eq "the distance kernels are logged once at load" 1 \
		"$(dmesg | grep -c 'distance kernels: ')"
	check_eq "the distance kernels in use ($simd) are the ones asked for" \
		"${want:-$simd}" "$simd"
fi

# The crash step's import: files f2000..f51999, after 2000 synced ones.
# It is far longer than the crash step waits, however fast the machine,
# so the reboot always cuts it; the crash filesystem has inodes for it.
IMPORT_FIRST=2000 IMPORT_N=50000 CRASH_INODES=65536
progress=/tmp/import.progress

# imported: how many vectors the running import has stored so far (a
# progress file caught empty, as it is rewritten, counts as 0: a loaded
# host once had "sh: bad number" end the wait at once).
imported() {
	v=$(cat $progress 2>/dev/null)
	echo "${v:-0}"
}

# import_running PID: the import is alive and has vectors still to store.
import_running() {
	kill -0 "$1" 2>/dev/null && [ "$(imported)" -lt $IMPORT_N ]
}

# await_mid_import PID: return once the import has stored a first batch
# and run past a journal commit (5 s), so that the crash cuts committed
# and uncommitted work alike; fail if it ended or never got going.
await_mid_import() {
	t=0
	while [ $t -lt 60 ] && import_running "$1"; do
		[ $t -ge 6 ] && [ "$(imported)" -ge 256 ] && break
		sleep 1
		t=$((t + 1))
	done
	n=$(imported)
	if ! import_running "$1"; then
		fail "crash: the import ended before the reboot ($n of $IMPORT_N stored in $t s)"
	elif [ "$n" -lt 256 ]; then
		fail "crash: the import stored only $n vectors in $t s"
	elif [ "$n" -gt $((IMPORT_N / 2)) ]; then
		fail "crash: the import is too near its end to be cut for sure ($n of $IMPORT_N in $t s)"
	else
		pass "crash: after $t s the import is mid-way ($n of $IMPORT_N stored)"
	fi
}

case $mode in
run)
	fresh_vexfs $dev
	mount -t vexfs $dev $mnt || exit 1
	mkdir $mnt/c
	check "a collection with the default index tunables" \
		vexctl collection create $mnt/c --dim 32 --metric l2
	check "3000 vectors go in" anntest load $mnt/c 0 3000 32 7
	check_out "the index builds in the background and becomes ready" \
		"ready" anntest wait $mnt/c
	check_out "every vector is in the index" "live 3000 deleted 0" \
		anntest state $mnt/c
	check "recall@10 >= 0.9 at the default ef, distances exact" \
		anntest recall $mnt/c 10 0 200 7 0.90
	check "recall@10 >= 0.9 at ef 64" anntest recall $mnt/c 10 64 100 7 0.90
	check "recall@1 >= 0.9" anntest recall $mnt/c 1 64 100 7 0.90
	check "recall@10 >= 0.8 even at ef 10" \
		anntest recall $mnt/c 10 10 100 7 0.80
	check "inserts, updates, removals and unlinks keep it right" \
		anntest churn $mnt/c 3000 32 7 150
	check "queries run while vectors are inserted" \
		anntest concurrent $mnt/c 1000 32 7
	check "compaction drops the tombstones" anntest ctl $mnt/c compact
	check_out "no tombstone is left" "deleted 0" anntest state $mnt/c
	check "recall after compaction" anntest recall $mnt/c 10 64 100 7 0.90
	check "census: every embedding is indexed once" anntest census $mnt/c
	anntest load $mnt/c 90000 1 32 7
	check_out "a query says it used the index" "\"method\": \"index\"" \
		vexctl query $mnt/c --like $mnt/c/f90000 -k 1 --json
	check_out "an exact query says so" "\"method\": \"exact\"" \
		vexctl query $mnt/c --exact --like $mnt/c/f90000 -k 1 --json
	check_out "vexctl query --ef works" "f90000" \
		vexctl query $mnt/c --ef 100 --like $mnt/c/f90000 -k 1
	umount $mnt
	check "fsck finds the filesystem clean" fsck.vexfs -fn $dev
	mount -t vexfs $dev $mnt || exit 1
	check_out "after a clean unmount the index is ready at once" "ready" \
		anntest state $mnt/c
	check "and answers as before" anntest recall $mnt/c 10 64 100 7 0.90
	check "a rebuild on request" anntest ctl $mnt/c rebuild
	check_out "ends ready" "ready" anntest wait $mnt/c
	check "census after the rebuild" anntest census $mnt/c
	check "recall after the rebuild" anntest recall $mnt/c 10 64 100 7 0.90
	mkdir $mnt/c/sub
	for f in f100 f200 f300; do
		anntest load $mnt/c ${f#f} 1 32 7 >/dev/null	# (churn may have removed it)
		mv $mnt/c/$f $mnt/c/sub/
	done
	check_eq "a query on a subdirectory finds its 3 files, not the index's nearest elsewhere" \
		"$(vexctl query $mnt/c/sub --like $mnt/c/sub/f100 -k 5 | cut -f3 | sort | tr '\n' ' ')" \
		"f100 f200 f300 "
	mkdir $mnt/small
	vexctl collection create $mnt/small --dim 8 --metric l2 >/dev/null
	anntest load $mnt/small 0 100 8 3 >/dev/null
	check_out "a small collection has no index" "none live" \
		anntest state $mnt/small
	mount -o remount,ro $mnt
	check_out "read-only: the clean index is used" "ready" \
		anntest state $mnt/c
	check "read-only: queries by the index" \
		anntest recall $mnt/c 10 64 50 7 0.90
	umount $mnt
	check "fsck finds it clean after all that" fsck.vexfs -fn $dev
	# Deleting a collection whose index queries have pinned, then
	# building another one in the blocks it frees.
	mount -t vexfs $dev $mnt || exit 1
	anntest recall $mnt/c 10 64 50 7 0.90 >/dev/null
	check "a queried collection is deleted with its root" rm -rf $mnt/c
	mkdir $mnt/d
	vexctl collection create $mnt/d --dim 32 --metric l2 >/dev/null
	check "a new collection takes its place" anntest load $mnt/d 0 2000 32 9
	check_out "and gets an index of its own" "ready" anntest wait $mnt/d
	check "which answers" anntest recall $mnt/d 10 64 50 9 0.90
	umount $mnt
	check "fsck finds it clean after the deletion" fsck.vexfs -fn $dev
	;;
crash)
	fresh_vexfs $dev -N $CRASH_INODES
	mount -t vexfs $dev $mnt || exit 1
	mkdir $mnt/c
	vexctl collection create $mnt/c --dim 16 --metric l2 >/dev/null
	check "2000 vectors" anntest load $mnt/c 0 2000 16 7
	check_out "indexed" "ready" anntest wait $mnt/c
	sync
	rm -f $progress
	ANNTEST_PROGRESS=$progress \
		anntest load $mnt/c $IMPORT_FIRST $IMPORT_N 16 7 &
	pid=$!
	await_mid_import $pid
	# The harness reads this before the guest dies; it reads every line
	# up to the reboot, so the check below still counts.
	echo "VEXFS-GUEST-DONE rc=$failures" >/dev/ttyS1
	sleep 1		# let the serial line drain
	if import_running $pid; then
		pass "crash: the import is still running at the reboot ($(imported) of $IMPORT_N)"
	else
		fail "crash: the import ended before the reboot"
	fi
	sleep 1
	echo b >/proc/sysrq-trigger
	sleep 60
	;;
recover)
	t0=$(date +%s)
	check "the crashed filesystem mounts" mount -t vexfs $dev $mnt
	check_fails "the index is not trusted after the crash" \
		anntest expect $mnt/c ready
	check "queries are answered meanwhile (exactly)" \
		vexctl query $mnt/c --like $mnt/c/f0 -k 3
	check_out "the rebuild finishes" "ready" anntest wait $mnt/c
	check "no vector is lost: each embedding indexed once" \
		anntest census $mnt/c
	check "the 2000 synced vectors are there, each as imported" \
		anntest verify $mnt/c 0 2000 16 7
	check "the cut import left no wrong vector, and some not stored" \
		anntest verify $mnt/c $IMPORT_FIRST $IMPORT_N 16 7 cut
	check "recall after the rebuild" anntest recall $mnt/c 10 64 100 7 0.90
	umount $mnt
	check "fsck finds it clean" fsck.vexfs -fn $dev
	;;
esac
[ $failures = 0 ]
