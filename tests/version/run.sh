#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/version/run.sh - one version everywhere.
#
# VERSION holds the version; each other place that states it must agree:
# CHANGELOG's latest release heading, debian/changelog, the spec's Version
# and newest %changelog entry, dkms.conf's PACKAGE_VERSION, the module's
# MODULE_VERSION (src/Kbuild passes VERSION as VEXFS_VERSION; every built
# vexfs.ko is checked with modinfo), `vexctl --version` and the Python
# package's __version__.  The release
# dates of CHANGELOG, debian/changelog and the spec must agree too.
# One PASS:/FAIL: line per comparison.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
failed=0

pass() { echo "PASS: $1"; }
fail() {
	echo "FAIL: $1"
	failed=1
}

# same NAME GOT: compare GOT with VERSION.
same() {
	if [ "$2" = "$version" ]; then
		pass "$1"
	else
		fail "$1"
		echo "    got:  '$2'"
		echo "    want: '$version' (VERSION)"
	fi
}

version=$(cat VERSION 2>/dev/null)
if [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	pass "version_file_is_semver"
else
	fail "version_file_is_semver"
	echo "    VERSION: '$version'"
fi

# Keep a Changelog: "## [X.Y.Z] - YYYY-MM-DD"; [Unreleased] is not a release.
heading=$(grep -m1 -E '^## \[[0-9]' CHANGELOG 2>/dev/null)
same changelog_latest_release "$(sed -E 's/^## \[([^]]*)\].*/\1/' <<<"$heading")"
cl_date=$(sed -nE 's/^## \[[^]]*\] - ([0-9]{4}-[0-9]{2}-[0-9]{2})$/\1/p' <<<"$heading")

# debian/changelog: "vexfs (VERSION) ..." for the native package; a Debian
# revision (-N) or epoch (N:), should the packaging ever get one, is not
# the upstream version.
deb_version=$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null ||
	sed -nE '1s/^vexfs \(([^)]*)\).*/\1/p' debian/changelog)
deb_upstream=${deb_version#*:}
deb_upstream=${deb_upstream%-*}
same debian_changelog "$deb_upstream"
if [ "$(sed -nE '1s/^([a-z0-9.+-]+) .*/\1/p' debian/changelog)" = vexfs ]; then
	pass "debian_changelog_source_is_vexfs"
else
	fail "debian_changelog_source_is_vexfs"
fi

spec=rpm/vexfs.spec
same spec_version "$(sed -nE 's/^Version:[[:space:]]*([^[:space:]]+).*/\1/p' $spec | head -n 1)"
# "* Tue Nov 24 2026 Name <mail> - 0.1.0-1"
spec_entry=$(sed -n '/^%changelog/,$p' $spec | grep -m1 '^\* ')
spec_cl=$(sed -E 's/.* - ([^ ]+)$/\1/' <<<"$spec_entry")
same spec_changelog "${spec_cl%-*}"

same dkms_conf_package_version \
	"$(sed -nE 's/^PACKAGE_VERSION="?([^"]*)"?$/\1/p' dkms.conf)"

# The module's version comes from VERSION through src/Kbuild.
if grep -q 'MODULE_VERSION(VEXFS_VERSION)' src/*.c &&
	grep -Eq 'VEXFS_VERSION[[:space:]]*:?=[[:space:]]*\$\(shell cat \$\(src\)/\.\./VERSION\)' src/Kbuild &&
	grep -q -- "-DVEXFS_VERSION='\"\$(VEXFS_VERSION)\"'" src/Kbuild; then
	pass "module_version_from_version_file"
else
	fail "module_version_from_version_file"
	echo "    want MODULE_VERSION(VEXFS_VERSION) in src/*.c and src/Kbuild"
	echo "    defining VEXFS_VERSION from ../VERSION"
fi
modules=$(ls src/vexfs.ko build/*/vexfs.ko 2>/dev/null)
if [ -z "$modules" ]; then
	echo "SKIP: built_module_version (no vexfs.ko built)"
fi
for ko in $modules; do
	# A stale module from an older VERSION is not a packaging fault.
	[ "$ko" -nt VERSION ] || continue
	same "built_module_version ($ko)" "$(modinfo -F version "$ko" 2>/dev/null)"
done

# vexctl --version prints "vexctl VERSION".
if [ ! -x userspace/vexctl/vexctl ]; then
	make -s -C userspace vexctl/vexctl >/dev/null 2>&1
fi
same vexctl_version "$(userspace/vexctl/vexctl --version 2>/dev/null | awk 'NR == 1 { print $NF }')"

# The Python package's vexfs.__version__ (read, not imported: no numpy
# needed here).
same python_package_version "$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' \
	userspace/python/vexfs/__init__.py)"

# The release dates.
deb_date=$(date -u -d "$(dpkg-parsechangelog -l debian/changelog -S Date 2>/dev/null)" +%F 2>/dev/null)
spec_date=$(date -u -d "$(awk '{ print $2, $3, $4, $5 }' <<<"$spec_entry")" +%F 2>/dev/null)
if [ -n "$cl_date" ] && [ "$cl_date" = "$deb_date" ] && [ "$cl_date" = "$spec_date" ]; then
	pass "release_dates_agree"
else
	fail "release_dates_agree"
	echo "    CHANGELOG '$cl_date', debian/changelog '$deb_date', spec '$spec_date'"
fi

exit $failed
