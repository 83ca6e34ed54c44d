#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - kernel-API drift stays in one place, and the probes never guess.
#
#  1. no .c file of src/ names LINUX_VERSION_CODE, KERNEL_VERSION or a
#     HAVE_* probe result: only src/compat.h maps them;
#  2. every HAVE_* that src/compat.h tests is one a probe defines, and
#     every probe's HAVE_* is used there (a typo would silently pick the
#     other branch);
#  3. scripts/compat-probe.sh, run against a kernel of this machine on a
#     copy of the probe tree, stops with an error when a group's
#     alternatives all compile, when none does, and when the canary
#     fails; and accepts a sound tree.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/vexfs-compat.XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0

result() {
	if [ "$2" = 0 ]; then
		echo "PASS: compat/$1"
	else
		echo "FAIL: compat/$1"
		failed=1
	fi
}

# 1. Version tests and probe results outside compat.h.
hits=$(grep -nE 'LINUX_VERSION_CODE|KERNEL_VERSION\(|\bHAVE_[A-Z0-9_]+' "$top"/src/*.c || true)
[ -z "$hits" ] || echo "$hits" | sed 's/^/    /' >&2
result no_version_tests_in_c_files "$([ -z "$hits" ]; echo $?)"

# 2. compat.h and the probes name the same HAVE_* symbols.
used=$(grep -oE '\bHAVE_[A-Z0-9_]+' "$top/src/compat.h" | sort -u)
defined=$(find "$top/src/probes" -name 'HAVE_*.c' -printf '%f\n' | sed 's/\.c$//' | sort -u)
unknown=$(comm -23 <(echo "$used") <(echo "$defined"))
unused=$(comm -13 <(echo "$used") <(echo "$defined"))
[ -z "$unknown" ] || echo "    compat.h tests symbols no probe defines: $unknown" >&2
[ -z "$unused" ] || echo "    probes whose result compat.h never tests: $unused" >&2
result compat_h_matches_probes "$([ -z "$unknown$unused" ]; echo $?)"

# 3. The probe script on a kernel of this machine.
kdir=
for d in /lib/modules/*/build; do
	[ -e "$d/Makefile" ] && { kdir=$d; break; }
done
if [ -z "$kdir" ]; then
	echo "FAIL: compat/probes (no kernel headers on this machine; make deps installs them)"
	exit 1
fi

# probe_tree NAME: a copy of scripts/ with the real canary and no groups.
probe_tree() {
	local t=$work/$1
	mkdir -p "$t/scripts" "$t/src/probes"
	cp "$top/scripts/compat-probe.sh" "$t/scripts/"
	cp "$top/src/probes/canary.c" "$t/src/probes/"
	echo "$t"
}

# group TREE GROUP NAME BODY: one alternative of a probe group.
group() {
	mkdir -p "$1/src/probes/$2"
	printf '#include <linux/fs.h>\n%s\n' "$4" >"$1/src/probes/$2/$3.c"
}

yes='static int __used probe(struct inode *i) { return i->i_nlink != 0; }'
no='static int __used probe(struct inode *i) { return i->vexfs_no_such_member; }'

# expect TEST STATUS TREE: run the probes, expecting success (0) or not (1).
expect() {
	local rc=0
	"$3/scripts/compat-probe.sh" "$kdir" "$3/out.h" >"$3/log" 2>&1 || rc=1
	[ $rc = 1 ] && [ "$2" = 1 ] && ! grep -q 'compat-probe.sh:' "$3/log" && rc=2
	result "$1" "$([ "$rc" = "$2" ]; echo $?)"
}

t=$(probe_tree sound)
group "$t" member HAVE_GOOD "$yes"
group "$t" member HAVE_BAD "$no"
expect probes_decide_one_of_two 0 "$t"
grep -q '^#define HAVE_GOOD 1$' "$t/out.h" && ! grep -q '^#define HAVE_BAD' "$t/out.h"
result probes_define_the_winner $?

t=$(probe_tree both)
group "$t" member HAVE_A "$yes"
group "$t" member HAVE_B "$yes"
expect probes_refuse_two_winners 1 "$t"

t=$(probe_tree none)
group "$t" member HAVE_A "$no"
group "$t" member HAVE_B "$no"
expect probes_refuse_no_winner 1 "$t"

t=$(probe_tree canary)
group "$t" member HAVE_A "$yes"
group "$t" member HAVE_B "$no"
echo 'this is not C;' >>"$t/src/probes/canary.c"
expect probes_refuse_broken_canary 1 "$t"

exit $failed
