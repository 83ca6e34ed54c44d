#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - hostile images: mount, walk and change corrupted filesystems.
#
# Environment:
#   N     images per kernel after the regression seeds (default 200)
#   SEED  first seed of the range (default: random, printed)
#   VEXFS_KERNELS  kernels to run on (default: tests/vm/kernels.sh)
#
# One VM boot per kernel runs tests/fuzz-images/guest.sh, which builds the
# base image with that kernel and then, seed by seed, corrupts it with
# vexfs-fuzz and walks it with fuzz-walk.  The seeds of ./regressions run
# first.  Any Oops, BUG, WARNING, hung task or soft lockup in the kernel
# log, and any walk or umount that does not finish, fails the run and
# names the seed: `make fuzz-images N=1 SEED=<seed>` replays it.

# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" fuzz-images
n=${N:-200}
seed=${SEED:-$(( ($(od -An -N4 -tu4 /dev/urandom) % 1000000) * 1000 ))}
suite_build_userspace
suite_tool -static vexfs-fuzz "$here/vexfs-fuzz.c" -g
suite_prog fuzz-walk "$here/fuzz-walk.c" -g

regs=$(awk '/^[0-9]/ { print $1 }' "$here/regressions")
nregs=$(echo $regs | wc -w)
# TCG runs about 1.5 images a second; leave a wide margin, plus the base.
timeout=$(( 300 + (n + nregs) * 4 ))
echo "fuzz-images: $nregs regression seeds, then seeds $seed..$((seed + n - 1)); replay one with: make fuzz-images N=1 SEED=<seed>"

# Floors for the outcomes, in percent of the images: a generator that
# stopped reaching the kernel's checks (every image refused at mount, or
# none) would still find no oops, so each outcome must keep a share.
# A normal run (6.12, N=200 plus the regression seed, 2026-12) gave 36
# images mounted and walked cleanly (18%), 18 refused at mount (9%) and
# 147 with errors during the walk (73%).  At the default N=200 the floors
# ask for 6 clean, 5 refused and 81 with walk errors: each at least 3
# standard deviations under its expected count (36, 18, 147), so that a
# healthy run misses one about once in a thousand runs or less, while a
# generator that lost a kind of image fails at once.
FLOOR_OK_PCT=3
FLOOR_REFUSED_PCT=2
FLOOR_ERRORS_PCT=40
FLOORS_MIN_IMAGES=100	# fewer (a replay with N=1): the shares mean nothing

# outcome_floors SERIES TOTAL OK REFUSED ERRS: PASS/FAIL per outcome.
outcome_floors() {
	local series=$1 total=$2 failed=0 name count floor
	if [ "$total" -ne $((n + nregs)) ]; then
		echo "FAIL: $series/fuzz-images/every-image-has-an-outcome ($total of $((n + nregs)))"
		failed=1
	else
		echo "PASS: $series/fuzz-images/every-image-has-an-outcome ($total)"
	fi
	if [ "$total" -lt $FLOORS_MIN_IMAGES ]; then
		echo "SKIP: $series/fuzz-images/outcome-floors (only $total images, the floors need $FLOORS_MIN_IMAGES)"
		return $failed
	fi
	for name in mounted-ok:$3:$FLOOR_OK_PCT mount-refused:$4:$FLOOR_REFUSED_PCT \
		walk-errors:$5:$FLOOR_ERRORS_PCT; do
		IFS=: read -r name count floor <<<"$name"
		if [ $((count * 100)) -ge $((floor * total)) ]; then
			echo "PASS: $series/fuzz-images/outcome-floor-$name ($count of $total, floor $floor%)"
		else
			echo "FAIL: $series/fuzz-images/outcome-floor-$name ($count of $total, below $floor%: is vexfs-fuzz still making that kind of image?)"
			failed=1
		fi
	done
	return $failed
}

# fuzz_kernel KVER SERIES: one kernel's images, then its panic boot; runs
# beside the other kernel (tests/vm/each-kernel.sh).
fuzz_kernel() {
	local kver=$1 series=$2 failed=0
	suite_module "$kver" "$series/fuzz-images/module-build" || return 1
	console=$work/console-$kver.log
	results=$work/results-$kver.log
	t0=$(date +%s)
	"$vm/run-vm.sh" -v -k "$kver" -t "$timeout" -l "$console" \
		-b "$work/vexfs-fuzz" -b "$work/fuzz-walk" \
		-b "$here/errors.sh:/fuzz/errors.sh" \
		"$here/guest.sh" "$seed" "$n" $regs >"$results" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	# Prefix the guest's verdicts with the series, as run-vm.sh does.
	awk -v s="$series" '/^(PASS|FAIL|SKIP): fuzz-images\// { sub(/: /, ": " s "/") } /^(PASS|FAIL|SKIP): / { print }' "$results"
	if [ $rc -ne 0 ]; then
		failed=1
		bad='Oops|BUG:|WARNING:|general protection fault|hung task|blocked for more than|soft lockup|Call Trace|Kernel panic|Busy inodes'
		first_bad=$(grep -n -m1 -E "$bad" "$console" | cut -d: -f1)
		if [ -n "$first_bad" ]; then
			culprit=$(head -n "$first_bad" "$console" |
				awk '/fuzz-images: (seed|case) / { s = $(NF - 1) "-" $NF } END { print s }')
			echo "FAIL: $series/fuzz-images/${culprit:-?} (kernel oops/BUG/WARNING/hang; replay: make fuzz-images N=1 SEED=${culprit#seed-})"
			grep -E -A25 "$bad" "$console" | head -n 60 | sed 's/^/  console: /'
		else
			# No oops: a hang that no detector saw, or a failed check.
			last=$(awk '/fuzz-images: (seed|case) / { s = $(NF - 1) " " $NF } END { print s }' "$console")
			echo "fuzz-images: $series: the last image started was ${last:-none}"
		fi
		grep -v -E '^(PASS|SKIP): |^outcome ' "$results" | tail -n 20 | sed 's/^/  guest: /'
	fi
	ok=$(grep -c '^outcome .* mounted-ok' "$results")
	refused=$(grep -c '^outcome .* mount-refused' "$results")
	errs=$(grep -c '^outcome .* walk-errors' "$results")
	echo "fuzz-images: $series: $((ok + refused + errs)) images in ${secs} s: $ok mounted and walked cleanly, $refused mount refused, $errs errors during the walk"
	outcome_floors "$series" $((ok + refused + errs)) "$ok" "$refused" "$errs" || failed=1

	# errors=panic must panic: a short boot of its own that may not return.
	pconsole=$work/console-panic-$kver.log
	"$vm/run-vm.sh" -k "$kver" -t 120 -l "$pconsole" \
		-b "$work/vexfs-fuzz" -b "$work/fuzz-walk" "$here/errors.sh" panic >"$work/results-panic-$kver.log" 2>&1
	if grep -q 'vexfs (loop1): panic forced after error' "$pconsole" &&
	   grep -q 'Kernel panic' "$pconsole"; then
		echo "PASS: $series/fuzz-images/errors/panic-panics-on-corruption"
	else
		echo "FAIL: $series/fuzz-images/errors/panic-panics-on-corruption"
		tail -n 20 "$pconsole" | sed 's/^/  console: /'
		failed=1
	fi
	return $failed
}

suite_each_kernel fuzz_kernel
