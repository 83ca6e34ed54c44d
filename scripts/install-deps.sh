#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh - install what building and testing VexFS needs.
#
# usage: install-deps.sh [EXTRA...]
#
# The packages are the union of scripts/deps/*.list, of
# scripts/deps/extra/EXTRA.list for each EXTRA named (the benchmarks'
# tools, which `make check` does not need), plus the image and headers
# of each kernel tests/vm/kernels.sh names.  Idempotent and quick when
# everything is there already; needs root (apt-get) otherwise.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

apt_updated=0
apt_update() {
	if [ $apt_updated = 0 ]; then
		apt-get update -q >/dev/null
		apt_updated=1
	fi
}

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

lists=("$top"/scripts/deps/*.list)
for extra in "$@"; do
	lists+=("$top/scripts/deps/extra/$extra.list")
done
wanted=$(cat "${lists[@]}" | sed 's/#.*//' | tr -s ' \t' '\n' | sort -u)
# shellcheck disable=SC2086
todo=$(missing $wanted)

# apt-cache needs package lists before kernels.sh can pick the kernels.
kernels=$("$top/tests/vm/kernels.sh" 2>/dev/null) || {
	apt_update
	kernels=$("$top/tests/vm/kernels.sh")
}
for k in $kernels; do
	todo="$todo $(missing "linux-image-$k" "linux-headers-$k")"
done
todo=$(echo $todo)

if [ -n "$todo" ]; then
	echo "install-deps.sh: installing $todo"
	apt_update
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $todo
fi
