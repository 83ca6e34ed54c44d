#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh - the kernel matrix, one "RELEASE KVER" line a kernel series
# of tests/matrix/releases.conf, oldest first: the newest kernel of each
# series whose headers the release's chroot holds (`chroot.sh make`
# installs the newest the archive has).  Fails when a series has none.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)

while read -r rel suite regex; do
	case $rel in '' | '#'*) continue ;; esac
	root=$("$top/tests/matrix/chroot.sh" path "$rel")
	kver=$(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null |
		grep -E "$regex" | sort -V | tail -n 1 || true)
	if [ -z "$kver" ] || [ ! -e "$root/usr/src/linux-headers-$kver/Makefile" ]; then
		echo "kernels.sh: the $rel chroot has no headers for $regex ($suite); run tests/matrix/chroot.sh make $rel" >&2
		exit 1
	fi
	echo "$rel $kver"
done <"$top/tests/matrix/releases.conf"
