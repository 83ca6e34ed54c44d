#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prefetch.sh [--all] - make the matrix's chroots and fetch the kernels it
# boots, ahead of the matrix suite.
#
# tests/run-all.sh starts this in the background when `make check`
# begins: debootstrap and apt wait on the network and the disk far more
# than on the processors, so they overlap well with the VM suites that
# run first.  The matrix suite later calls chroot.sh make and
# fetch-kernel.sh itself; their locks make it wait for work still under
# way here and then find it done.  The kernels fetched are those the
# matrix suite boots: the oldest and the newest, or all with --all.
# Errors are left for the matrix suite to report: its own calls redo
# what failed here, and fail with the reason.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/matrix

pids=()
for rel in $(awk '$1 !~ /^#/ && NF { print $1 }' "$here/releases.conf" | awk '!seen[$0]++'); do
	"$here/chroot.sh" make "$rel" >/dev/null &
	pids+=($!)
done
wait "${pids[@]}"

mapfile -t kvers < <("$here/kernels.sh" | cut -d' ' -f2)
[ ${#kvers[@]} -gt 0 ] || exit 1
if [ "${1:-}" = --all ]; then
	"$here/fetch-kernel.sh" "${kvers[@]}"
else
	"$here/fetch-kernel.sh" "${kvers[0]}" "${kvers[${#kvers[@]} - 1]}"
fi
