#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - fuzz libvexfs's image parser and fsck.
#
#   tests/fuzz/run.sh            a brief run (FUZZ_TIME, default 60 s)
#   FUZZ_TIME=3600 tests/fuzz/run.sh   (make fuzz runs this long)
#
# Two libFuzzer targets run side by side, one per core, each for two
# thirds of FUZZ_TIME (so the run takes that, not all of FUZZ_TIME):
#   fuzz_fsck    the image parser and fsck's check-only path (-fn)
#   fuzz_repair  fsck -fy, then -fn must find the result clean
# Both are built with the library by clang -fsanitize=fuzzer,address,
# undefined.  Inputs may be as large as the smallest image with a journal
# (2.25 MiB), so that the journal seeds, whose logs need recovery, are
# mutated whole: the -fn target scans their logs, the -fy target replays
# them.  The seed corpus is generated from real images (mkfs.vexfs -d
# of small trees, at run time: nothing is committed); each target keeps
# its corpus in build/fuzz/corpus-NAME between runs.  A crash, sanitizer
# report, leak, broken invariant, timeout (10 s per input) or
# out-of-memory is a FAIL, with the reproducer in build/fuzz/NAME-crash-*
# (replay: build/fuzz/fuzz_NAME FILE; FUZZ_VERBOSE=1 shows fsck's output).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
time=${FUZZ_TIME:-60}
version=$(cat "$top/VERSION")

if ! command -v clang >/dev/null; then
	echo "SKIP: fuzz/fsck (clang not installed)"
	exit 0
fi
mkdir -p "$out/seeds"
# fsck's checker, without its main.c
fsck_srcs=()
for f in "$top"/userspace/fsck/*.c; do
	[ "${f##*/}" = main.c ] || fsck_srcs+=("$f")
done
# build_target NAME: the fuzzer of fuzz_NAME.c; both build at once.
build_target() {
	local t=$1
	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -DVEXFS_VERSION="\"$version\"" \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$top/include" -I"$top/common" -I"$top/userspace/lib" \
		-I"$top/userspace/fsck" \
		-o "$out/fuzz_$t" "$top/tests/fuzz/fuzz_$t.c" \
		"$top"/userspace/lib/*.c "${fsck_srcs[@]}" \
		"$top"/common/*.c 2>"$out/build-$t.log"
}
build_target fsck &
fsck_build=$!
build_target repair
repair_rc=$?
wait $fsck_build
fsck_rc=$?
for t in fsck:$fsck_rc repair:$repair_rc; do
	[ "${t#*:}" = 0 ] && continue
	cat "$out/build-${t%:*}.log"
	echo "FAIL: fuzz/build (${t%:*})"
	exit 1
done

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
# A journal needing recovery (the smallest image with one: 1024 journal
# blocks), its log holding two committed transactions (one revoking) and
# a cut-off one, written by the fixtures' tool over the library's writer.
gcc -O2 -std=gnu11 -D_GNU_SOURCE -I"$top/include" -I"$top/userspace/lib" \
	-o "$out/vexfs-journal" "$top/tests/fsck/tools/vexfs-journal.c" \
	"$top/userspace/lib/libvexfs.a" || { echo "FAIL: fuzz/seeds (vexfs-journal)"; exit 1; }
seed journal 2304 -N 64 -J size=1 -d "$src/a"
"$out/vexfs-journal" "$out/seeds/journal" commit:1100,1101 commit:-1101,1102 \
	open:1103 >/dev/null || { echo "FAIL: fuzz/seeds (journal)"; exit 1; }
cp "$out/seeds/journal" "$out/seeds/journal-csum"
truncate -s 0 "$out/seeds/journal-csum"
truncate -s 2304K "$out/seeds/journal-csum"
"$mkfs" -q -b 1024 -N 64 -J size=1 -d "$src/a" "$out/seeds/journal-csum" >/dev/null
"$out/vexfs-journal" "$out/seeds/journal-csum" --csum 3 commit:1100 \
	commit:-1100,1101 >/dev/null || { echo "FAIL: fuzz/seeds (journal-csum)"; exit 1; }
# Vector collections (mkfs -d honours user.vexfs.collection and
# user.vexfs.embedding): two small ones and one whose slots span blocks.
csrc=$out/csrc
rm -rf "$csrc"
mkdir -p "$csrc"
if (DAMAGE=/bin/false; . "$top/tests/fsck/tools/common.sh"
    coll_tree "$csrc" && mkdir "$csrc/wide" && collection "$csrc/wide" 300 ip &&
    for i in 1 2 3; do echo "$i" >"$csrc/wide/f$i"
	    embed "$csrc/wide/f$i" $(seq "$i" $((i + 299))) || exit 1; done) \
	>/dev/null 2>&1; then
	seed colls 192 -N 128 -d "$csrc"
else
	echo "fuzz: no collections seed (python3 or user xattrs missing)" >&2
fi

# Inputs that once failed (gzipped) are seeds too, so every run retries
# them first.
for r in "$top"/tests/fuzz/regressions/*.gz; do
	[ -e "$r" ] || continue
	b=${r##*/}
	gzip -dc "$r" >"$out/seeds/regression-${b%.gz}"
done

failed=0
run_target() {	# run_target NAME SECONDS
	local t=$1 secs=$2 rc execs
	mkdir -p "$out/corpus-$t"
	"$out/fuzz_$t" -max_total_time="$secs" -max_len=2359296 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/$t-" "$out/corpus-$t" "$out/seeds" \
		>"$out/fuzz-$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz-$t.log")
	if [ $rc -eq 0 ]; then
		echo "PASS: fuzz/$t (${secs} s, ${execs:-?} executions)"
	else
		grep -E -A30 'ERROR|runtime error|deadly|timeout|leak|not clean' \
			"$out/fuzz-$t.log" | head -n 60
		echo "FAIL: fuzz/$t (see $out/fuzz-$t.log and $out/$t-crash-*)"
		return 1
	fi
}
# Both targets at once, one per core; each verdict is printed when both
# are done.
run_target fsck $((time * 2 / 3 > 10 ? time * 2 / 3 : 10)) >"$out/verdict-fsck" &
fsck_pid=$!
run_target repair $((time * 2 / 3 > 10 ? time * 2 / 3 : 10)) >"$out/verdict-repair" || failed=1
wait $fsck_pid || failed=1
cat "$out/verdict-fsck" "$out/verdict-repair"
exit $failed
