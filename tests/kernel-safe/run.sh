#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove that scripts/check-kernel-safe.sh bites: it must reject objects
# that use SSE, x87, soft-float helpers or the GOT, accept a clean one,
# and accept the real vexfs.ko of every kernel tests/vm/kernels.sh names:
# the module as it ships (tests/vm/build-module.sh --shipped, the build
# DKMS and the packages make) and the suites' test build, which alone
# has the testing-only module parameters.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
check=$top/scripts/check-kernel-safe.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

result() {
	if [ "$2" = 0 ]; then echo "PASS: kernel-safe/$1"; else echo "FAIL: kernel-safe/$1"; failed=1; fi
}

# expect_reject NAME CFLAGS SOURCE [CC]: compile, then the check must fail.
expect_reject() {
	printf '%s\n' "$3" >"$work/$1.c"
	if ! "${4:-gcc}" -c -O2 $2 -o "$work/$1.o" "$work/$1.c" 2>"$work/$1.err"; then
		cat "$work/$1.err" >&2
		result "$1" 1
		return
	fi
	if "$check" "$work/$1.o" >/dev/null 2>"$work/$1.out"; then
		result "$1" 1
	else
		result "$1" 0
	fi
}

expect_reject rejects_sse "" \
	'float scale(float a, float b) { return a * b + 1.5f; }'
expect_reject rejects_x87 "" \
	'long double half(long double a) { return a / 2; }'
# gcc has no soft-float for x86-64; clang lowers float math to libgcc calls.
expect_reject rejects_softfloat "-msoft-float -mno-sse -mno-mmx -mno-80387" \
	'float add(float a, float b) { return a + b; }' clang
expect_reject rejects_got "-fPIC" \
	'extern int counter; int bump(void) { return ++counter; }'
expect_reject rejects_avx "-mavx2" \
	'void add8(int *restrict a, const int *restrict b) { for (int i = 0; i < 64; i++) a[i] += b[i]; }'

# The SIMD islands (scripts/check-kernel-safe.sh's ISLANDS and DISPATCH):
# SIMD only in an allowlisted island, called only from the dispatch
# function, only inside kernel_fpu_begin/kernel_fpu_end.  Built with the
# kernel's flags; the island is inline asm, as common/simd_islands.c's.
kflags="-mgeneral-regs-only -mno-red-zone -mcmodel=kernel -fno-pic"
isl_decl='void kernel_fpu_begin_mask(unsigned int); void kernel_fpu_end(void); int pick(void);
__attribute__((noinline)) void vexfs_isl_avx2(unsigned *o) { asm volatile("vpxor %%ymm0, %%ymm0, %%ymm0\n\tvmovd %%xmm0, %0\n\tvzeroupper" : "=r"(*o)); }'
expect_reject rejects_island_without_bracket "$kflags" "$isl_decl
__attribute__((noinline)) void simd_section(unsigned *o) { vexfs_isl_avx2(o); }"
expect_reject rejects_island_after_end "$kflags" "$isl_decl
__attribute__((noinline)) void simd_section(unsigned *o) { kernel_fpu_begin_mask(2); kernel_fpu_end(); vexfs_isl_avx2(o); }"
expect_reject rejects_island_on_one_path_only "$kflags" "$isl_decl
__attribute__((noinline)) void simd_section(unsigned *o) { if (pick()) kernel_fpu_begin_mask(2); vexfs_isl_avx2(o); kernel_fpu_end(); }"
expect_reject rejects_bracket_left_open "$kflags" "$isl_decl
__attribute__((noinline)) void simd_section(unsigned *o) { kernel_fpu_begin_mask(2); vexfs_isl_avx2(o); if (pick()) kernel_fpu_end(); }"
expect_reject rejects_call_inside_bracket "$kflags" "$isl_decl
__attribute__((noinline)) void simd_section(unsigned *o) { kernel_fpu_begin_mask(2); vexfs_isl_avx2(o); pick(); kernel_fpu_end(); }"
expect_reject rejects_island_called_elsewhere "$kflags" "$isl_decl
__attribute__((noinline)) void simd_section(unsigned *o) { kernel_fpu_begin_mask(2); vexfs_isl_avx2(o); kernel_fpu_end(); }
void other(unsigned *o) { kernel_fpu_begin_mask(2); vexfs_isl_avx2(o); kernel_fpu_end(); }"
expect_reject rejects_island_pointer "$kflags" "$isl_decl
__attribute__((noinline)) void simd_section(unsigned *o) { kernel_fpu_begin_mask(2); vexfs_isl_avx2(o); kernel_fpu_end(); }
void (*const table[])(unsigned *) = { vexfs_isl_avx2 };"
expect_reject rejects_simd_outside_allowlist "$kflags" \
	'unsigned helper(void) { unsigned o; asm volatile("vpxor %%ymm0, %%ymm0, %%ymm0\n\tvmovd %%xmm0, %0" : "=r"(o)); return o; }'
expect_reject rejects_island_that_calls "$kflags" 'void kernel_fpu_begin_mask(unsigned int); void kernel_fpu_end(void); int pick(void);
__attribute__((noinline)) void vexfs_isl_avx2(unsigned *o) { asm volatile("vpxor %%ymm0, %%ymm0, %%ymm0\n\tvmovd %%xmm0, %0" : "=r"(*o)); *o += pick(); }
__attribute__((noinline)) void simd_section(unsigned *o) { kernel_fpu_begin_mask(2); vexfs_isl_avx2(o); kernel_fpu_end(); }'
printf '%s\n' "$isl_decl" '__attribute__((noinline)) void simd_section(unsigned *o) { int p = pick(); kernel_fpu_begin_mask(2); if (p) vexfs_isl_avx2(o); kernel_fpu_end(); }' >"$work/island_ok.c"
gcc -c -O2 $kflags -o "$work/island_ok.o" "$work/island_ok.c" &&
	"$check" "$work/island_ok.o" >/dev/null
result accepts_bracketed_island $?

printf 'unsigned long mix(unsigned long a, unsigned long b) { return a * 31 + (b >> 3); }\n' >"$work/good.c"
gcc -c -O2 -mno-sse -mno-mmx -mno-80387 -fno-pic -o "$work/good.o" "$work/good.c"
"$check" "$work/good.o" >/dev/null 2>&1
result accepts_integer_code $?

# The code of common/ (the format rules and the HNSW index core) is linked
# into vexfs.ko (src/Kbuild) and so checked with it below; each file is
# also checked on its own, built with the kernel's code model and no
# FP/SIMD registers, so that a float creeping into the code both worlds
# share is named here even without kernel headers.
for src in "$top"/common/*.c; do
	name=$(basename "$src" .c)
	gcc -c -O2 -std=gnu11 -I"$top/include" -I"$top/common" \
		-mgeneral-regs-only -mno-red-zone -mcmodel=kernel -fno-pic \
		-ffreestanding -o "$work/common-$name.o" "$src" &&
		"$check" "$work/common-$name.o" >/dev/null
	result "accepts_common_$name" $?
done

# has_param KO NAME: 0 if the module KO has the parameter NAME, 1 if it
# has not, 2 if modinfo cannot read it.
has_param() {
	local parms
	parms=$(modinfo -F parm "$1") || return 2
	awk -F: -v p="$2" '$1 == p { found = 1 } END { exit !found }' <<<"$parms"
}

# Every kernel's module is checked; no module at all is a failure, not a
# pass.  build-module.sh prints the module's path, and builds it only when
# the sources or the kernel's headers changed.
checked=0
for kver in $("$top/tests/vm/kernels.sh"); do
	if ! ko=$("$top/tests/vm/build-module.sh" --shipped "$kver"); then
		result "accepts_vexfs.ko_$kver (the module did not build)" 1
		continue
	fi
	"$check" "$ko" >/dev/null
	result "accepts_vexfs.ko_$kver" $?
	has_param "$ko" dir_hash_test_bits
	[ $? = 1 ]
	result "shipped_vexfs.ko_has_no_test_parameter_$kver" $?
	checked=$((checked + 1))
	if ! ko=$("$top/tests/vm/build-module.sh" "$kver"); then
		result "accepts_test_vexfs.ko_$kver (the module did not build)" 1
		continue
	fi
	"$check" "$ko" >/dev/null
	result "accepts_test_vexfs.ko_$kver" $?
	has_param "$ko" dir_hash_test_bits
	result "test_vexfs.ko_has_dir_hash_test_bits_$kver" $?
done
[ "$checked" -gt 0 ]
result "checked_at_least_one_vexfs.ko ($checked)" $?
exit $failed
