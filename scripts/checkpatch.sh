#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh [FILE...] - the kernel's checkpatch.pl over the kernel
# code: every .c and .h of src/ and common/ (those that exist), or FILEs.
# `make checkpatch` runs it.  Nothing is fetched: checkpatch.pl and its
# data files are vendored in scripts/checkpatch/ (see its README).
#
# It runs as STYLE.md asks, `checkpatch.pl --no-tree -f`, at the default
# level (ERROR and WARNING): --strict's CHECKs are the preferences of
# some subsystems (alignment to the open parenthesis, CamelCase in the
# kernel's own names), not the kernel's coding style.
#
# Every finding must be fixed or listed in scripts/checkpatch.exceptions:
#   FILE TYPE COUNT WHY
# allows COUNT findings of TYPE (NEW_TYPEDEFS, ...) in FILE, for the
# reason WHY.  More of them fail (the new ones are among those printed),
# and so do fewer, or an exception for a file that is gone: the list
# stays true.  Exit status: 0 clean, 1 findings, 2 checkpatch.pl failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
checkpatch=$top/scripts/checkpatch/checkpatch.pl
exceptions=${CHECKPATCH_EXCEPTIONS:-$top/scripts/checkpatch.exceptions}
cd "$top" || exit 2

files=("$@")
if [ $# -eq 0 ]; then
	for d in src common; do
		[ -d "$d" ] || continue
		# compat-gen.h and *.mod.c are made by the build
		mapfile -t -O "${#files[@]}" files < <(find "$d" -name '*.[ch]' \
			! -name compat-gen.h ! -name '*.mod.c' | sort)
	done
fi
if [ ${#files[@]} -eq 0 ]; then
	echo "checkpatch.sh: no files to check" >&2
	exit 2
fi

out=$(mktemp /tmp/vexfs-checkpatch.XXXXXX)
list=$(mktemp /tmp/vexfs-checkpatch.XXXXXX)
# checkpatch.pl leaves a cache of the CamelCase names it has seen in the
# current directory (.checkpatch-camelcase.*): not ours to keep.
trap 'rm -f "$out" "$list" .checkpatch-camelcase.*' EXIT
printf '%s\n' "${files[@]}" >"$list"
[ -r "$exceptions" ] || exceptions=/dev/null
# checkpatch.pl exits 1 when it finds anything: judge its output instead.
perl "$checkpatch" --no-tree -f --terse --show-types --no-summary \
	--color=never "${files[@]}" >"$out" 2>&1
if grep -qvE '^[^ :]+:[0-9]+: (ERROR|WARNING|CHECK):[A-Z0-9_]+: ' "$out"; then
	cat "$out" >&2
	echo "checkpatch.sh: checkpatch.pl failed (the lines above are not findings)" >&2
	exit 2
fi

awk -v list="$list" -v exfile="$exceptions" '
	FILENAME == list { checked[$0] = 1; next }
	FILENAME == exfile {
		if ($0 ~ /^[ \t]*(#|$)/)
			next
		if (NF < 4 || $3 !~ /^[0-9]+$/) {
			printf "%s:%d: not FILE TYPE COUNT WHY\n", exfile, FNR
			bad = 1
			next
		}
		allowed[$1 " " $2] = $3
		where[$1 " " $2] = FNR
		next
	}
	{
		split($0, f, ":")
		key = f[1] " " f[4]
		if (!(key in found))
			order[nkeys++] = key
		found[key]++
		lines[key] = lines[key] "  " $0 "\n"
		total++
	}
	END {
		for (i = 0; i < nkeys; i++) {
			key = order[i]
			ok = (key in allowed) ? allowed[key] : 0
			if (found[key] <= ok) {
				excepted += found[key]
				continue
			}
			split(key, k, " ")
			if (ok)
				printf "%s: %d %s, %d allowed (%s:%d):\n", k[1],
				       found[key], k[2], ok, exfile, where[key]
			else
				printf "%s: %d %s:\n", k[1], found[key], k[2]
			printf "%s", lines[key]
			excepted += ok
			new += found[key] - ok
		}
		for (key in allowed) {
			split(key, k, " ")
			gone = system("test -e \"" k[1] "\"") != 0
			if (!gone && !(k[1] in checked))
				continue
			n = (key in found) ? found[key] : 0
			if (n < allowed[key]) {
				printf "%s:%d: %s allows %d %s, there are %d: lower the count or drop the line\n",
				       exfile, where[key], k[1], allowed[key], k[2], n
				bad = 1
			}
		}
		printf "checkpatch: %d findings, %d excepted, %d new\n",
		       total, excepted, new
		exit (new || bad) ? 1 : 0
	}' "$list" "$exceptions" "$out"
