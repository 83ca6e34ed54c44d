#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh KVER... - unpack Debian's linux-image-KVER for booting.
#
# The package is downloaded with `apt-get download` in the chroot of the
# kernel's release (tests/matrix/chroot.sh) and unpacked with
# `dpkg-deb -x` into $VEXFS_MATRIX_CACHE/kernels/KVER/, where
# tests/vm/run-vm.sh finds boot/vmlinuz-KVER and lib/modules/KVER.
# Nothing is installed on this machine.  A kernel unpacked before is not
# fetched again.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/vm/kernel-lib.sh"

die() {
	echo "fetch-kernel.sh: $*" >&2
	exit 1
}

fetch() {
	local kver=$1 rel dest dl deb
	dest=$vexfs_matrix_cache/kernels/$kver
	mkdir -p "$vexfs_matrix_cache/kernels"
	# A fetch already under way (tests/matrix/prefetch.sh) finishes first.
	exec 9>"$dest.lock"
	flock 9
	[ ! -r "$dest/boot/vmlinuz-$kver" ] || return 0
	rel=$(kernel_release "$kver") || die "$kver: no release of tests/matrix/releases.conf builds it"
	dl=$vexfs_matrix_cache/downloads/$kver
	rm -rf "$dl" "$dest.tmp"
	mkdir -p "$dl" "$dest.tmp"
	# Up to 7.1 linux-image-KVER holds the kernel and its modules; later
	# it is a meta package over linux-binary, linux-modules and linux-base
	# of the same KVER.  Download whichever of them the release has, in a
	# directory of the chroot's own, and copy them out.
	# Under the chroot's lock: chroot.sh make may be running apt in it.
	flock "$vexfs_matrix_cache/chroots/$rel.lock" \
		"$top/tests/matrix/chroot.sh" run "$rel" "
		set -e
		mkdir -p /tmp/fetch-$kver && cd /tmp/fetch-$kver && rm -f ./*.deb
		for p in linux-image linux-binary linux-modules linux-base; do
			apt-cache show --no-all-versions \$p-$kver >/dev/null 2>&1 || continue
			apt-get -q -o Acquire::Check-Valid-Until=false \
				-o APT::Sandbox::User=root download \$p-$kver
		done" >&2 || die "$kver: downloading linux-image-$kver failed in the $rel chroot"
	cp "$("$top/tests/matrix/chroot.sh" path "$rel")/tmp/fetch-$kver"/*.deb "$dl/"
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$dest.tmp"
	done
	# Newer packages ship the modules under /usr/lib (merged /usr), and
	# from 7.2 the kernel beside them as lib/modules/KVER/vmlinuz, which
	# their postinst links into /boot.
	if [ ! -d "$dest.tmp/lib/modules/$kver" ] && [ -d "$dest.tmp/usr/lib/modules/$kver" ]; then
		mkdir -p "$dest.tmp/lib/modules"
		mv "$dest.tmp/usr/lib/modules/$kver" "$dest.tmp/lib/modules/"
	fi
	if [ ! -e "$dest.tmp/boot/vmlinuz-$kver" ] && [ -r "$dest.tmp/lib/modules/$kver/vmlinuz" ]; then
		mkdir -p "$dest.tmp/boot"
		mv "$dest.tmp/lib/modules/$kver/vmlinuz" "$dest.tmp/boot/vmlinuz-$kver"
	fi
	[ -r "$dest.tmp/boot/vmlinuz-$kver" ] || die "$kver: the packages have no kernel image"
	[ -d "$dest.tmp/lib/modules/$kver/kernel" ] || die "$kver: the packages have no modules"
	rm -rf "$dest" "$dl"
	mv "$dest.tmp" "$dest"
}

[ $# -ge 1 ] || die "usage: fetch-kernel.sh KVER..."
for k in "$@"; do
	fetch "$k"
done
