#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh [--shipped] KVER - build vexfs.ko for kernel KVER into
# build/KVER/ (with --shipped: build/KVER/shipped/).
#
# KVER is a kernel of this machine (/lib/modules/KVER/build) or one of the
# kernel matrix (tests/matrix/releases.conf), built in its release's chroot.
#
# The module is built from a copy of the tree, so that modules for several
# kernels can exist side by side, through the same `make module` recipe
# that DKMS uses (kbuild, then the kernel-safety check).  Any compiler
# warning fails the build.
#
# The suites' module is a test build (VEXFS_TESTING=y): it has the
# testing aids, such as the dir_hash_test_bits parameter that
# tests/vm/guest/dir_semantics.sh loads it with.  --shipped builds it as
# DKMS and the packages do, without them (tests/kernel-safe checks it).
set -euo pipefail

variant=testing
if [ "${1:-}" = --shipped ]; then
	variant=shipped
	shift
fi
kver=${1:?usage: build-module.sh [--shipped] KVER}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/$kver
testing=VEXFS_TESTING=y
if [ "$variant" = shipped ]; then
	out=$out/shipped
	testing=
fi
tree=$out/tree

. "$top/tests/vm/kernel-lib.sh"

# A kernel of this machine builds here; one of the kernel matrix builds in
# the chroot of its release, with that release's compiler.
if [ -d "/lib/modules/$kver/build" ]; then
	build=(bash -c)
	headers=$(readlink -f "/lib/modules/$kver/build")
elif rel=$(kernel_release "$kver") &&
	headers=$("$top/tests/matrix/chroot.sh" path "$rel")/usr/src/linux-headers-$kver &&
	[ -e "$headers/Makefile" ]; then
	build=("$top/tests/matrix/chroot.sh" run "$rel")
else
	echo "build-module.sh: no headers for $kver (/lib/modules/$kver/build, here or in its matrix chroot)" >&2
	exit 1
fi

# The suites each ask for the module of each kernel: build it again only
# when the sources or the kernel's headers changed since the last build.
stamp=$(
	cd "$top" && {
		echo "$kver $headers $variant"
		stat -c '%n %s %Y' "$headers/Makefile" "$headers/.config" 2>/dev/null
		find Makefile VERSION include common scripts src/Kbuild \
			src/probes src/*.[ch] -type f ! -name compat-gen.h ! -name '*.mod.c' \
			-print0 | sort -z | xargs -0 sha256sum
	} | sha256sum
)
if [ -s "$out/vexfs.ko" ] && [ "$(cat "$out/source.sha256" 2>/dev/null)" = "$stamp" ]; then
	echo "$out/vexfs.ko"
	exit 0
fi
rm -rf "$tree" "$out/vexfs.ko" "$out/source.sha256"
mkdir -p "$tree"
cp -a "$top/Makefile" "$top/VERSION" "$top/include" "$top/common" \
	"$top/scripts" "$tree/"
rm -f "$tree"/common/*.o "$tree"/common/.*.cmd
mkdir "$tree/src"
cp -a "$top"/src/Kbuild "$top"/src/*.[ch] "$top"/src/probes "$tree/src/"
rm -f "$tree/src/compat-gen.h"

log=$out/build.log
if ! "${build[@]}" "make -C '$tree' module KVER='$kver' $testing" >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module.sh: build for $kver failed" >&2
	exit 1
fi
if grep -q 'warning:' "$log"; then
	grep -B2 -A4 'warning:' "$log" >&2
	echo "build-module.sh: build for $kver has compiler warnings" >&2
	exit 1
fi
cp "$tree/src/vexfs.ko" "$out/vexfs.ko"
echo "$stamp" >"$out/source.sha256"
echo "$out/vexfs.ko"
