#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unit tests (cmocka): built and run twice, plainly and under
# AddressSanitizer and UndefinedBehaviorSanitizer.  Prints one PASS:/FAIL:
# line per test case (from cmocka's TAP output) and cmocka's summaries.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/unit
mkdir -p "$out"
failed=0
version=$(cat "$top/VERSION")
# libvexfs: its own files and the ones it shares with the kernel (common/)
libsrc=("$top"/userspace/lib/*.c "$top"/common/*.c)
# fsck's checker, without its main.c (test_lib and test_journal run it)
for f in "$top"/userspace/fsck/*.c; do
	[ "${f##*/}" = main.c ] || libsrc+=("$f")
done
common_nohnsw=()
for f in "$top"/common/*.c; do
	[ "$(basename "$f")" = hnsw.c ] || common_nohnsw+=("$f")
done

# run_tap VARIANT NAME BIN: run a cmocka test binary, print its TAP
# results as PASS:/FAIL: lines, and set failed=1 if it failed.
run_tap() {
	local variant=$1 name=$2 bin=$3 rc
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$bin.tap" 2>&1
	rc=$?
	awk -v p="unit/$variant/$name/" '
		/^ok / { sub(/^ok [0-9]+ - /, ""); print "PASS: " p $0 }
		/^not ok / { sub(/^not ok [0-9]+ - /, ""); print "FAIL: " p $0 }
		/^#/ { print }' "$bin.tap"
	if [ $rc -ne 0 ]; then
		grep -v -E '^(ok|not ok|1\.\.)' "$bin.tap" | head -n 20
		grep -q '^not ok' "$bin.tap" ||
			echo "FAIL: unit/$variant/$name (exit $rc)"
		failed=1
	fi
}

for variant in plain asan; do
	flags=(-O1 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
	       -DVEXFS_VERSION="\"$version\"" -I"$top/include"
	       -I"$top/common" -I"$top/userspace/lib" -I"$top/userspace/fsck")
	[ $variant = asan ] &&
		flags+=(-fsanitize=address,undefined -fno-sanitize-recover=all
			-fno-omit-frame-pointer)
	for src in "$top"/tests/unit/test_*.c; do
		name=$(basename "$src" .c)
		bin=$out/$name-$variant
		if ! gcc "${flags[@]}" -o "$bin" "$src" "${libsrc[@]}" -lcmocka -lmpfr -lgmp -lm \
			2>"$bin.err"; then
			cat "$bin.err"
			echo "FAIL: unit/$variant/$name (build)"
			failed=1
			continue
		fi
		run_tap "$variant" "$name" "$bin"
	done
	# cmocka's own closing line for the whole variant
	echo "[==========] unit tests ($variant) done"
done

# The HNSW core as the kernel compiles it (no SIMD registers), linked
# under the same tests; its code distances are the islands of
# common/simd_islands.c, as in the kernel (test_simd compares them).
variant=kflags name=test_hnsw bin=$out/test_hnsw-kflags
flags=(-O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
       -DVEXFS_VERSION="\"$version\"" -I"$top/include" -I"$top/common"
       -I"$top/userspace/lib")
if gcc "${flags[@]}" -mgeneral-regs-only -c -o "$out/hnsw-kflags.o" \
	"$top/common/hnsw.c" 2>"$bin.err" &&
   gcc "${flags[@]}" -o "$bin" "$top/tests/unit/test_hnsw.c" \
	"$top"/userspace/lib/*.c "${common_nohnsw[@]}" "$out/hnsw-kflags.o" -lcmocka -lmpfr -lgmp -lm 2>>"$bin.err"; then
	run_tap "$variant" "$name" "$bin"
else
	cat "$bin.err"
	echo "FAIL: unit/$variant/$name (build)"
	failed=1
fi
echo "[==========] unit tests ($variant) done"
exit $failed
