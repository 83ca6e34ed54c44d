#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - large buffered writes (the batched allocation of
# src/file.c) on every kernel kernels.sh names (or those given):
# tests/bigwrite/guest.sh with the static test program bigwrite.c, one
# boot per kernel.  Prints PASS:/FAIL: lines.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/bigwrite
vm=$top/tests/vm
work=$top/build/bigwrite
failed=0
. "$vm/each-kernel.sh"

fail_setup() {
	echo "FAIL: bigwrite/setup ($*)"
	exit 1
}

mkdir -p "$work"
make -s -C "$top/userspace" all static >/dev/null || fail_setup "userspace build"
make -s -C "$vm/progs" >/dev/null || fail_setup "test programs"
gcc -O2 -Wall -Wextra -Werror -static -o "$work/bigwrite" "$here/bigwrite.c" ||
	fail_setup "bigwrite"

[ $# -eq 0 ] || export VEXFS_KERNELS="$*"

bigwrite_kernel() {
	local kver=$1 series=$2 disk
	if ! "$vm/build-module.sh" "$kver" >/dev/null; then
		echo "FAIL: $series/bigwrite/module_builds"
		return 1
	fi
	disk=$work/disk-$series.img
	rm -f "$disk"
	truncate -s 160M "$disk"
	"$vm/run-vm.sh" -k "$kver" -t 900 -l "$top/build/console-bigwrite-$kver.log" \
		-b "$work/bigwrite" -d "$disk" "$here/guest.sh" /dev/vda
	local rc=$?
	rm -f "$disk"
	return $rc
}

each_kernel bigwrite_kernel || failed=1
exit $failed
