#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# chroot.sh - the build chroots of the kernel matrix.
#
#   chroot.sh make RELEASE     create (once) and refresh the chroot of a
#                              Debian release, with its own compiler, dkms
#                              and the headers of its kernels in
#                              tests/matrix/releases.conf (the newest of
#                              each series), and print its path
#   chroot.sh run RELEASE CMD  run CMD in it (bash -c), with /proc, /sys
#                              and /dev mounted and the work tree at the
#                              same path as outside
#   chroot.sh path RELEASE     print where it is (it may not exist yet)
#
# Chroots live under $VEXFS_MATRIX_CACHE (default /var/cache/vexfs-matrix),
# so a machine pays for debootstrap once; a later `make` only runs
# apt-get update and installs a newer kernel's headers when there is one.
# Everything comes from Debian's archive ($VEXFS_MIRROR, default
# http://deb.debian.org/debian).  Needs root.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VEXFS_MATRIX_CACHE:-/var/cache/vexfs-matrix}
mirror=${VEXFS_MIRROR:-http://deb.debian.org/debian}
security=${VEXFS_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# What every chroot needs: the compiler and kbuild's tools, the
# kernel-safety check's objdump, the tools' build dependencies, and the
# release's own dkms for the apt install test, and debhelper, libfuse3-dev
# and pkg-config for scripts/package.sh, which builds the Debian packages
# in bullseye's.
packages=build-essential,kmod,xz-utils,binutils,uuid-dev,dkms,fakeroot,ca-certificates,debhelper,libfuse3-dev,pkg-config

die() {
	echo "chroot.sh: $*" >&2
	exit 1
}

root_of() {
	echo "$cache/chroots/$1"
}

# The apt sources of RELEASE: its main suite, updates and security where
# the release has them, and backports for the kernels taken from there.
sources_of() {
	case $1 in
	sid)
		echo "deb $mirror sid main"
		;;
	*)
		echo "deb $mirror $1 main"
		echo "deb $mirror $1-updates main"
		echo "deb $security $1-security main"
		if series_of "$1" | awk -v b="$1-backports" '$1 == b' | grep -q .; then
			echo "deb $mirror $1-backports main"
		fi
		;;
	esac
}

# Run a command in the chroot, in a mount namespace of its own, so that
# the bind mounts vanish with it whatever happens.
run_in() {
	local root=$1
	shift
	unshare --mount --propagation private bash -c '
		root=$1 top=$2
		shift 2
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		mkdir -p "$root$top"
		mount --bind "$top" "$root$top"
		cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$root" /usr/bin/env -i \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			bash -c "$*"
	' run_in "$root" "$top" "$@"
}

# apt-get in the chroot, tolerant of an expired Release file (sid's
# mirror snapshots can be past Valid-Until).
apt_in() {
	run_in "$1" "apt-get -q -y -o Acquire::Check-Valid-Until=false \
		-o DPkg::Lock::Timeout=300 ${*:2}"
}

# The kernel series (regexes) RELEASE builds, with the suite of each.
series_of() {
	awk -v r="$1" '$1 == r { print $2, $3 }' "$top/tests/matrix/releases.conf"
}

# newest_kernel ROOT REGEX: the newest kernel of the series REGEX that
# apt in ROOT has headers for (from any of its suites).
newest_kernel() {
	local root=$1 regex=$2
	run_in "$root" "apt-cache search --names-only '^linux-headers-'" |
		awk '{ sub(/^linux-headers-/, "", $1); print $1 }' |
		grep -E "$regex" | sort -V | tail -n 1
}

make_chroot() {
	local rel=$1 root stamp suite regex kver want=()
	root=$(root_of "$rel")
	[ -n "$(series_of "$rel")" ] || die "$rel: not a release of tests/matrix/releases.conf"
	[ "$(id -u)" = 0 ] || die "making a chroot needs root"
	stamp=$root/.vexfs-ready
	# A run killed in the middle of dpkg (an interrupted apt-install.sh,
	# say) leaves packages half configured, and every later apt-get in
	# the chroot fails: make it anew rather than trust it.
	if [ -e "$stamp" ] && [ -n "$(run_in "$root" "dpkg --audit" 2>&1)" ]; then
		echo "chroot.sh: $rel: dpkg was interrupted in $root; making it anew" >&2
		rm -f "$stamp"
	fi
	if [ ! -e "$stamp" ]; then
		echo "chroot.sh: debootstrap $rel into $root" >&2
		rm -rf "$root"
		mkdir -p "$root"
		# sid's Release file may be past its Valid-Until date; debootstrap
		# itself does not check it.
		debootstrap --variant=minbase --include="$packages" \
			"$rel" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
			{ tail -n 20 "$root.debootstrap.log" >&2; die "$rel: debootstrap failed"; }
		sources_of "$rel" >"$root/etc/apt/sources.list"
		touch "$stamp"
	fi
	apt_in "$root" update >/dev/null
	# What a chroot made before a package joined the list lacks.
	apt_in "$root" install --no-install-recommends "${packages//,/ }" >/dev/null ||
		die "$rel: installing $packages failed"
	while read -r suite regex; do
		kver=$(newest_kernel "$root" "$regex")
		[ -n "$kver" ] || die "$rel: no linux-headers in $suite match $regex"
		# Backports need naming; the release's own suites include its
		# security updates, where the newest kernel often is.
		if [ "$suite" = "$rel" ]; then
			want+=("linux-headers-$kver")
		else
			want+=("linux-headers-$kver/$suite")
		fi
	done < <(series_of "$rel")
	apt_in "$root" install --no-install-recommends "${want[@]}" >/dev/null ||
		die "$rel: installing ${want[*]} failed"
	echo "$root"
}

case ${1:-} in
make)
	[ $# = 2 ] || die "usage: chroot.sh make RELEASE"
	# One maker at a time per release: make check starts this early in
	# the background (tests/matrix/prefetch.sh), and the matrix suite's
	# own call must wait for it, then find the chroot made.
	mkdir -p "$cache/chroots"
	exec 9>"$cache/chroots/$2.lock"
	flock 9
	make_chroot "$2"
	;;
run)
	[ $# -ge 3 ] || die "usage: chroot.sh run RELEASE CMD..."
	root=$(root_of "$2")
	[ -e "$root/.vexfs-ready" ] || die "$2: no chroot (chroot.sh make $2)"
	shift 2
	run_in "$root" "$@"
	;;
path)
	[ $# = 2 ] || die "usage: chroot.sh path RELEASE"
	root_of "$2"
	;;
*)
	sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
