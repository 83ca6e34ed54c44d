#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--all] - the kernel matrix: every amd64 kernel series Debian
# ships (tests/matrix/releases.conf), each built by its own release.
#
#  1. makes or refreshes the chroot of each release (tests/matrix/chroot.sh;
#     cached, so a machine pays for debootstrap once);
#  2. builds vexfs.ko for every kernel of the matrix in its release's
#     chroot, with that release's compiler, through `make module`: the
#     compile probes, kbuild with no warning allowed, and the
#     kernel-safety check;
#  3. builds the packages (make deb), installs them with each release's
#     own apt and dkms, which build the module for every kernel of that
#     release (tests/matrix/apt-install.sh), and purges them; then the
#     module DKMS built for the newest kernel is modprobed, and a
#     filesystem made, mounted and used, in a VM of that kernel
#     (tests/vm/guest/pkg_install.sh);
#  4. boots kernels of the matrix in QEMU with the module and runs the
#     core VM suites on them: foundation, POSIX files and attributes
#     (tests/vm, overlayfs included), vectors (tests/vectors), the ANN
#     checks (tests/ann), a device that drops writes (tests/flakey) and a
#     subset of the crash suite (tests/crash: $MATRIX_CRASH_POINTS replayed
#     points, default 16, and the FS_IOC_SHUTDOWN runs).
#
# `make check` runs it as is: step 4 covers the oldest and the newest
# kernel of the range (Debian 12's 6.1 and 6.12 run every suite anyway),
# and step 3 leaves this machine's own release to tests/pkg, which does
# the same install on the machine itself.
# `make matrix` runs it with --all: step 4 on all six kernels.
# One PASS:/FAIL: line per step and kernel; exits non-zero on a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/matrix
log=$top/build/test-logs/matrix
mkdir -p "$log"
. "$top/tests/vm/kernel-lib.sh"
failed=0
all=0
[ "${1:-}" = --all ] && all=1

pass() { echo "PASS: matrix/$1"; }

# The codename of this machine's Debian release (none elsewhere).
host_release() {
	. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}"
}
fail() {
	echo "FAIL: matrix/$1"
	failed=1
}

# check NAME LOGFILE CMD...: PASS if CMD succeeds; its output goes to
# LOGFILE, and on failure the end of it to stderr.
check() {
	local name=$1 file=$2
	shift 2
	if "$@" >"$file" 2>&1; then
		pass "$name"
	else
		fail "$name"
		tail -n 30 "$file" | sed 's/^/    /' >&2
	fi
}

# 1. The chroots, all at once: debootstrap and apt wait on the network.
mapfile -t releases < <(awk '$1 !~ /^#/ && NF { print $1 }' "$here/releases.conf" | awk '!seen[$0]++')
declare -A pids=()
for rel in "${releases[@]}"; do
	"$here/chroot.sh" make "$rel" >"$log/chroot-$rel.log" 2>&1 &
	pids[$rel]=$!
done
for rel in "${releases[@]}"; do
	if wait "${pids[$rel]}"; then
		pass "chroot/$rel"
	else
		fail "chroot/$rel"
		tail -n 20 "$log/chroot-$rel.log" | sed 's/^/    /' >&2
	fi
done
[ $failed = 0 ] || exit 1

mapfile -t matrix < <("$here/kernels.sh")
[ ${#matrix[@]} -gt 0 ] || { fail "kernels (tests/matrix/kernels.sh named none)"; exit 1; }
kvers=()
for row in "${matrix[@]}"; do
	kvers+=("${row#* }")
done

# The kernels step 4 boots: the oldest and newest, or all with --all.
# Fetched now, as tests/matrix/prefetch.sh may be fetching them: its lock
# makes this wait until it is done, before step 3 uses apt in the chroots.
if [ $all = 1 ]; then
	boot=("${kvers[@]}")
else
	boot=("${kvers[0]}" "${kvers[${#kvers[@]} - 1]}")
fi
for k in "${boot[@]}"; do
	kernel_root "$k" >/dev/null ||
		check "fetch/$(kernel_series "$k")" "$log/fetch-$k.log" "$here/fetch-kernel.sh" "$k"
done

# 2. The module for every kernel, two builds at a time (one per core).
build_one() {
	check "build/$(kernel_series "$1")" "$log/build-$1.log" \
		"$top/tests/vm/build-module.sh" "$1"
}
for ((i = 0; i < ${#kvers[@]}; i += 2)); do
	build_one "${kvers[i]}" >"$log/build-$i.out" &
	b=$!
	[ -z "${kvers[i + 1]:-}" ] || build_one "${kvers[i + 1]}" >"$log/build-$((i + 1)).out"
	wait "$b"
	cat "$log/build-$i.out"
	[ -z "${kvers[i + 1]:-}" ] || cat "$log/build-$((i + 1)).out"
done
grep -q '^FAIL' "$log"/build-*.out && failed=1
rm -f "$log"/build-*.out

# 3. apt and DKMS in every release, then the module DKMS built for the
# newest kernel, modprobed in a VM of that kernel.
newest=${kvers[${#kvers[@]} - 1]}
check debs "$log/debs.log" "$top/scripts/package.sh" deb
for rel in "${releases[@]}"; do
	# tests/pkg does on this machine what the bookworm chroot would, when
	# this machine is Debian 12: make check leaves it to that suite.
	if [ $all = 0 ] && [ "$rel" = "$(host_release)" ] && [ -x "$top/tests/pkg/run.sh" ]; then
		continue
	fi
	"$here/apt-install.sh" "$rel" || failed=1
done
dkms_vm() {
	local img rc=0
	kernel_root "$newest" >/dev/null || "$here/fetch-kernel.sh" "$newest" || return 1
	img=$(mktemp /tmp/vexfs-matrix.XXXXXX.img)
	truncate -s 64M "$img"
	"$top/tests/vm/run-vm.sh" -k "$newest" -m "$top/build/matrix-dkms/$newest" \
		-b "$top/userspace/mkfs/mkfs.vexfs:/usr/sbin/mkfs.vexfs" \
		-b "$top/userspace/fsck/fsck.vexfs:/usr/sbin/fsck.vexfs" \
		-b "$top/userspace/vexctl/vexctl:/usr/bin/vexctl" \
		-d "$img" -t 300 -l "$log/console-dkms-$newest.log" \
		pkg_install.sh /dev/vda "$(cat "$top/VERSION")" || rc=1
	rm -f "$img"
	return $rc
}
make -s -C "$top/userspace" all >/dev/null || fail "tools build"
dkms_vm || failed=1

# 4. Boot the kernels fetched above.
export VEXFS_KERNELS="${boot[*]}"
"$top/tests/vm/run.sh" || failed=1
"$top/tests/vectors/run.sh" || failed=1
"$top/tests/ann/run.sh" || failed=1
"$top/tests/flakey/run.sh" || failed=1
CRASH_POINTS=${MATRIX_CRASH_POINTS:-16} "$top/tests/crash/run.sh" || failed=1

exit $failed
