#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KVER...] - the vexfs Python package (userspace/python):
#   1. host: test_layout.py (every ctypes structure, field, request
#      number and constant against include/vexfs_uapi.h, through a
#      compiled C program) and test_host.py (import without the module,
#      help(), the errno mapping, a clear error off VexFS), with the
#      system's python3 and pytest;
#   2. on every kernel kernels.sh names (or those given), one guest boot:
#      guest.sh runs test_vexfs.py with pytest against the real module
#      (every call, every error mapping, permission filtering, the README
#      example, the LangChain-style store), with the host's Python
#      runtime on an ext4 image (pyroot.sh); fsck.vexfs -fn after.
# Prints PASS:/FAIL: lines (the guest's via run-vm.sh).

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" python
suite_kernels "$@"
py=/usr/bin/python3

# --- 1. host ---------------------------------------------------------------
host_results=$work/host-results
: >"$host_results"
VEXFS_RESULTS=$host_results VEXFS_RESULT_PREFIX=host/python/ \
	"$py" -m pytest -q -p no:cacheprovider "$here/test_layout.py" \
	"$here/test_host.py" >"$work/host-pytest.log" 2>&1
rc=$?
cat "$host_results"
if [ $rc -ne 0 ]; then
	echo "FAIL: host/python/pytest (exit $rc)"
	tail -n 40 "$work/host-pytest.log" | sed 's/^/    /'
	failed=1
fi

# --- 2. guests -------------------------------------------------------------
suite_build_userspace
"$here/pyroot.sh" "$work/pyroot.img" || fail_setup "pyroot.sh"

python_kernel() {
	local kver=$1 series=$2 disk pyroot f bins=()
	suite_module "$kver" "$series/python/module_builds" || return 1
	disk=$work/disk-$series.img
	pyroot=$work/pyroot-$series.img
	suite_image "$disk" 64M
	# A copy per kernel: QEMU locks its disk images, and the kernels
	# run side by side.
	cp --sparse=always "$work/pyroot.img" "$pyroot"
	bins=(-b "$(readlink -f "$py"):/usr/bin/python3")
	for f in "$top"/userspace/python/vexfs/*.py; do
		bins+=(-b "$f:/opt/vexfs/vexfs/${f##*/}")
	done
	for f in conftest.py test_vexfs.py readme_example.py; do
		bins+=(-b "$here/$f:/opt/vexfs-tests/$f")
	done
	"$vm/run-vm.sh" ${VEXFS_VERBOSE:+-v} -k "$kver" -t 600 -M ext4 \
		-l "$top/build/console-python-$kver.log" "${bins[@]}" \
		-d "$disk" -d "$pyroot" "$here/guest.sh" /dev/vda /dev/vdb
	local rc=$?
	rm -f "$pyroot"
	[ "$rc" -ne 0 ] || rm -f "$disk"
	return "$rc"
}

suite_each_kernel python_kernel
