#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - direct I/O (O_DIRECT) on every kernel kernels.sh names
# (or those given): tests/dio/guest.sh with the static test program
# odirect.c, one boot per kernel.  Prints PASS:/FAIL: lines.

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" dio
suite_kernels "$@"
suite_build_tools
suite_prog odirect "$here/odirect.c"

dio_kernel() {
	local kver=$1 series=$2 disk
	suite_module "$kver" "$series/dio/module_builds" || return 1
	disk=$work/disk-$series.img
	suite_image "$disk" 256M
	"$vm/run-vm.sh" -k "$kver" -t 900 -l "$top/build/console-dio-$kver.log" \
		-b "$work/odirect" -d "$disk" "$here/guest.sh" /dev/vda
	local rc=$?
	rm -f "$disk"
	return $rc
}

suite_each_kernel dio_kernel
