#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh - the kernels every test run covers, one version per line:
# the newest Debian 12 linux-image of the 6.1 series (6.1.0-N-amd64) and
# of the 6.12 series (6.12.N+deb12-amd64) that apt knows about.
# $VEXFS_KERNELS (space-separated) overrides the choice.
set -eu

# VEXFS_KERNELS="KVER..." restricts a run to those kernels (iterating).
if [ -n "${VEXFS_KERNELS:-}" ]; then
	printf '%s\n' $VEXFS_KERNELS
	exit 0
fi

newest() {
	apt-cache search --names-only "$1" 2>/dev/null |
		awk '{ sub(/^linux-image-/, "", $1); print $1 }' |
		grep -E "$2" | sort -V | tail -n 1
}

k61=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64$' '^6\.1\.0-[0-9]+-amd64$')
k612=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' '^6\.12\.[0-9]+\+deb12-amd64$')

if [ -z "$k61" ] || [ -z "$k612" ]; then
	echo "kernels.sh: cannot find the Debian 6.1 and 6.12 kernels in apt (run apt-get update?)" >&2
	exit 1
fi
printf '%s\n%s\n' "$k61" "$k612"
