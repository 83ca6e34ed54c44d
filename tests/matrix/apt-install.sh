#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# apt-install.sh - the .debs of `make deb` install, build, work and go away
# cleanly on one Debian release, with that release's own apt and dkms.
#
#   tests/matrix/apt-install.sh [-k KVER]... RELEASE
#
# In the chroot of RELEASE (tests/matrix/chroot.sh), it proves:
#
#   fake_headers       two fake header trees are added: an in-range kernel
#                      (5.10.0-0vexfsfake-amd64) that cannot build, and an
#                      out-of-range one (7.9.0-vexfsfake-amd64)
#   apt_install        `apt-get install ./vexfs-dkms_*.deb ./vexfs-tools_*.deb`
#                      succeeds although one kernel's build fails
#   configured         dpkg --audit is empty and both packages are
#                      "install ok installed"
#   failure_reported   the failed kernel is named, with its kept make.log
#   out_of_range_skipped  the out-of-range kernel is skipped with a message
#   running_kernel_without_headers
#                      the kernel running (this machine's), which has no
#                      headers in the chroot, is skipped: dkms lists
#                      nothing for it (SKIP where the chroot has them)
#   dkms_installed_KVER, kernel_safe_checked_KVER
#                      for every real kernel of the chroot (all are in the
#                      range): DKMS built and installed vexfs, and its
#                      make.log has check-kernel-safe's "OK" line
#   later_apt_works    apt-get installs (and removes) another package
#   tools_run          mkfs.vexfs, fsck.vexfs -n and vexctl info work on an
#                      image file (the tools' glibc suits this release)
#   apt_purge, purge_removes_everything
#                      purging leaves no source, DKMS tree, module, log or tool
#   chroot_restored    the chroot holds the packages and /lib/modules it had
#
# Before the purge, the module DKMS built for each kernel (or only for the
# -k KVER given) is copied to build/matrix-dkms/KVER/, for the matrix
# runner to modprobe in a VM of that kernel.  Until the module source is
# ported to a kernel series, that kernel's dkms_installed_ step FAILS:
# every kernel of the chroot is inside the tested range.
#
# One "PASS: RELEASE/step" or "FAIL: RELEASE/step" line a step; exits 1 if
# any failed.  Logs are in build/test-logs/matrix/RELEASE/.  Needs root and
# build/pkg/*.deb (make deb).  The chroot is left as it was found.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
self=$top/tests/matrix/apt-install.sh
fake_in=5.10.0-0vexfsfake-amd64
fake_out=7.9.0-vexfsfake-amd64
apt=(apt-get -q -y -o DPkg::Lock::Timeout=300 --no-install-recommends)

# --- inside the chroot ------------------------------------------------
# `apt-install.sh --inside STEP ARGS...` runs one step in the chroot (the
# work tree is bind-mounted at the same path).

modules_of() {
	ls /lib/modules/"$1"/updates/dkms/vexfs.ko* 2>/dev/null
}

# The kernels of the chroot with headers, not counting the fakes.
in_real_kernels() {
	local b k
	for b in /lib/modules/*/build; do
		k=${b%/build}
		k=${k##*/}
		[ -e "$b/include" ] || continue
		case $k in *vexfsfake*) continue ;; esac
		echo "$k"
	done
}

in_purge() {
	if dpkg-query -W vexfs-dkms vexfs-tools >/dev/null 2>&1; then
		"${apt[@]}" purge vexfs-dkms vexfs-tools vexfs-apt-probe || true
	fi
	dpkg --purge vexfs-apt-probe >/dev/null 2>&1 || true
	rm -rf /var/lib/dkms/vexfs /usr/src/vexfs-* /var/log/vexfs-dkms \
		/lib/modules/"$fake_in" /lib/modules/"$fake_out"
}

in_state() {
	dpkg-query -W -f='${Package} ${Status}\n' | sort
	ls /lib/modules
}

# A header tree DKMS accepts (include/ exists) whose kbuild fails at once.
in_fake_headers() {
	local k
	for k in "$fake_in" "$fake_out"; do
		mkdir -p "/lib/modules/$k/build/include"
		printf '%s\n' 'all modules %:' \
			'	@echo "fake headers of tests/matrix/apt-install.sh: no kernel here" >&2; exit 2' \
			>"/lib/modules/$k/build/Makefile"
	done
}

in_apt_install() {
	"${apt[@]}" install "$top"/build/pkg/vexfs-dkms_*_all.deb \
		"$top"/build/pkg/vexfs-tools_*_amd64.deb
}

in_configured() {
	local audit st
	audit=$(dpkg --audit 2>&1)
	[ -z "$audit" ] || { echo "$audit"; return 1; }
	st=$(dpkg-query -W -f='${Status}\n' vexfs-dkms vexfs-tools)
	echo "$st"
	[ "$(echo "$st" | grep -cx 'install ok installed')" = 2 ]
}

in_dkms_installed() {
	local v=$1 k=$2 st
	st=$(dkms status -m vexfs -v "$v" -k "$k" 2>&1)
	echo "$st"
	case $st in *": installed"*) [ -n "$(modules_of "$k")" ] && return 0 ;; esac
	# Why not: the make.log the postinst kept.
	tail -n 40 "/var/log/vexfs-dkms/$k.make.log" 2>/dev/null || true
	return 1
}

in_kernel_safe_checked() {
	grep 'check-kernel-safe: .* OK' "/var/lib/dkms/vexfs/$1/$2/x86_64/log/make.log"
}

# in_keep_module KVER DEST: the module DKMS installed for KVER, for a VM.
in_keep_module() {
	local ko
	ko=$(modules_of "$1" | head -n 1)
	[ -n "$ko" ] || return 1
	rm -rf "$2"
	mkdir -p "$2"
	cp "$ko" "$2/"
}

# A package made here, so that no network is needed: apt refuses any
# install while a package is half-configured.
in_later_apt() {
	local d
	d=$(mktemp -d)
	mkdir -p "$d/p/DEBIAN"
	printf '%s\n' 'Package: vexfs-apt-probe' 'Version: 1.0' 'Architecture: all' \
		'Maintainer: VexFS tests <tests@invalid>' \
		'Description: probe of tests/matrix/apt-install.sh' >"$d/p/DEBIAN/control"
	dpkg-deb -b "$d/p" "$d/vexfs-apt-probe.deb" >/dev/null
	local rc=0
	"${apt[@]}" install "$d/vexfs-apt-probe.deb" || rc=1
	"${apt[@]}" purge vexfs-apt-probe || rc=1
	rm -rf "$d"
	return "$rc"
}

in_tools_run() {
	local img
	img=$(mktemp /tmp/vexfs-apt.XXXXXX.img)
	truncate -s 64M "$img"
	local rc=0
	mkfs.vexfs "$img" || rc=1
	fsck.vexfs -n "$img" || rc=1
	vexctl info "$img" || rc=1
	rm -f "$img"
	ldd "$(command -v mkfs.vexfs)" | grep libc || true
	return "$rc"
}

in_has_headers() {
	[ -e "/lib/modules/$1/build" ]
}

in_dkms_status() {
	dkms status -m vexfs
}

in_apt_purge() {
	"${apt[@]}" purge vexfs-dkms vexfs-tools
}

in_purged_clean() {
	local left=0
	if [ -n "$(dkms status -m vexfs 2>&1)" ]; then
		dkms status -m vexfs
		left=1
	fi
	ls -d /usr/src/vexfs-* /var/lib/dkms/vexfs /var/log/vexfs-dkms \
		/lib/modules/*/updates/dkms/vexfs.ko* /usr/sbin/mkfs.vexfs \
		/usr/sbin/fsck.vexfs /usr/bin/vexctl /usr/include/vexfs 2>/dev/null && left=1
	dpkg-query -W vexfs-dkms vexfs-tools 2>/dev/null && left=1
	[ $left = 0 ]
}

inside() {
	local step=$1
	shift
	"in_$step" "$@"
}

# --- outside --------------------------------------------------------------

failed=0
rel=
log=

# run_in STEP ARGS...: one step in the chroot of $rel.
run_in() {
	local q
	printf -v q '%q ' "$self" --inside "$@"
	"$top/tests/matrix/chroot.sh" run "$rel" "$q"
}

# step NAME STEP ARGS...: PASS if the chroot step succeeds; its output goes
# to LOG/NAME.log and, on failure, the end of it to stderr.
step() {
	local name=$1 t0
	t0=$(date +%s)
	shift
	if run_in "$@" >"$log/$name.log" 2>&1; then
		echo "PASS: $rel/$name"
	else
		echo "FAIL: $rel/$name"
		failed=1
		tail -n 25 "$log/$name.log" | sed 's/^/    /' >&2
	fi
	echo "    ($rel/$name: $(($(date +%s) - t0)) s)" >&2
}

# check NAME CMD...: PASS if CMD (run here) succeeds.
check() {
	local name=$1
	shift
	if "$@" >"$log/$name.log" 2>&1; then
		echo "PASS: $rel/$name"
	else
		echo "FAIL: $rel/$name"
		failed=1
		tail -n 25 "$log/$name.log" | sed 's/^/    /' >&2
	fi
}

# running_kernel_skipped KVER: DKMS lists nothing for KVER.
running_kernel_skipped() {
	cat "$log/dkms_status.log"
	! grep -F ", $1," "$log/dkms_status.log"
}

failure_reported() {
	grep -F "did not build for Linux $fake_in; see /var/log/vexfs-dkms/$fake_in.make.log" \
		"$log/apt_install.log"
}

out_of_range_skipped() {
	grep -F "Linux $fake_out is outside the tested range" "$log/apt_install.log" &&
		! grep -F "$fake_out" "$log/dkms_status.log"
}

main() {
	local keep=() version k t_start
	t_start=$(date +%s)
	while getopts k: opt; do
		case $opt in
		k) keep+=("$OPTARG") ;;
		*) sed -n '4,40p' "$self" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# = 1 ] || { sed -n '4,40p' "$self" | sed 's/^# \{0,1\}//' >&2; exit 2; }
	rel=$1
	log=$top/build/test-logs/matrix/$rel
	version=$(cat "$top/VERSION")
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $rel/apt-install (needs root)"
		exit 0
	fi
	ls "$top"/build/pkg/vexfs-dkms_*_all.deb "$top"/build/pkg/vexfs-tools_*_amd64.deb \
		>/dev/null 2>&1 || { echo "FAIL: $rel/packages (no build/pkg/*.deb: make deb)"; exit 1; }
	"$top/tests/matrix/chroot.sh" run "$rel" true ||
		{ echo "FAIL: $rel/chroot (tests/matrix/chroot.sh make $rel)"; exit 1; }
	rm -rf "$log"
	mkdir -p "$log"

	run_in purge >"$log/purge-leftovers.log" 2>&1
	run_in state >"$log/state-before.txt" 2>&1

	step fake_headers fake_headers
	step apt_install apt_install
	step configured configured
	check failure_reported failure_reported
	run_in dkms_status >"$log/dkms_status.log" 2>&1 || true
	check out_of_range_skipped out_of_range_skipped
	# The chroot runs on this machine's kernel, whose headers it lacks
	# unless it is of this machine's release: the install above then
	# succeeded with the running kernel skipped, as a user's apt must.
	running=$(uname -r)
	if run_in has_headers "$running" >/dev/null 2>&1; then
		echo "SKIP: $rel/running_kernel_without_headers (the chroot has headers for the running kernel $running)"
	else
		check running_kernel_without_headers running_kernel_skipped "$running"
	fi

	mapfile -t kernels < <(run_in real_kernels)
	[ ${#kernels[@]} -gt 0 ] || { echo "FAIL: $rel/kernels (none with headers)"; failed=1; }
	for k in "${kernels[@]}"; do
		step "dkms_installed_$k" dkms_installed "$version" "$k"
		step "kernel_safe_checked_$k" kernel_safe_checked "$version" "$k"
		if [ ${#keep[@]} = 0 ] || [[ " ${keep[*]} " == *" $k "* ]]; then
			run_in keep_module "$k" "$top/build/matrix-dkms/$k" >/dev/null 2>&1 &&
				echo "    (module of $k kept in build/matrix-dkms/$k)" >&2
		fi
	done

	step later_apt_works later_apt
	step tools_run tools_run
	step apt_purge apt_purge
	step purge_removes_everything purged_clean

	run_in purge >>"$log/purge-leftovers.log" 2>&1
	run_in state >"$log/state-after.txt" 2>&1
	check chroot_restored diff -u "$log/state-before.txt" "$log/state-after.txt"
	echo "    ($rel total: $(($(date +%s) - t_start)) s)" >&2
	exit $failed
}

if [ "${1:-}" = --inside ]; then
	shift
	inside "$@"
else
	main "$@"
fi
