#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - fuzz libvexfs's image parser and fsck's check-only path.
#
#   tests/fuzz/run.sh            a brief run (FUZZ_TIME, default 60 s)
#   FUZZ_TIME=3600 tests/fuzz/run.sh   (make fuzz runs this long)
#
# Builds tests/fuzz/fuzz_fsck.c and the library with clang
# -fsanitize=fuzzer,address,undefined, generates the seed corpus from real
# images (mkfs.vexfs -d of small trees, at build time: nothing is
# committed), then runs libFuzzer with the corpus kept in build/fuzz/corpus
# between runs.  A crash, sanitizer report, leak, timeout (10 s per input)
# or out-of-memory is a FAIL, with the reproducer in build/fuzz/.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
time=${FUZZ_TIME:-60}
version=$(cat "$top/VERSION")

if ! command -v clang >/dev/null; then
	echo "SKIP: fuzz/fsck (clang not installed)"
	exit 0
fi
mkdir -p "$out/seeds" "$out/corpus"
if ! clang -g -O1 -std=gnu11 -D_GNU_SOURCE -DVEXFS_VERSION="\"$version\"" \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$top/include" -I"$top/userspace/lib" -o "$out/fuzz_fsck" \
	"$top/tests/fuzz/fuzz_fsck.c" "$top"/userspace/lib/*.c 2>"$out/build.log"; then
	cat "$out/build.log"
	echo "FAIL: fuzz/build"
	exit 1
fi

# Seeds: small real images with every structure the format has.
make -s -C "$top/userspace" all >/dev/null || { echo "FAIL: fuzz/seeds (tools)"; exit 1; }
make -s -C "$top/tests/vm/progs" bin/xattr >/dev/null 2>&1 || true
mkfs=$top/userspace/mkfs/mkfs.vexfs
xattr=$top/tests/vm/progs/bin/xattr
seed() {	# seed NAME KiB [mkfs options...]
	local name=$1 kib=$2
	shift 2
	rm -f "$out/seeds/$name"
	truncate -s "${kib}K" "$out/seeds/$name"
	"$mkfs" -q -b 1024 "$@" "$out/seeds/$name" >/dev/null
}
src=$out/src
rm -rf "$src"
mkdir -p "$src/a/b" "$src/d"
echo hello >"$src/a/file"
ln "$src/a/file" "$src/a/b/hard"
ln -s file "$src/link"
ln -s "$(printf 'x%.0s' $(seq 1 150))" "$src/a/longlink"
head -c 5000 /dev/zero | tr '\0' z >"$src/d/big"
mkfifo "$src/d/fifo"
[ -x "$xattr" ] && "$xattr" set "$src/a/file" user.k v &&
	"$xattr" set "$src/d/big" user.big "$(head -c 1500 /dev/zero | tr '\0' v)"
mkdir -p "$src/many"
for i in $(seq 1 60); do : >"$src/many/entry_number_$i"; done
seed empty 64
seed tree 192 -N 128 -d "$src"
seed tree2k 256 -b 2048 -N 128 -d "$src"
seed inodes 96 -N 32 -d "$src/a"

"$out/fuzz_fsck" -max_total_time="$time" -max_len=262144 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" \
	"$out/corpus" "$out/seeds" >"$out/fuzz.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
if [ $rc -eq 0 ]; then
	echo "PASS: fuzz/fsck_check_only (${time} s, ${execs:-?} executions)"
else
	grep -E -A30 'ERROR|runtime error|deadly|timeout|leak' "$out/fuzz.log" | head -n 60
	echo "FAIL: fuzz/fsck_check_only (see $out/fuzz.log and $out/crash-*)"
fi
exit $rc
