#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - VexFS on a device that drops or refuses writes
# (dm-flakey), with ext4 in the same guest as the control, on every kernel
# kernels.sh names (or those given): tests/flakey/guest.sh, one boot per
# kernel.  Prints PASS:/FAIL: lines.

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" flakey
suite_kernels "$@"
suite_build_tools
suite_prog godown "$here/godown.c"
# The guest's dmsetup, mkfs.ext4 and e2fsck are this machine's (dynamic:
# run-vm.sh -b brings their libraries).
dmsetup=$(command -v dmsetup) || fail_setup "no dmsetup (apt-get install dmsetup)"
mke2fs=$(command -v mke2fs) || fail_setup "no mke2fs (e2fsprogs)"
e2fsck=$(command -v e2fsck) || fail_setup "no e2fsck (e2fsprogs)"

flakey_kernel() {
	local kver=$1 series=$2 vex ext rc=0
	suite_module "$kver" "$series/flakey/module_builds" || return 1
	# dm-flakey is a module of the kernel's own tree (kernel_root finds
	# it for an unpacked matrix kernel too); run-vm.sh -M copies it.
	if ! find "$(kernel_root "$kver")/lib/modules/$kver/kernel/drivers/md" \
		-name 'dm-flakey.ko*' | grep -q .; then
		echo "FAIL: $series/flakey/setup (no dm-flakey module for $kver)"
		return 1
	fi
	vex=$work/vexfs-$series.img ext=$work/ext4-$series.img
	suite_image "$vex" 64M
	suite_image "$ext" 64M
	"$vm/run-vm.sh" -k "$kver" -t 1500 -l "$top/build/console-flakey-$kver.log" \
		-M dm-flakey -M ext4 \
		-b "$dmsetup:/usr/sbin/dmsetup" -b "$mke2fs:/usr/sbin/mkfs.ext4" \
		-b "$e2fsck:/usr/sbin/e2fsck" -b /etc/mke2fs.conf:/etc/mke2fs.conf \
		-b "$work/godown" \
		-d "$vex" -d "$ext" "$here/guest.sh" /dev/vda /dev/vdb || rc=1
	rm -f "$vex" "$ext"
	return $rc
}

suite_each_kernel flakey_kernel
