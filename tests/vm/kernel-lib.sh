# SPDX-License-Identifier: GPL-2.0
#
# kernel-lib.sh - where a test kernel lives and what it is called.  Source
# it (bash) from the VM harness and the suites.
#
# A kernel is either installed on this machine (Debian 12's, which
# scripts/install-deps.sh installs: /boot/vmlinuz-KVER, /lib/modules/KVER)
# or one of the kernel matrix, unpacked from its Debian package by
# tests/matrix/fetch-kernel.sh under $VEXFS_MATRIX_CACHE/kernels/KVER/,
# and built against in the chroot of its release.

vexfs_matrix_cache=${VEXFS_MATRIX_CACHE:-/var/cache/vexfs-matrix}

# kernel_root KVER: the directory holding boot/vmlinuz-KVER and
# lib/modules/KVER ("" for the machine's own /), or nothing and status 1.
kernel_root() {
	if [ -r "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1/kernel" ]; then
		echo ""
	elif [ -r "$vexfs_matrix_cache/kernels/$1/boot/vmlinuz-$1" ]; then
		echo "$vexfs_matrix_cache/kernels/$1"
	else
		return 1
	fi
}

# kernel_series KVER: the short name PASS:/FAIL: lines carry, unique in
# the matrix.  Debian 12's kernels are "6.1" and "6.12"; a kernel of
# another release carries its Debian suffix ("6.12+deb13", "7.3+deb13"),
# since 6.12 ships in both 12 and 13; bullseye's is "5.10".
kernel_series() {
	local xy suffix
	xy=$(echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	suffix=$(echo "$1" | sed -nE 's/^[^+]*\+(deb[0-9]+).*/\1/p')
	case $suffix in
	"" | deb12) echo "$xy" ;;
	*) echo "$xy+$suffix" ;;
	esac
}

# kernel_release KVER: the tests/matrix/releases.conf release whose
# chroot builds KVER, or nothing and status 1.
kernel_release() {
	local conf rel suite regex
	conf=$(cd "$(dirname "${BASH_SOURCE[0]}")/../matrix" && pwd)/releases.conf
	while read -r rel suite regex; do
		case $rel in '' | '#'*) continue ;; esac
		if echo "$1" | grep -Eq "$regex"; then
			echo "$rel"
			return 0
		fi
	done <"$conf"
	return 1
}
