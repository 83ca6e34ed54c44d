#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KVER - build vexfs.ko for kernel KVER into build/KVER/.
#
# KVER is a kernel of this machine (/lib/modules/KVER/build) or one of the
# kernel matrix (tests/matrix/releases.conf), built in its release's chroot.
#
# The module is built from a copy of the tree, so that modules for several
# kernels can exist side by side, through the same `make module` recipe
# that DKMS uses (kbuild, then the kernel-safety check).  Any compiler
# warning fails the build.
set -euo pipefail

kver=${1:?usage: build-module.sh KVER}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/$kver
tree=$out/tree

. "$top/tests/vm/kernel-lib.sh"

# A kernel of this machine builds here; one of the kernel matrix builds in
# the chroot of its release, with that release's compiler.
if [ -d "/lib/modules/$kver/build" ]; then
	build=(bash -c)
elif rel=$(kernel_release "$kver") &&
	"$top/tests/matrix/chroot.sh" run "$rel" "test -d /lib/modules/$kver/build" 2>/dev/null; then
	build=("$top/tests/matrix/chroot.sh" run "$rel")
else
	echo "build-module.sh: no headers for $kver (/lib/modules/$kver/build, here or in its matrix chroot)" >&2
	exit 1
fi

rm -rf "$tree"
mkdir -p "$tree"
cp -a "$top/Makefile" "$top/VERSION" "$top/include" "$top/scripts" "$tree/"
mkdir "$tree/src"
cp -a "$top"/src/Kbuild "$top"/src/*.[ch] "$top"/src/probes "$tree/src/"
rm -f "$tree/src/compat-gen.h"

log=$out/build.log
if ! "${build[@]}" "make -C '$tree' module KVER='$kver'" >"$log" 2>&1; then
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
echo "$out/vexfs.ko"
