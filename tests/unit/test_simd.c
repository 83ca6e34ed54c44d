// SPDX-License-Identifier: GPL-2.0
/*
 * test_simd.c - every code-distance island this CPU can run
 * (common/simd_islands.c: scalar, AVX2, AVX-512BW, AVX-512 VNNI) against
 * an independent 64-bit reference, bit for bit, for every dimension
 * 1..HNSW_MAX_DIM: random codes, the extremes 0 and 255 against each
 * other, and wide queries at the s16 extremes (as far as the sum stays
 * below 2^31, as quantize_wide() guarantees).  The scalar L2 with a bound
 * may stop early: it must then return a value >= the bound, and the exact
 * distance below it.  A variant the CPU lacks is reported as skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vexfs_simd.h"

#define NCODES	6

static u8 qc[HNSW_MAX_DIM], codes[NCODES][HNSW_MAX_DIM];
static s16 wq[HNSW_MAX_DIM];
static u64 rng = 0x243f6a8885a308d3ULL;

static u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u32)(rng >> 16);
}

static u32 ref_l2(const u8 *a, const u8 *b, u32 dim)
{
	s64 s = 0;
	u32 i;

	for (i = 0; i < dim; i++)
		s += ((s64)a[i] - b[i]) * ((s64)a[i] - b[i]);
	return (u32)s;
}

static u32 ref_ip(const u8 *a, const u8 *b, u32 dim)
{
	s64 s = 0;
	u32 i;

	for (i = 0; i < dim; i++)
		s += ((s64)a[i] - 128) * ((s64)b[i] - 128);
	return (u32)(0x80000000LL - s);
}

static u32 ref_wide(const s16 *w, const u8 *c, u32 dim)
{
	s64 s = 0;
	u32 i;

	for (i = 0; i < dim; i++)
		s += (s64)w[i] * c[i];
	return (u32)(0x80000000LL - s);
}

static void run_variant(int v, const struct vexfs_dist_req *r)
{
	switch (v) {
	case VEXFS_SIMD_SCALAR:
		vexfs_dist_scalar(r);
		break;
	case VEXFS_SIMD_AVX2:
		vexfs_isl_avx2(r);
		break;
	case VEXFS_SIMD_AVX512:
		vexfs_isl_avx512(r);
		break;
	default:
		vexfs_isl_avx512vnni(r);
	}
}

/* Fill the query and codes for @dim with pattern @p (0 random, 1..: extremes). */
static void fill(u32 dim, int p)
{
	/* |sum w * c| < 2^31 for these weights, as quantize_wide() keeps it */
	s64 wlim = 0x7fffffffLL / (255LL * dim);
	u32 i, j;

	if (wlim > 32767)
		wlim = 32767;
	for (i = 0; i < dim; i++) {
		qc[i] = p == 0 ? (u8)rnd() : p == 1 ? 0 : 255;
		if (p == 0)
			wq[i] = (s16)((s64)(rnd() % (2 * wlim + 1)) - wlim);
		else
			wq[i] = (s16)(p == 1 ? -wlim - (wlim == 32767) : wlim);
		for (j = 0; j < NCODES; j++)
			codes[j][i] = j == 0 ? 255 : j == 1 ? 0 :
				j == 2 ? (u8)(i & 1 ? 255 : 0) :
				j == 3 ? (u8)(qc[i] ^ 1) : (u8)rnd();
	}
}

static void compare(int v, u32 dim, u32 kind, int *bad)
{
	const u8 *ptr[NCODES];
	u32 out[NCODES], i;
	struct vexfs_dist_req r = {
		.kind = kind, .dim = dim, .n = NCODES, .bound = ~0U,
		.q = qc, .wq = wq, .codes = ptr, .out = out,
	};

	for (i = 0; i < NCODES; i++) {
		ptr[i] = codes[i];
		out[i] = 0xdeadbeef;
	}
	run_variant(v, &r);
	for (i = 0; i < NCODES; i++) {
		u32 want = kind == VEXFS_DIST_L2 ? ref_l2(qc, codes[i], dim) :
			   kind == VEXFS_DIST_IP ? ref_ip(qc, codes[i], dim) :
			   ref_wide(wq, codes[i], dim);

		if (out[i] != want && (*bad)++ < 10)
			print_error("%s kind %u dim %u code %u: %#x, want %#x\n",
				    vexfs_simd_names[v], kind, dim, i, out[i],
				    want);
	}
}

static void every_variant_matches_reference(void **state)
{
	int v, p, bad = 0, ran = 0;
	u32 dim, kind;

	(void)state;
	for (v = 0; v < VEXFS_SIMD_NR; v++) {
		if (!vexfs_simd_supported(v)) {
			printf("# skipped %s: not supported by this CPU\n",
			       vexfs_simd_names[v]);
			continue;
		}
		ran++;
		for (dim = 1; dim <= HNSW_MAX_DIM; dim++)
			for (p = 0; p < 3; p++) {
				fill(dim, p);
				for (kind = 0; kind <= VEXFS_DIST_WIDE_IP; kind++)
					compare(v, dim, kind, &bad);
			}
		printf("# %s: dims 1..%u, 3 patterns, 3 kinds: %s\n",
		       vexfs_simd_names[v], HNSW_MAX_DIM, bad ? "FAILED" : "ok");
	}
	assert_int_equal(bad, 0);
	assert_true(ran >= 1);
}

/* The scalar L2 may stop at the bound: exact below it, >= it above. */
static void scalar_bound_semantics(void **state)
{
	const u8 *ptr[NCODES];
	u32 out[NCODES], dim, i, bad = 0;

	(void)state;
	for (dim = 1; dim <= 1024; dim += 7) {
		fill(dim, 0);
		for (i = 0; i < NCODES; i++)
			ptr[i] = codes[i];
		for (i = 0; i < NCODES; i++) {
			u32 exact = ref_l2(qc, codes[i], dim);
			u32 bound = exact ? rnd() % (2 * exact) : rnd() % 4;
			struct vexfs_dist_req r = {
				.kind = VEXFS_DIST_L2, .dim = dim, .n = 1,
				.bound = bound, .q = qc, .codes = &ptr[i],
				.out = &out[i],
			};

			vexfs_dist_scalar(&r);
			if (exact < bound ? out[i] != exact : out[i] < bound)
				bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The dispatch of this process names a variant the CPU has. */
static void dispatch_is_supported(void **state)
{
	int v = vexfs_simd_active();

	(void)state;
	printf("# vexfs_dist_batch() uses %s\n", vexfs_simd_names[v]);
	assert_true(vexfs_simd_supported(v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_variant_matches_reference),
		cmocka_unit_test(scalar_bound_semantics),
		cmocka_unit_test(dispatch_is_supported),
	};

	return cmocka_run_group_tests_name("simd", tests, NULL, NULL);
}
