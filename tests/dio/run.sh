#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - direct I/O (O_DIRECT) on every kernel kernels.sh names
# (or those given): tests/dio/guest.sh with the static test program
# odirect.c, one boot per kernel.  Prints PASS:/FAIL: lines.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/dio
vm=$top/tests/vm
work=$top/build/dio
failed=0
. "$vm/each-kernel.sh"

fail_setup() {
	echo "FAIL: dio/setup ($*)"
	exit 1
}

mkdir -p "$work"
make -s -C "$top/userspace" all static >/dev/null || fail_setup "userspace build"
make -s -C "$vm/progs" >/dev/null || fail_setup "test programs"
gcc -O2 -Wall -Wextra -Werror -static -o "$work/odirect" "$here/odirect.c" ||
	fail_setup "odirect"

[ $# -eq 0 ] || export VEXFS_KERNELS="$*"

dio_kernel() {
	local kver=$1 series=$2 disk
	if ! "$vm/build-module.sh" "$kver" >/dev/null; then
		echo "FAIL: $series/dio/module_builds"
		return 1
	fi
	disk=$work/disk-$series.img
	rm -f "$disk"
	truncate -s 256M "$disk"
	"$vm/run-vm.sh" -k "$kver" -t 900 -l "$top/build/console-dio-$kver.log" \
		-b "$work/odirect" -d "$disk" "$here/guest.sh" /dev/vda
	local rc=$?
	rm -f "$disk"
	return $rc
}

each_kernel dio_kernel || failed=1
exit $failed
