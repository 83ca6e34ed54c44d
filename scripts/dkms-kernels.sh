#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-kernels.sh - build and install vexfs.ko with DKMS for every kernel
# whose headers are installed, and never fail because of one kernel.
#
#   dkms-kernels.sh VERSION
#
# Run by the packages' scripts after `dkms add` (debian/vexfs-dkms.postinst
# after dh_dkms's snippet, the spec's %post), from the DKMS source tree
# /usr/src/vexfs-VERSION/scripts/.  DKMS's own Debian postinst
# (/usr/lib/dkms/common.postinst, every dkms from 2.8 to 3.2) stops at the
# first kernel whose build fails and exits non-zero, which leaves the
# package half-configured and every later apt run failing.  This script
# goes on with the other kernels and then, for each kernel:
#
#   installed already, or built now      nothing to say
#   outside BUILD_EXCLUSIVE_KERNEL       one line: not built, outside the range
#   its build failed                     an ERROR naming the kernel and a
#                                        copy of its make.log, kept in
#                                        /var/log/vexfs-dkms/KVER.make.log
#                                        (DKMS's own is overwritten by the
#                                        next kernel's build)
#
# It exits 0 whatever the builds did: a failed build is loud, not fatal.
set -euo pipefail

name=vexfs
logdir=/var/log/vexfs-dkms
failed=()

say() {
	echo "vexfs-dkms: $*"
}

# The kernel a failed build's make.log (first line) was for.
log_kernel() {
	awk 'NR == 1 { for (i = 1; i < NF; i++) if ($i == "kernel") print $(i + 1); exit }' "$1"
}

# in_range VERSION KVER: whether dkms.conf's BUILD_EXCLUSIVE_KERNEL admits KVER.
in_range() {
	local re
	re=$(kernelver=$2 bash -c '. "$1" >/dev/null 2>&1; echo "${BUILD_EXCLUSIVE_KERNEL:-}"' \
		in_range "/usr/src/$name-$1/dkms.conf")
	[ -z "$re" ] || [[ $2 =~ $re ]]
}

installed() {
	local st
	st=$(dkms status -m "$name" -v "$1" -k "$2" 2>/dev/null) || return 1
	[[ $st == *": installed"* ]]
}

# keep_log VERSION KVER: save the failed build's make.log before the next
# build overwrites it, and remember the failure.
keep_log() {
	local log=/var/lib/dkms/$name/$1/build/make.log
	mkdir -p "$logdir"
	if [ -f "$log" ]; then
		cp "$log" "$logdir/$2.make.log"
	else
		echo "DKMS left no make.log for $2" >"$logdir/$2.make.log"
	fi
	failed+=("$2")
}

main() {
	local version=${1:?usage: dkms-kernels.sh VERSION} build kver rc tried=
	rm -rf "$logdir"
	# A build the caller's DKMS postinst ran and that failed (it stops there).
	if [ -f "/var/lib/dkms/$name/$version/build/make.log" ]; then
		tried=$(log_kernel "/var/lib/dkms/$name/$version/build/make.log")
		if [ -n "$tried" ] && ! installed "$version" "$tried"; then
			keep_log "$version" "$tried"
		fi
	fi
	for build in /lib/modules/*/build; do
		[ -e "$build/include" ] || continue
		kver=${build%/build}
		kver=${kver##*/}
		if ! in_range "$version" "$kver"; then
			say "Linux $kver is outside the tested range (5.10, and 6.1 to 7.3, on x86-64): vexfs is not built for it"
			continue
		fi
		[ "$kver" != "$tried" ] || continue
		installed "$version" "$kver" && continue
		rc=0
		dkms install -m "$name" -v "$version" -k "$kver" || rc=$?
		case $rc in
		0) ;;
		9 | 77) say "DKMS skipped Linux $kver (BUILD_EXCLUSIVE in dkms.conf)" ;;
		*) keep_log "$version" "$kver" ;;
		esac
	done
	for kver in "${failed[@]}"; do
		say "ERROR: vexfs $version did not build for Linux $kver; see $logdir/$kver.make.log" >&2
	done
	if [ ${#failed[@]} -gt 0 ]; then
		say "vexfs cannot be used with the kernel(s) above; the package is installed and the other kernels have the module" >&2
	fi
	return 0
}

main "$@"
