#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [-n POINTS] [-s SEED] - the crash-consistency suite, per kernel.
#
# One VM boot per kernel (see guest.sh): a workload on a dm-log-writes
# device, then at least POINTS crash points (default 64; every FLUSH/FUA
# write of the log plus random ones) are replayed, recovered, verified
# and checked with fsck.vexfs -n.  In the same boot, a bulk import into a
# vector collection is cut at CRASH_ANN_FLUSH (default 8) FLUSH/FUA points
# and CRASH_ANN_RANDOM (default 4) random ones, and each copy must keep
# every acknowledged vector and rebuild its index (guest.sh, part 4).
# Then CRASH_SHUTDOWNS (default 4) runs of the workload are stopped by
# FS_IOC_SHUTDOWN instead, with each flag, at moments the seed places,
# and judged as the replayed points are (guest.sh, part 5).
# The seed is printed; -s SEED (or CRASH_SEED) replays a run.
# `make crashtest N=1000` is a long run.

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" crash
points=${CRASH_POINTS:-64}
seed=${CRASH_SEED:-$(( $(date +%s) % 100000 ))}
annflush=${CRASH_ANN_FLUSH:-8}
annrandom=${CRASH_ANN_RANDOM:-4}
shutdowns=${CRASH_SHUTDOWNS:-4}

while getopts "n:s:" opt; do
	case $opt in
	n) points=$OPTARG ;;
	s) seed=$OPTARG ;;
	*) echo "usage: run.sh [-n POINTS] [-s SEED]" >&2; exit 2 ;;
	esac
done

# The workload makes about two flush points per operation.
ops=$(( points / 4 > 24 ? points / 4 : 24 ))
nrandom=$(( points / 2 > 16 ? points / 2 : 16 ))
timeout=$(( 900 + points * 4 + (annflush + annrandom) * 20 + shutdowns * 30 ))
echo "crash: seed $seed (rerun with CRASH_SEED=$seed), $ops operations, $nrandom random points"

suite_build_tools
suite_prog crashtool "$here/crashtool.c"
suite_prog anntest "$top/tests/ann/anntest.c" -lm
# The fsck fixtures' journal writer and damage tool, for the check that
# the writer's log is what the kernel's jbd2 replays.
for t in vexfs-journal vexfs-damage; do
	suite_tool -static "$t" "$top/tests/fsck/tools/$t.c"
done

# One kernel's boot, in files of its own (mods-KVER, *-SERIES); runs
# beside the other kernel (tests/vm/each-kernel.sh).
crash_kernel() {
	local kver=$1 series=$2 mods lw fs log ann shut rc=0

	suite_module "$kver" "$series/crash/module_builds" || return 1
	mods=$work/mods-$kver
	rm -rf "$mods"
	mkdir -p "$mods"
	cp "$top/build/$kver/vexfs.ko" "$mods/"
	lw=$(find "$(kernel_root "$kver")/lib/modules/$kver/kernel/drivers/md" \
		-name 'dm-log-writes.ko*' | head -n 1)
	if [ -z "$lw" ]; then
		echo "FAIL: $series/crash/setup (no dm-log-writes module for $kver)"
		return 1
	fi
	cp "$lw" "$mods/"

	fs=$work/fs-$series.img log=$work/log-$series.img
	ann=$work/ann-$series.img shut=$work/shutdown-$series.img
	rm -f "$fs" "$log" "$ann" "$shut"
	truncate -s 16M "$fs"
	truncate -s 2G "$log"
	truncate -s 32M "$ann"
	truncate -s 16M "$shut"
	if ! "$top/userspace/mkfs/mkfs.vexfs" -q "$fs"; then
		echo "FAIL: $series/crash/setup (mkfs)"
		return 1
	fi

	"$vm/run-vm.sh" -v -k "$kver" -m "$mods" -b "$work/crashtool" \
		-b "$work/vexfs-journal" -b "$work/vexfs-damage" -b "$work/anntest" \
		-d "$fs" -d "$log" -d "$ann" -d "$shut" -t "$timeout" \
		-l "$work/console-$series.log" "$top/tests/crash/guest.sh" \
		"$seed" "$ops" "$nrandom" "$annflush" "$annrandom" \
		"$shutdowns" || rc=1
	rm -f "$log" "$ann" "$shut"
	return $rc
}

suite_each_kernel crash_kernel
