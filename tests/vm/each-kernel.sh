# SPDX-License-Identifier: GPL-2.0
#
# each-kernel.sh - source it from a suite's run.sh (bash), or source
# tests/vm/suite.sh, which does and ends with suite_each_kernel:
#
#   . "$top/tests/vm/each-kernel.sh"
#   each_kernel FUNCTION
#
# runs FUNCTION KVER SERIES for every kernel tests/vm/kernels.sh names,
# one per host core at a time: each guest runs single-threaded TCG, so
# two kernels keep two cores busy, and more would only slow each guest
# down (and its timing-sensitive steps with it).  Each kernel's output is
# held back and printed whole, in kernel order, so PASS:/FAIL: lines
# never interleave.  FUNCTION must keep its files apart per kernel
# (build/KVER/... or a directory named after SERIES).  Returns non-zero
# if any run did.  VEXFS_JOBS=N runs N at a time; VEXFS_SERIAL=1 is
# VEXFS_JOBS=1.

. "$top/tests/vm/kernel-lib.sh"

each_kernel() {
	local fn=$1 kver series rc=0 i=0 jobs
	local -a kvers=() pids=() logs=()
	local tmp

	jobs=${VEXFS_JOBS:-$(nproc)}
	[ "${VEXFS_SERIAL:-0}" = 1 ] && jobs=1

	tmp=$(mktemp -d /tmp/vexfs-each.XXXXXX)
	mapfile -t kvers < <("$top/tests/vm/kernels.sh")
	if [ ${#kvers[@]} -eq 0 ]; then
		echo "FAIL: kernels (tests/vm/kernels.sh named none)"
		rm -rf "$tmp"
		return 1
	fi
	for kver in "${kvers[@]}"; do
		series=$(kernel_series "$kver")
		logs[i]=$tmp/$i.log
		while [ "$(jobs -pr | wc -l)" -ge "$jobs" ]; do
			wait -n
		done
		( "$fn" "$kver" "$series" >"${logs[i]}" 2>&1
		  echo $? >"$tmp/$i.rc" ) &
		pids[i]=$!
		i=$((i + 1))
	done
	for i in "${!kvers[@]}"; do
		[ -z "${pids[i]:-}" ] || wait "${pids[i]}"
		cat "${logs[i]}"
		[ "$(cat "$tmp/$i.rc" 2>/dev/null)" = 0 ] || rc=1
	done
	rm -rf "$tmp"
	return $rc
}
