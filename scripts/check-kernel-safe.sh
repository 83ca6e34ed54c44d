#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-kernel-safe.sh OBJECT... - refuse objects that are not kernel-safe.
#
# The VexFS module must not reach data through a GOT (the kernel is not
# linked with one) and must not call libgcc's soft-float helpers (the
# kernel does not have them).  It must not use the FPU or SIMD registers
# (the kernel does not save them for us) except in the SIMD islands, the
# distance kernels of common/simd_islands.c, which the kernel may run only
# between kernel_fpu_begin() and kernel_fpu_end().  This check proves on
# the object that ships:
#
#   - no FP/SIMD instruction outside the functions of the allowlist
#     below (ISLANDS);
#   - an island calls nothing (it could sleep or take a lock with the
#     FPU held) but ftrace's __fentry__ and the return thunk;
#   - nothing but the dispatch function (DISPATCH) refers to an island,
#     in code or in data (no function pointer can reach one);
#   - in DISPATCH, on every path through its code, each island call
#     comes after a call of kernel_fpu_begin (or kernel_fpu_begin_mask)
#     and before the matching kernel_fpu_end, no other function is called
#     inside the bracket, and every exit has closed it (a small abstract
#     interpretation of its jumps and calls: open/closed per instruction).
#
# It exits 1 and names the first offences of each kind; 2 for a usage
# error.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: check-kernel-safe.sh OBJECT..." >&2; exit 2; }

# GOT-relative relocations of x86-64.
got_relocs='R_X86_64_(GOTPCREL|GOTPCRELX|REX_GOTPCRELX|GOT32|GOT64|GOTOFF64|GOTPC32|GOTPC64|GOTPCREL64|GOTPLT64|PLTOFF64)\b'

# FP/SIMD registers as objdump (AT&T syntax) prints them, x87 %st, MMX
# %mm, SSE %xmm, AVX %ymm, AVX-512 %zmm and its mask registers %k0-%k7.
fp_regs='%(st(\([0-7]\))?|mm[0-7]|[xyz]mm[0-9]+|k[0-7])\b'

# Instructions that touch FP/SIMD state without naming a register: x87
# ops with memory operands or none (f*), and the MMX/SSE/AVX state ops.
# The kernel itself never emits an 'f'-prefixed mnemonic outside FPU code.
fp_insns='^(f[a-z0-9]+|emms|femms|ldmxcsr|stmxcsr|vldmxcsr|vstmxcsr|fxsave[0-9]*|fxrstor[0-9]*|xsave[a-z0-9]*|xrstor[a-z0-9]*|movnti|vzeroupper|vzeroall)$'

# The allowlist: the only functions that may hold FP/SIMD instructions,
# and the only function that may call them (src/simd.c).
ISLANDS="vexfs_isl_avx2 vexfs_isl_avx512 vexfs_isl_avx512vnni"
DISPATCH="simd_section"

# libgcc soft-float helpers: __addsf3, __fixunsdfsi, __floatsidf, ...
softfloat='^__[a-z]+(sf|df|tf|xf|hf|bf)[0-9a-z]*$|^__(mul|div)[sdtx]c3$'

# The bracket check: walk every path through DISPATCH's code (its own
# instructions, "FUNCTION I ADDRESS TEXT"/"FUNCTION R SYMBOL" lines), with
# the state "FPU open" or "closed" per instruction; a call's target is its
# relocation's symbol (a linked module) or objdump's <name>.
bracket_awk='
function bad(m) { if (!(m in said)) { said[m] = 1; print m } }
function push(i, s) { stk[++top] = i; sst[top] = s }
BEGIN { ni = split(isl, a, " "); for (i = 1; i <= ni; i++) island[a[i]] = 1 }
$1 != d { next }
$2 == "I" { n++; at[$3] = n; txt[n] = $4; sym[n] = ""; next }
$2 == "R" && n && sym[n] == "" { sym[n] = $3 }
END {
	push(1, 0)
	while (top) {
		i = stk[top]; st = sst[top]; top--
		while (1) {
			if (i > n) { if (st) bad("runs off its end with the FPU open"); break }
			if ((i, st) in seen) break
			seen[i, st] = 1
			t = txt[i]; m = t; sub(/ .*/, "", m)
			# binutils < 2.37 spells them callq, jmpq, retq
			if (m ~ /^(callq|jmpq|retq)$/) m = substr(m, 1, length(m) - 1)
			op = t; sub(/^[a-z0-9]+ +/, "", op); sub(/ .*/, "", op)
			tg = sym[i]
			if (tg == "" && t ~ /<[^+>]*>$/) { tg = t; sub(/.*</, "", tg); sub(/>$/, "", tg) }
			if (m ~ /^call/) {
				if (t ~ /\*/) bad("indirect call: " t)
				else if (tg == "kernel_fpu_begin" || tg == "kernel_fpu_begin_mask") {
					if (st) bad("kernel_fpu_begin inside the bracket")
					st = 1
				} else if (tg == "kernel_fpu_end") {
					if (!st) bad("kernel_fpu_end without kernel_fpu_begin")
					st = 0
				} else if (tg in island) {
					if (!st) bad("calls " tg " outside kernel_fpu_begin/end")
					else called = 1
				} else if (st)
					bad("calls " tg " inside the bracket")
				i++
				continue
			}
			if (m ~ /^ret/) { if (st) bad("returns with the FPU open"); break }
			if (m ~ /^(ud2|int3)$/) break
			if (m !~ /^j/) { i++; continue }
			if (t ~ /\*/) { bad("indirect jump: " t); break }
			if (sym[i] != "" || !(op in at)) {
				# a tail call (or a jump out of the function)
				if (tg == "kernel_fpu_end") {
					if (!st) bad("kernel_fpu_end without kernel_fpu_begin")
				} else if (tg == "__x86_return_thunk") {
					if (st) bad("returns with the FPU open")
				} else if (tg in island)
					bad("jumps to " tg)
				else if (st)
					bad("jumps to " t " inside the bracket")
				if (m == "jmp") break
				i++
				continue
			}
			if (m == "jmp") { i = at[op]; continue }
			push(at[op], st)
			i++
		}
	}
	if (!called) bad("no island call inside kernel_fpu_begin/end")
}'

status=0

report() {
	echo "check-kernel-safe: $1: $2" >&2
	echo "$3" | head -n 5 | sed 's/^/    /' >&2
	status=1
}

for obj in "$@"; do
	if [ ! -r "$obj" ]; then
		echo "check-kernel-safe: $obj: cannot read" >&2
		exit 2
	fi

	hits=$(readelf -rW "$obj" | grep -E "$got_relocs" || true)
	[ -z "$hits" ] || report "$obj" "GOT-relative relocations" "$hits"

	# "FUNCTION<TAB>I<TAB>ADDRESS<TAB>mnemonic operands" per instruction,
	# "FUNCTION<TAB>R<TAB>SYMBOL" per relocation in code.
	dis=$(objdump -dr --no-show-raw-insn "$obj" | awk -F'\t' '
		/^[0-9a-f]+ <.*>:$/ { f = $0; sub(/^[0-9a-f]+ </, "", f); sub(/>:$/, "", f); next }
		NF >= 2 && $1 ~ /^ *[0-9a-f]+:$/ { a = $1; gsub(/[ :]/, "", a); print f "\tI\t" a "\t" $2; next }
		/^\t\t\t[0-9a-f]+: R_X86_64_/ { s = $NF; sub(/[-+]0x[0-9a-f]+$/, "", s); print f "\tR\t" s }')

	# FP/SIMD only in the islands.
	outside=$(awk -F'\t' -v isl="$ISLANDS" '
		BEGIN { n = split(isl, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
		$2 == "I" && !($1 in ok) { print $4 "\t" $1 }' <<<"$dis")
	hits=$(grep -E "$fp_regs" <<<"$outside" || true)
	[ -z "$hits" ] || report "$obj" "FP/SIMD register use outside the islands ($ISLANDS)" "$hits"
	hits=$(sed 's/ [^\t]*//' <<<"$outside" | grep -E "${fp_insns%\$}"$'\t' | sort -u || true)
	[ -z "$hits" ] || report "$obj" "x87/SIMD instructions outside the islands" "$hits"

	# An island calls nothing; its jumps stay inside it.
	hits=$(awk -F'\t' -v isl="$ISLANDS" '
		BEGIN { n = split(isl, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
		!($1 in ok) { next }
		$2 == "R" { if ($3 != "__fentry__" && $3 != "__x86_return_thunk") print $1 ": relocation to " $3; next }
		$4 ~ /^(call|j)/ {
			if ($4 ~ /\*/) { print $1 ": indirect " $4; next }
			t = $4; sub(/^[a-z]+ +[0-9a-f]+ </, "", t); sub(/[+>].*/, "", t)
			if ($4 ~ /^call/ && $4 !~ /<__fentry__>/ && t != $1) print $1 ": " $4
			else if (t != $1 && t != "__x86_return_thunk") print $1 ": " $4 }' <<<"$dis")
	[ -z "$hits" ] || report "$obj" "an island calls or jumps out" "$hits"

	# Only DISPATCH refers to an island: in code ...
	hits=$(awk -F'\t' -v isl="$ISLANDS" -v disp="$DISPATCH" '
		BEGIN { n = split(isl, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
		$1 == disp { next }
		$2 == "R" { if ($3 in ok) print $1 ": relocation to " $3; next }
		{ for (s in ok) if ($1 != s && (index($4, "<" s ">") || index($4, "<" s "+"))) print $1 ": " $4 }' <<<"$dis")
	# ... and in data (a pointer to an island outside code).
	hits+=$(readelf -rW "$obj" | awk -v isl="$ISLANDS" '
		BEGIN { n = split(isl, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
		/^Relocation section/ { sec = $3; gsub(/\047/, "", sec); next }
		sec !~ /^\.rela?\.text/ && ($5 in ok) { print sec ": " $5 }')
	[ -z "$hits" ] || report "$obj" "an island is referred to outside $DISPATCH" "$hits"

	# The bracket, on every path through DISPATCH.
	if grep -q "^$DISPATCH"$'\t' <<<"$dis"; then
		hits=$(awk -F'\t' -v d="$DISPATCH" -v isl="$ISLANDS" "$bracket_awk" <<<"$dis")
		[ -z "$hits" ] || report "$obj" "$DISPATCH: the FPU bracket does not hold" "$hits"
	fi

	hits=$(nm -u "$obj" | awk '{ print $NF }' | grep -E "$softfloat" || true)
	[ -z "$hits" ] || report "$obj" "soft-float helper calls" "$hits"
done

if [ $status -eq 0 ]; then
	echo "check-kernel-safe: $* OK: no GOT relocations, no soft-float, FP/SIMD only in the bracketed islands"
fi
exit $status
