# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - helpers for guest test scripts (busybox sh).  Source it:
#   . /tests/lib.sh
#
# check NAME CMD...        PASS if CMD succeeds, FAIL otherwise
# check_fails NAME CMD...  PASS if CMD fails
# check_eq NAME GOT WANT   PASS if the two strings are equal
# check_rc NAME WANT CMD...   PASS if CMD exits with status WANT
# check_out NAME PATTERN CMD...  PASS if CMD succeeds and its output (with
#                          stderr) has PATTERN, which may not be empty
# check_err NAME RC PATTERN CMD...  PASS if CMD exits with status RC and its
#                          output (with stderr) has PATTERN, not empty
# dmesg_count PATTERN      lines of the kernel log matching PATTERN
# fresh_vexfs DEV [MKFS-OPTIONS...]  make a filesystem on DEV, quietly
#
# Every check prints exactly one PASS:/FAIL: line; the run-vm.sh harness
# collects them.  A failing check prints the command's output under it.

failures=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name"
		echo "$out" | sed 's/^/    /'
	fi
}

check_fails() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		fail "$name (succeeded)"
		echo "$out" | sed 's/^/    /'
	else
		pass "$name"
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1"
		echo "    got:  $2"
		echo "    want: $3"
	fi
}

check_rc() {
	name=$1 want=$2
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ]; then
		pass "$name"
	else
		fail "$name (exit $rc, want $want)"
		echo "$out" | sed 's/^/    /'
	fi
}

# out_has NAME RC-WANT PATTERN CMD...: check_out and check_err.  An empty
# PATTERN would match anything, so it is a FAIL of the test itself.
out_has() {
	name=$1 want=$2 pat=$3
	shift 3
	if [ -z "$pat" ]; then
		fail "$name (empty pattern: the check could never fail)"
		return
	fi
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$name (exit $rc, want $want)"
		echo "$out" | sed 's/^/    /'
		return
	fi
	case $out in
	*"$pat"*) pass "$name" ;;
	*) fail "$name (no '$pat' in the output)"; echo "$out" | sed 's/^/    /' ;;
	esac
}

check_out() {
	name=$1 pat=$2
	shift 2
	out_has "$name" 0 "$pat" "$@"
}

check_err() {
	name=$1 want=$2 pat=$3
	shift 3
	out_has "$name" "$want" "$pat" "$@"
}

dmesg_count() {
	dmesg | grep -c -- "$1"
}

fresh_vexfs() {
	dev=$1
	shift
	mkfs.vexfs -q -F "$@" "$dev"
}

# Exit with the number of failures (capped), as the harness expects.
finish() {
	[ "$failures" -eq 0 ]
	exit $?
}
