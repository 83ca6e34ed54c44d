#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-kernel-safe.sh OBJECT... - refuse objects that are not kernel-safe.
#
# The VexFS module must not use the FPU or SIMD registers (the kernel does
# not save them for us), must not reach data through a GOT (the kernel is
# not linked with one), and must not call libgcc's soft-float helpers
# (the kernel does not have them).  kbuild's flags should guarantee all
# three; this check proves it on the object that ships.  It exits 1 and
# names the first offences of each kind; 2 for a usage error.
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

# libgcc soft-float helpers: __addsf3, __fixunsdfsi, __floatsidf, ...
softfloat='^__[a-z]+(sf|df|tf|xf|hf|bf)[0-9a-z]*$|^__(mul|div)[sdtx]c3$'

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

	# Disassembly lines: "addr:<TAB>bytes<TAB>mnemonic operands".
	dis=$(objdump -d --no-show-raw-insn "$obj" | awk -F'\t' 'NF >= 2 && $1 ~ /^ *[0-9a-f]+:$/ { print $2 }')
	hits=$(echo "$dis" | grep -E "$fp_regs" || true)
	[ -z "$hits" ] || report "$obj" "FP/SIMD register use" "$hits"
	hits=$(echo "$dis" | awk '{ print $1 }' | grep -E "$fp_insns" | sort -u || true)
	[ -z "$hits" ] || report "$obj" "x87/SIMD instructions" "$hits"

	hits=$(nm -u "$obj" | awk '{ print $NF }' | grep -E "$softfloat" || true)
	[ -z "$hits" ] || report "$obj" "soft-float helper calls" "$hits"
done

if [ $status -eq 0 ]; then
	echo "check-kernel-safe: $* OK: no GOT relocations, no FP/SIMD, no soft-float"
fi
exit $status
