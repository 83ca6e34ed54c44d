# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# suite.sh - what every VM suite's run.sh does before and after its own
# steps.  Source it (bash) with the suite's name:
#
#   . "$(dirname "$0")/../vm/suite.sh" ann
#   suite_kernels "$@"            # run.sh [KVER...]
#   suite_build_tools             # the static tools and tests/vm/progs
#   suite_prog anntest "$here/anntest.c" -lm
#   ann_kernel() {
#           local kver=$1 series=$2
#           suite_module "$kver" "$series/ann/module_builds" || return 1
#           ...
#   }
#   suite_each_kernel ann_kernel  # exits 1 if any kernel failed
#
# It sets `set -uo pipefail` and these variables:
#   top    the tree
#   vm     tests/vm (run-vm.sh, build-module.sh, progs, guest)
#   here   tests/NAME
#   work   build/NAME, or WORK (a path in the tree): made if missing
#   suite  NAME, which the setup failure lines carry
#   failed 0
# and sources each-kernel.sh (each_kernel) and kernel-lib.sh
# (kernel_root, kernel_series).  The PASS:/FAIL: names are the suite's:
# it passes them to suite_module and prints its own.

set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vm=$top/tests/vm
# shellcheck source=tests/vm/each-kernel.sh
. "$vm/each-kernel.sh"

# suite_init NAME [WORK]: the suite's variables; called on sourcing with
# the arguments given to `.`.
# shellcheck disable=SC2034 # here, work and failed are the suite's
suite_init() {
	suite=${1:?usage: suite_init NAME [WORK]}
	here=$top/tests/$suite
	work=$top/${2:-build/$suite}
	failed=0
	mkdir -p "$work"
}

# fail_setup WHAT: the suite cannot run at all.  One FAIL line names the
# step (NAME/setup), and the script exits 1.
fail_setup() {
	echo "FAIL: $suite/setup ($*)"
	exit 1
}

# suite_kernels [KVER...]: run on the kernels given, if any, instead of
# those tests/vm/kernels.sh names ($VEXFS_KERNELS, or Debian 12's two).
suite_kernels() {
	[ $# -eq 0 ] || export VEXFS_KERNELS="$*"
}

# suite_build_userspace: mkfs.vexfs, fsck.vexfs, vexctl and libvexfs.a,
# static too, for the guest.
suite_build_userspace() {
	make -s -C "$top/userspace" all static >/dev/null ||
		fail_setup "userspace build"
}

# suite_build_tools: the above, and the guest's test programs
# (tests/vm/progs: busybox, xattr, fsx, ...).
suite_build_tools() {
	suite_build_userspace
	make -s -C "$vm/progs" >/dev/null || fail_setup "test programs"
}

# suite_prog NAME SOURCE [GCC-ARGS...]: a static test program for the
# guest, $work/NAME, with warnings as errors and the format headers.
suite_prog() {
	local name=$1 src=$2
	shift 2
	gcc -O2 -Wall -Wextra -Werror -static -I"$top/include" \
		-o "$work/$name" "$src" "$@" || fail_setup "$name"
}

# suite_tool [-static] NAME SOURCE [GCC-ARGS...]: a program linked to
# libvexfs (tests/fsck/tools, tests/tools), $work/NAME; -static for one
# that runs in the guest.  suite_build_userspace must have run.
suite_tool() {
	local static=() name src
	if [ "$1" = -static ]; then
		static=(-static)
		shift
	fi
	name=$1 src=$2
	shift 2
	gcc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE "${static[@]}" \
		-I"$top/include" -I"$top/userspace/lib" -o "$work/$name" "$src" \
		"$top/userspace/lib/libvexfs.a" "$@" || fail_setup "$name"
}

# suite_module KVER NAME: vexfs.ko for KVER (build/KVER/vexfs.ko), or a
# FAIL: NAME line and status 1.
suite_module() {
	if ! "$vm/build-module.sh" "$1" >/dev/null; then
		echo "FAIL: $2"
		return 1
	fi
}

# suite_image PATH SIZE: a fresh sparse file of SIZE (truncate's units).
suite_image() {
	rm -f "$1"
	truncate -s "$2" "$1"
}

# suite_each_kernel FUNCTION: FUNCTION KVER SERIES for every kernel, side
# by side (each-kernel.sh), then exit: 1 if the suite or any kernel's run
# failed, else 0.
suite_each_kernel() {
	each_kernel "$1" || failed=1
	exit "$failed"
}

suite_init "$@"
