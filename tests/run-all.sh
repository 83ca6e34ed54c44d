#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-all.sh - run every test suite (tests/*/run.sh) and summarize.
#
# Each suite prints one "PASS: name" / "FAIL: name" / "SKIP: name" line per
# test case and exits non-zero when something failed.  The closing line,
# "N passed, N failed, N skipped", is what CI reads; above it, every SKIP
# line is repeated with its suite, so that each skip's reason is seen.  A
# SKIP must say why in its line: one that names no reason is a FAIL.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
log=$top/build/test-logs
mkdir -p "$log"
passed=0 failed=0 skipped=0 broken=() skips=()
start=$(date +%s)

# The matrix suite's chroots and kernels come from the network: start
# fetching them now, so that the wait overlaps the suites before it
# (tests/matrix/prefetch.sh; the suite's own calls wait on its locks).
prefetch=
if [ "$(id -u)" = 0 ] && [ -x "$top/tests/matrix/prefetch.sh" ]; then
	"$top/tests/matrix/prefetch.sh" >"$log/matrix-prefetch.log" 2>&1 &
	prefetch=$!
fi

for run in "$top"/tests/*/run.sh; do
	suite=$(basename "$(dirname "$run")")
	echo "=== $suite"
	t0=$(date +%s)
	"$run" 2>&1 | tee "$log/$suite.log"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS: ' "$log/$suite.log")
	f=$(grep -c '^FAIL: ' "$log/$suite.log")
	s=$(grep -c '^SKIP: ' "$log/$suite.log")
	while IFS= read -r line; do
		skips+=("$suite: ${line#SKIP: }")
	done < <(grep '^SKIP: ' "$log/$suite.log")
	# A reason is the "(...)" the line ends with.
	if grep '^SKIP: ' "$log/$suite.log" | grep -qv ')$'; then
		echo "FAIL: $suite (a SKIP line gives no reason in parentheses)"
		f=$((f + 1))
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# A suite that dies without naming a failure is still a failure.
		echo "FAIL: $suite (exit status $rc)"
		failed=$((failed + 1))
	fi
	[ "$rc" -eq 0 ] || broken+=("$suite")
	echo "=== $suite: $p passed, $f failed, $s skipped in $(($(date +%s) - t0)) s"
done

[ -z "$prefetch" ] || wait "$prefetch" || true

echo
if [ ${#skips[@]} -gt 0 ]; then
	echo "skipped, and why:"
	printf '  %s\n' "${skips[@]}"
fi
echo "total wall time: $(($(date +%s) - start)) s; logs in $log"
[ ${#broken[@]} -eq 0 ] || echo "failing suites: ${broken[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
