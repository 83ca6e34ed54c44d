#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the kernel's coding style over src/ and common/
# (scripts/checkpatch.sh, `make checkpatch`): every finding fixed or
# listed, with its reason, in scripts/checkpatch.exceptions.  First the
# check proves it bites: a file with a style error must fail it.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/vexfs-checkpatch.XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0

# A function brace on the line of its declaration, and a C99 comment.
printf '// SPDX-License-Identifier: GPL-2.0\nint f(void) {\n\treturn 0; // no\n}\n' \
	>"$work/bad.c"
"$top/scripts/checkpatch.sh" "$work/bad.c" >"$work/bad.out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q OPEN_BRACE "$work/bad.out"; then
	echo "PASS: checkpatch/finds_a_style_error"
else
	echo "FAIL: checkpatch/finds_a_style_error (exit $rc)"
	sed 's/^/    /' "$work/bad.out"
	failed=1
fi

if "$top/scripts/checkpatch.sh" >"$work/out" 2>&1; then
	echo "PASS: checkpatch/src_and_common ($(tail -n 1 "$work/out"))"
else
	echo "FAIL: checkpatch/src_and_common"
	sed 's/^/    /' "$work/out"
	failed=1
fi
exit $failed
