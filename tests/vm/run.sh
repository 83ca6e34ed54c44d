#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the VM suites, on every kernel kernels.sh names.
#
# Builds vexfs.ko for each kernel, the static tools and test programs,
# prepares the disk images on the host, then per kernel boots:
#   1. foundation.sh, files.sh, dir_semantics.sh, persist.sh write,
#      attrs.sh, flush.sh, overlay.sh, maps.sh (with filefrag, fstrim,
#      fsfreeze and GNU cp from this machine), chattr.sh (with
#      e2fsprogs' chattr and lsattr) and punch.sh,
#   2. a second, fresh boot on the same persistence disk: persist.sh verify.
# Prints PASS:/FAIL: lines (via run-vm.sh) and the boot time per kernel.

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/suite.sh" vm build
suite_build_tools
suite_tool vexfs-patch "$top/tests/tools/vexfs-patch.c"

mkfs=$top/userspace/mkfs/mkfs.vexfs
patch=$work/vexfs-patch

# image NAME SIZE: a fresh sparse image file
image() {
	rm -f "$disks/$1.img"
	truncate -s "$2" "$disks/$1.img"
	echo "$disks/$1.img"
}

# damaged NAME PATCH...: a small filesystem with its superblock patched
damaged() {
	local img
	img=$(image "$1" 64M)
	shift
	"$mkfs" -q "$img" && "$patch" "$img" "$@" || fail_setup "image $img"
}

prepare_foundation_disks() {
	clean=$(image clean 64M)
	"$mkfs" -q -L clean "$clean" || fail_setup "mkfs clean"
	data_kb=$(("$(cut -d, -f6 <<<"$("$top/userspace/vexctl/vexctl" info --json "$clean")" |
		tr -dc 0-9)" * 4))
	blank=$(image blank 64M)
	damaged badmagic sb:0:4=0x12345678
	damaged badcsum --keep-csum sb:0x50:1=^0x20
	damaged incompat sb:0x38:4=0x103
	damaged newmajor sb:0x8:2=2
	damaged badbs sb:0xc:4=8192
	image truncated 64M >/dev/null
	"$mkfs" -q "$disks/truncated.img" && truncate -s 32M "$disks/truncated.img"
	ext4=$(image ext4 64M)
	mkfs.ext4 -q -F "$ext4" >/dev/null 2>&1 || fail_setup "mkfs.ext4"
}

# run_kernel KVER SERIES: build the module, boot the suites, boot again
# to verify persistence.  Runs beside the other kernel (each-kernel.sh).
run_kernel() {
	local kver=$1 series=$2 failed=0
	disks=$top/build/vm-disks/$series
	mkdir -p "$disks"
	suite_module "$kver" "$series/module_builds_without_warnings" || return 1
	echo "PASS: $series/module_builds_without_warnings"

	prepare_foundation_disks
	scratch_dir=$(image scratch-dir 1G)
	scratch_files=$(image scratch-files 512M)
	persist=$(image persist 128M)
	scratch_attrs=$(image scratch-attrs 256M)
	scratch_flush=$(image scratch-flush 128M)
	scratch_overlay=$(image scratch-overlay 64M)
	overlay_ext4=$(image overlay-ext4 64M)
	mkfs.ext4 -q -F "$overlay_ext4" >/dev/null 2>&1 || fail_setup "mkfs.ext4 overlay"
	scratch_maps=$(image scratch-maps 256M)
	maps_ext4=$(image maps-ext4 64M)
	mkfs.ext4 -q -F -b 4096 "$maps_ext4" >/dev/null 2>&1 || fail_setup "mkfs.ext4 maps"
	scratch_chattr=$(image scratch-chattr 64M)
	chattr_ext4=$(image chattr-ext4 64M)
	mkfs.ext4 -q -F "$chattr_ext4" >/dev/null 2>&1 || fail_setup "mkfs.ext4 chattr"
	# punch.sh compares with ext4 at both block sizes it runs with.
	scratch_punch=$(image scratch-punch 256M)
	punch_ext4_4k=$(image punch-ext4-4k 256M)
	punch_ext4_1k=$(image punch-ext4-1k 256M)
	mkfs.ext4 -q -F -b 4096 "$punch_ext4_4k" >/dev/null 2>&1 || fail_setup "mkfs.ext4 punch 4k"
	mkfs.ext4 -q -F -b 1024 "$punch_ext4_1k" >/dev/null 2>&1 || fail_setup "mkfs.ext4 punch 1k"

	# One boot for the suites: each script gets its own disks.
	cat >"$disks/suite.sh" <<SUITE
rc=0
sh /tests/foundation.sh /dev/vda /dev/vdb $data_kb /dev/vdc /dev/vdd /dev/vde /dev/vdf /dev/vdg /dev/vdh /dev/vdi || rc=1
sh /tests/files.sh /dev/vdk || rc=1
sh /tests/dir_semantics.sh /dev/vdj || rc=1
sh /tests/persist.sh write /dev/vdl || rc=1
sh /tests/attrs.sh /dev/vdm || rc=1
sh /tests/flush.sh /dev/vdn || rc=1
sh /tests/overlay.sh /dev/vdo /dev/vdp || rc=1
sh /tests/maps.sh /dev/vdq /dev/vdr || rc=1
sh /tests/chattr.sh /dev/vds /dev/vdt || rc=1
sh /tests/punch.sh /dev/vdu /dev/vdv /dev/vdw || rc=1
exit \$rc
SUITE
	t0=$(date +%s)
	"$vm/run-vm.sh" -k "$kver" -t 2400 -l "$top/build/console-$kver.log" \
		-d "$clean" -d "$blank" -d "$disks/badmagic.img" \
		-d "$disks/badcsum.img" -d "$disks/incompat.img" \
		-d "$disks/newmajor.img" -d "$disks/badbs.img" \
		-d "$disks/truncated.img" -d "$ext4" -d "$scratch_dir" \
		-d "$scratch_files" -d "$persist" -d "$scratch_attrs" \
		-d "$scratch_flush" -d "$scratch_overlay" -d "$overlay_ext4" \
		-D "$scratch_maps" -N "$maps_ext4" -b /usr/sbin/filefrag \
		-b /usr/sbin/fstrim:/usr/local/bin/util-fstrim \
		-b /usr/sbin/fsfreeze:/usr/local/bin/util-fsfreeze \
		-b /usr/bin/cp:/usr/local/bin/gcp \
		-d "$scratch_chattr" -d "$chattr_ext4" \
		-b "$(command -v chattr)" -b "$(command -v lsattr)" \
		-d "$scratch_punch" -d "$punch_ext4_4k" -d "$punch_ext4_1k" \
		-M overlay -M ext4 "$disks/suite.sh" || failed=1
	echo "vm: $series suites took $(($(date +%s) - t0)) s" >&2

	# A fresh boot proves the data is on the disk, not in a cache.
	cat >"$disks/verify.sh" <<'VERIFY'
sh /tests/persist.sh verify /dev/vda
VERIFY
	t0=$(date +%s)
	"$vm/run-vm.sh" -k "$kver" -t 300 -l "$top/build/console-$kver-reboot.log" \
		-d "$persist" "$disks/verify.sh" || failed=1
	echo "vm: $series boot + persistence check took $(($(date +%s) - t0)) s" >&2
	rm -f "$disks"/*.img
	return $failed
}

suite_each_kernel run_kernel
