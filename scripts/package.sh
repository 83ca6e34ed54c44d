#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# package.sh - release tarball, Debian and RPM packages of VexFS.
#
#   package.sh dist    build/dist/vexfs-VERSION.tar.gz: the release tarball
#                      (the files git knows about, or the whole tree outside
#                      git); DKMS and both packagings build from it
#   package.sh deb     build/pkg/vexfs-dkms_VERSION_all.deb,
#                      build/pkg/vexfs-tools_VERSION_ARCH.deb,
#                      build/pkg/vexfs-fuse_VERSION_ARCH.deb and
#                      build/pkg/python3-vexfs_VERSION_all.deb, built with
#                      dpkg-buildpackage from the unpacked tarball, in the
#                      bullseye chroot of tests/matrix/chroot.sh (oldest
#                      glibc, see deb_release), then lintian
#   package.sh rpm     build/pkg/*.rpm, built with rpmbuild from the tarball
#                      (--nodeps: this also works on Debian), then rpmlint
#
# deb and rpm fail when the build fails; lintian's and rpmlint's findings
# are printed, and tests/pkg/run.sh turns them into a test failure.
#
# Used by debian/rules and rpm/vexfs.spec, so both install the same files:
#
#   package.sh install-dkms DIR     the DKMS source tree (dkms.conf, the
#                                   top-level Makefile, VERSION, src/,
#                                   common/, include/, the two build
#                                   scripts and
#                                   dkms-kernels.sh, which the packages'
#                                   install scripts run)
#   package.sh install-extras ROOT  headers to ROOT/usr/include/vexfs/ and
#                                   the bash completion of vexctl
#   package.sh install-python ROOT [SITEDIR]
#                                   the Python package vexfs (pure Python,
#                                   userspace/python/vexfs) to
#                                   ROOT/SITEDIR/vexfs, SITEDIR by default
#                                   Debian's /usr/lib/python3/dist-packages
#
# and by tests/pkg/run.sh: `package.sh lintian` and `package.sh rpmlint`
# lint what deb and rpm built, and fail on any unjustified complaint.
#
# The version is the VERSION file's; tests/version/run.sh checks that
# dkms.conf, debian/changelog and the spec agree with it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$top/VERSION")
name=vexfs
tarball=$top/build/dist/$name-$version.tar.gz
pkgdir=$top/build/pkg

die() {
	echo "package.sh: $*" >&2
	exit 1
}

is_elf() {
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

# The files of a release: what git tracks, plus what it would track (so an
# uncommitted new file is not silently left out) unless it is a compiled
# program, minus deleted files.
release_files() {
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		{
			git -C "$top" ls-files -z --cached
			git -C "$top" ls-files -z --others --exclude-standard |
				while IFS= read -r -d '' f; do
					is_elf "$top/$f" || printf '%s\0' "$f"
				done
		} | while IFS= read -r -d '' f; do
			[ -f "$top/$f" ] && printf '%s\0' "$f"
		done
	else
		(cd "$top" && find . -path ./build -prune -o -type f -print0 |
			sed -z 's|^\./||')
	fi | sort -z -u
}

# A reproducible timestamp for the tarball's members.
release_date() {
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
		echo "$SOURCE_DATE_EPOCH"
	elif git -C "$top" log -1 --format=%ct 2>/dev/null; then
		:
	else
		date +%s
	fi
}

do_dist() {
	local stage
	stage=$(mktemp -d)
	mkdir -p "$stage/$name-$version" "$(dirname "$tarball")"
	release_files | (cd "$top" && cpio -0 -pdm --quiet "$stage/$name-$version")
	for f in dkms.conf Makefile VERSION src/Kbuild common/vexfs_rules.h \
		debian/rules rpm/vexfs.spec; do
		[ -e "$stage/$name-$version/$f" ] || {
			rm -rf "$stage"
			die "$f is missing from the release files"
		}
	done
	tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
		--mtime="@$(release_date)" -cf - "$name-$version" |
		gzip -9n >"$tarball.tmp"
	mv "$tarball.tmp" "$tarball"
	rm -rf "$stage"
	echo "package.sh: $tarball"
}

# Where dpkg-buildpackage runs: the chroot of the oldest release of the
# matrix (tests/matrix/chroot.sh), so that vexfs-tools links against the
# oldest glibc (2.31) and one package installs on every release from
# bullseye to sid; VEXFS_DEB_RELEASE= (empty) builds on this machine, whose
# glibc the tools then need.  docs/packaging.md explains the choice.
deb_release=${VEXFS_DEB_RELEASE-bullseye}

# deb_build DIR: dpkg-buildpackage in DIR, in the chroot of $deb_release
# (made, or given debhelper and libfuse3-dev, by chroot.sh make when it
# lacks them).
deb_build() {
	local chroot=$top/tests/matrix/chroot.sh
	if [ -z "$deb_release" ]; then
		(cd "$1" && dpkg-buildpackage -us -uc -b)
		return
	fi
	[ "$(id -u)" = 0 ] ||
		die "building in the $deb_release chroot needs root (VEXFS_DEB_RELEASE= builds on this machine)"
	# A chroot made before vexfs-fuse lacks its build dependencies.
	if ! "$chroot" run "$deb_release" "command -v dh && command -v pkg-config &&
		test -e /usr/include/fuse3/fuse_lowlevel.h" >/dev/null 2>&1; then
		echo "package.sh: making the $deb_release chroot (tests/matrix/chroot.sh)" >&2
		"$chroot" make "$deb_release" >/dev/null
	fi
	"$chroot" run "$deb_release" "cd '$1' && dpkg-buildpackage -us -uc -b"
}

do_deb() {
	local work=$pkgdir/deb-build
	do_dist
	rm -rf "$work"
	mkdir -p "$work"
	tar -C "$work" -xzf "$tarball"
	# The source package too (before the build dirties the tree), for
	# lintian's checks of debian/ itself.
	(cd "$work" && dpkg-source -b "$name-$version") >"$work/source.log" 2>&1 ||
		die "dpkg-source failed; the log is $work/source.log"
	deb_build "$work/$name-$version" >"$work/build.log" 2>&1 || {
		tail -n 40 "$work/build.log" >&2
		die "dpkg-buildpackage${deb_release:+ in $deb_release} failed; the log is $work/build.log"
	}
	rm -f "$pkgdir"/*.deb "$pkgdir"/*.changes "$pkgdir"/*.buildinfo
	mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$pkgdir/"
	ls -1 "$pkgdir"/*.deb
	if command -v lintian >/dev/null; then
		do_lintian || echo "package.sh: lintian found problems (above)" >&2
	fi
}

do_rpm() {
	local topdir=$pkgdir/rpmbuild
	do_dist
	rm -rf "$topdir"
	mkdir -p "$topdir/SOURCES"
	cp "$tarball" "$topdir/SOURCES/"
	# --nodeps: Debian's rpm database knows nothing of the build
	# dependencies.  Debian's brp-compress uses bash's `read -d` but runs
	# under /bin/sh (dash) and compresses nothing: run it with bash.
	rpmbuild --define "_topdir $topdir" \
		--define "__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}" \
		--nodeps -ba "$top/rpm/$name.spec" >"$pkgdir/rpmbuild.log" 2>&1 || {
		tail -n 40 "$pkgdir/rpmbuild.log" >&2
		die "rpmbuild failed; the log is $pkgdir/rpmbuild.log"
	}
	rm -f "$pkgdir"/*.rpm
	find "$topdir/RPMS" "$topdir/SRPMS" -name '*.rpm' -exec mv {} "$pkgdir/" \;
	ls -1 "$pkgdir"/*.rpm
	if command -v rpmlint >/dev/null; then
		do_rpmlint || echo "package.sh: rpmlint found problems (above)" >&2
	fi
}

# lintian on the built .changes (binary packages) and the source package;
# overrides are in debian/*.lintian-overrides.
do_lintian() {
	echo "package.sh: lintian"
	lintian --info --display-info --pedantic --fail-on error,warning \
		"$pkgdir/${name}_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).changes" \
		"$pkgdir/deb-build/${name}_$version.dsc"
}

# rpmlint on the spec and the RPMs; filters are in rpm/vexfs.rpmlintrc.
do_rpmlint() {
	echo "package.sh: rpmlint"
	rpmlint -c "$top/rpm/rpmlint.toml" -r "$top/rpm/$name.rpmlintrc" \
		"$top/rpm/$name.spec" "$pkgdir"/*.rpm
}

# The DKMS source tree: exactly what `make module` needs.
do_install_dkms() {
	local dest=${1:?usage: package.sh install-dkms DIR} f
	install -d "$dest/src" "$dest/common" "$dest/include" "$dest/scripts"
	install -m 0644 "$top/dkms.conf" "$top/Makefile" "$top/VERSION" "$dest/"
	for f in "$top"/src/*.[ch] "$top/src/Kbuild"; do
		case $f in */compat-gen.h | */*.mod.c) continue ;; esac
		install -m 0644 "$f" "$dest/src/"
	done
	for f in "$top"/src/probes/canary.c "$top"/src/probes/*/HAVE_*.c; do
		install -D -m 0644 "$f" "$dest/src/probes/${f#"$top"/src/probes/}"
	done
	install -m 0644 "$top"/common/*.[ch] "$dest/common/"
	install -m 0644 "$top"/include/*.h "$dest/include/"
	install -m 0755 "$top/scripts/check-kernel-safe.sh" \
		"$top/scripts/compat-probe.sh" "$top/scripts/dkms-kernels.sh" \
		"$dest/scripts/"
}

# Headers and shell completion that go with the tools.
do_install_extras() {
	local root=${1:?usage: package.sh install-extras ROOT} f
	install -d "$root/usr/include/vexfs"
	install -m 0644 "$top/include/vexfs_format.h" "$top/include/vexfs_uapi.h" \
		"$root/usr/include/vexfs/"
	install -D -m 0644 "$top/userspace/completion/vexctl" \
		"$root/usr/share/bash-completion/completions/vexctl"
}

# The Python package: its modules only (no compiled extension, so one
# package serves every python3; bytecode is made at first import).
do_install_python() {
	local root=${1:?usage: package.sh install-python ROOT [SITEDIR]}
	local site=${2:-/usr/lib/python3/dist-packages}
	install -d "$root$site/vexfs"
	install -m 0644 "$top"/userspace/python/vexfs/*.py "$root$site/vexfs/"
}

case ${1:-} in
dist) do_dist ;;
deb) do_deb ;;
rpm) do_rpm ;;
install-dkms) do_install_dkms "${2:-}" ;;
install-extras) do_install_extras "${2:-}" ;;
install-python) do_install_python "${2:-}" "${3:-}" ;;
lintian) do_lintian ;;
rpmlint) do_rpmlint ;;
*)
	sed -n '4,33p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
