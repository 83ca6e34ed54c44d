#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the fsck fixtures, e2fsprogs style.  Each tests/fsck/<case>/
# holds:
#   script     builds test.img with mkfs.vexfs and damages it precisely
#              (bash, sourced with tools/common.sh in a fresh directory)
#   expect.1   the first fsck run's output and "Exit status is N"
#   expect.2   the second run's: a repaired filesystem must be clean
#   opts       optional: FIRST=... and SECOND=... fsck options (default -fy);
#              f_no_changes runs -fn twice (the second run shows that the
#              first wrote nothing) and f_preen_unsafe runs -p, then -fy
#              (the manual run preen asked for)
# Prints PASS:/FAIL: per case.  UPDATE=1 writes the expect files instead
# (review them before committing).  Host-only: no VM.  To run the tools
# under ASan/UBSan: make -C userspace clean; make -C userspace
# SANITIZE=address,undefined; SANITIZE=address,undefined tests/fsck/run.sh
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cases=$top/tests/fsck
work=$top/build/fsck-tests
failed=0

make -s -C "$top/userspace" all >/dev/null || { echo "FAIL: fsck/build"; exit 1; }
make -s -C "$top/tests/vm/progs" bin/xattr >/dev/null 2>&1 ||
	{ echo "FAIL: fsck/build (xattr)"; exit 1; }
mkdir -p "$work"
# SANITIZE=address,undefined: when userspace/ was built with it too
gcc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -I"$top/include" \
	${SANITIZE:+-fsanitize=$SANITIZE} \
	-I"$top/userspace/lib" -o "$work/vexfs-damage" \
	"$cases/tools/vexfs-damage.c" "$top/userspace/lib/libvexfs.a" ||
	{ echo "FAIL: fsck/build (vexfs-damage)"; exit 1; }
gcc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -I"$top/include" \
	${SANITIZE:+-fsanitize=$SANITIZE} \
	-I"$top/userspace/lib" -o "$work/vexfs-journal" \
	"$cases/tools/vexfs-journal.c" "$top/userspace/lib/libvexfs.a" ||
	{ echo "FAIL: fsck/build (vexfs-journal)"; exit 1; }

export MKFS=$top/userspace/mkfs/mkfs.vexfs
export FSCK=$top/userspace/fsck/fsck.vexfs
export DAMAGE=$work/vexfs-damage
export JOURNAL=$work/vexfs-journal
export XATTR=$top/tests/vm/progs/bin/xattr
export VEXCTL=$top/userspace/vexctl/vexctl

# run_fsck OPTIONS: fsck test.img, its output and exit status
run_fsck() {
	local rc
	# shellcheck disable=SC2086
	"$FSCK" $1 test.img 2>&1
	rc=$?
	echo "Exit status is $rc"
}

for dir in "$cases"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/script" ] || continue
	rm -rf "${work:?}/$name"
	mkdir -p "$work/$name"
	FIRST=-fy SECOND=-fy
	# shellcheck disable=SC1091
	[ -f "$dir/opts" ] && . "$dir/opts"
	if ! (cd "$work/$name" && . "$cases/tools/common.sh" && . "$dir/script") \
		>"$work/$name/script.log" 2>&1; then
		echo "FAIL: fsck/$name (script)"
		sed 's/^/    /' "$work/$name/script.log"
		failed=1
		continue
	fi
	(cd "$work/$name" && run_fsck "$FIRST") >"$work/$name/out.1"
	(cd "$work/$name" && run_fsck "$SECOND") >"$work/$name/out.2"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$work/$name/out.1" "$dir/expect.1"
		cp "$work/$name/out.2" "$dir/expect.2"
	fi
	ok=1
	for n in 1 2; do
		if ! diff -u "$dir/expect.$n" "$work/$name/out.$n" >"$work/$name/diff.$n"; then
			ok=0
			echo "    $name: run $n differs from expect.$n:"
			sed 's/^/    /' "$work/$name/diff.$n"
		fi
	done
	if [ $ok = 1 ]; then
		echo "PASS: fsck/$name"
	else
		echo "FAIL: fsck/$name"
		failed=1
	fi
done
exit $failed
