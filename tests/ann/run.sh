#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - the ANN index suite, on every kernel kernels.sh names
# (or those given).
#
# Builds vexfs.ko, the static tools and the static guest program anntest,
# then per kernel boots three times on one disk:
#   1. guest/ann.sh run: build, recall (>= 0.9 with a fixed seed, every
#      distance exact), churn and concurrency checked against exact
#      search, compaction, rebuild, a clean remount, read-only use, fsck;
#   2. guest/ann.sh crash: a bulk import cut by an immediate reboot, which
#      must find the import still running (its progress file says so);
#   3. guest/ann.sh recover: the mount does not wait, queries are answered
#      meanwhile, the rebuilt index holds every vector, the synced ones
#      and the cut import's are compared with what was imported, fsck
#      is clean.
# Prints PASS:/FAIL: lines (via run-vm.sh).

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" ann
suite_kernels "$@"
suite_build_tools
suite_prog anntest "$here/anntest.c" -lm

# ann_kernel KVER SERIES: the three boots; runs beside the other kernel
# (tests/vm/each-kernel.sh).
ann_kernel() {
	local kver=$1 series=$2 failed=0 disk step
	suite_module "$kver" "$series/ann/module_builds" || return 1
	disk=$work/disk-$series.img
	suite_image "$disk" 256M
	for step in run crash recover; do
		"$vm/run-vm.sh" -k "$kver" -t 1200 \
			-l "$top/build/console-ann-$kver-$step.log" \
			-b "$work/anntest" -d "$disk" \
			"$here/guest/ann.sh" $step /dev/vda || failed=1
	done
	rm -f "$disk"
	return $failed
}

suite_each_kernel ann_kernel
