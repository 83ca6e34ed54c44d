#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - large buffered writes (the batched allocation of
# src/file.c) on every kernel kernels.sh names (or those given):
# tests/bigwrite/guest.sh with the static test program bigwrite.c, one
# boot per kernel.  Prints PASS:/FAIL: lines.

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" bigwrite
suite_kernels "$@"
suite_build_tools
suite_prog bigwrite "$here/bigwrite.c"

bigwrite_kernel() {
	local kver=$1 series=$2 disk
	suite_module "$kver" "$series/bigwrite/module_builds" || return 1
	disk=$work/disk-$series.img
	suite_image "$disk" 160M
	"$vm/run-vm.sh" -k "$kver" -t 900 -l "$top/build/console-bigwrite-$kver.log" \
		-b "$work/bigwrite" -d "$disk" "$here/guest.sh" /dev/vda
	local rc=$?
	rm -f "$disk"
	return $rc
}

suite_each_kernel bigwrite_kernel
