#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pyroot.sh IMG - an ext4 image holding this machine's Python 3 runtime
# for the guest: the standard library, numpy and pytest (with the Python
# packages they depend on), and every shared library their extension
# modules need.  The guest mounts it read-only at /py and runs the
# interpreter that run-vm.sh -b copied into the initramfs (with its
# libc) with PYTHONHOME=/py/usr and LD_LIBRARY_PATH=/py/lib.
#
# A disk rather than the initramfs: the guest reads only the files it
# imports, where an initramfs would be unpacked whole (~100 MB) at every
# boot.  The image is remade only when the Debian packages it is made of
# change (their versions are kept beside it, in IMG.stamp).
set -euo pipefail

img=${1:?usage: pyroot.sh IMG}
py=/usr/bin/python3
ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# The Python packages the tests import, and what they depend on (Debian's
# python3-* dependencies of python3-pytest and python3-numpy).
# shellcheck disable=SC2016 # the format is dpkg-query's, not the shell's
pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances \
	python3-pytest python3-numpy 2>/dev/null |
	sed -n 's/^\(  Depends: \)\{0,1\}\(python3-[a-z0-9.-]*\)$/\2/p' | sort -u |
	{ xargs dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' 2>/dev/null || true; } |
	awk '$2 == "ii" { print $1 }' || true)
for p in python3-numpy python3-pytest; do
	grep -qx "$p" <<<"$pkgs" || { echo "pyroot.sh: $p is not installed (scripts/deps/vm.list)" >&2; exit 1; }
done
# shellcheck disable=SC2086 # one word per package
stamp=$( { "$py" --version; dpkg-query -W $pkgs "libpython$ver-stdlib"; } 2>&1)
if [ -e "$img" ] && [ "$(cat "$img.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/usr/lib/python3/dist-packages" "$tree/lib"
# The standard library, less what no test imports and is large.
tar -C /usr/lib -cf - --exclude="python$ver/test" --exclude="python$ver/idlelib" \
	--exclude="python$ver/tkinter" --exclude="python$ver/turtledemo" \
	--exclude="python$ver/ensurepip" --exclude="python$ver/lib2to3" \
	--exclude="python$ver/config-*" --exclude="python$ver/site-packages" \
	"python$ver" | tar -C "$tree/usr/lib" -xf -
# The packages' files under dist-packages.
for p in $pkgs; do
	dpkg -L "$p" | { grep '^/usr/lib/python3/dist-packages/' || true; } |
		while read -r f; do
			[ -f "$f" ] || continue
			mkdir -p "$tree$(dirname "$f")"
			cp -L "$f" "$tree$f"
		done
done
# The shared libraries of every extension module (numpy's BLAS through
# Debian's alternatives symlinks: cp -L takes the file).
find "$tree" -name '*.so*' -type f | while read -r so; do
	ldd "$so" 2>/dev/null | awk '/=> \// { print $3 }'
done | sort -u | while read -r lib; do
	cp -L "$lib" "$tree/lib/"
done
rm -f "$img"
mke2fs -q -t ext4 -O ^has_journal -L pyroot -d "$tree" "$img" >/dev/null \
	"$(($(du -sm "$tree" | cut -f1) * 12 / 10 + 16))M"
printf '%s\n' "$stamp" >"$img.stamp"
