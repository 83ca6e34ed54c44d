// SPDX-License-Identifier: GPL-2.0
/*
 * test_vecmath.c - the kernel's integer distance arithmetic
 * (include/vexfs_vecmath.h) against long double references: random
 * vectors at ordinary, huge and tiny magnitudes, denormals, and near-equal
 * vectors where the squared distance suffers most from cancellation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vexfs_vecmath.h"

#define MAXDIM 512

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static double uniform(void)	/* in [-0.5, 0.5) */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0
	       - 0.5;
}

static u32 bits(float f)
{
	u32 b;

	memcpy(&b, &f, 4);
	return b;
}

static long double value(struct vec_num n)
{
	return n.mant ? (n.neg ? -1 : 1) * ldexpl((long double)n.mant, n.exp - 64)
		      : 0;
}

/* Relative error of @got against @ref, absolute near zero. */
static void assert_close(long double got, long double ref, long double tol)
{
	long double err = fabsl(got - ref);

	if (ref != 0)
		err /= fabsl(ref);
	if (err > tol)
		fail_msg("got %.20Lg, expected %.20Lg (error %Lg)", got, ref, err);
}

static void run_case(double scale, bool near, bool denormals, int dims)
{
	float a[MAXDIM], b[MAXDIM];
	u32 ab[MAXDIM], bb[MAXDIM];
	long double dot = 0, l2 = 0, na = 0, nb = 0, cosd;
	int i;

	for (i = 0; i < dims; i++) {
		a[i] = (float)(uniform() * scale);
		b[i] = near ? a[i] + (float)(uniform() * scale * 1e-6)
			    : (float)(uniform() * scale);
		if (denormals && i % 3 == 0) {
			u32 x = (u32)(rng & 0x7fffff);

			memcpy(&a[i], &x, 4);
		}
		ab[i] = bits(a[i]);
		bb[i] = bits(b[i]);
		dot += (long double)a[i] * b[i];
		l2 += ((long double)a[i] - b[i]) * ((long double)a[i] - b[i]);
		na += (long double)a[i] * a[i];
		nb += (long double)b[i] * b[i];
	}
	cosd = na == 0 || nb == 0 || dot == 0 ? 1 : 1 - dot / sqrtl(na * nb);

	/* The accumulation is exact: only long double's own rounding shows. */
	assert_close(value(vec_l2sq(ab, bb, dims)), l2, 1e-15L);
	assert_close(value(vec_dot(ab, bb, dims)), dot, 1e-15L);
	assert_close(value(vec_distance(VEC_METRIC_IP, ab, bb, dims)), -dot,
		     1e-15L);
	/*
	 * Below 1e-6 the reference itself (1 - cos in long double) loses
	 * more digits than the tolerance; the exact code does not.
	 */
	if (fabsl(cosd) > 1e-6L)
		assert_close(value(vec_cosine_distance(ab, bb, dims)), cosd,
			     1e-9L);
	/* A prepared query gives the very same bits, for every metric. */
	{
		struct vec_query prep;
		int m;

		vec_query_prepare(&prep, ab, dims);
		for (m = VEC_METRIC_L2; m <= VEC_METRIC_IP; m++) {
			struct vec_num x = vec_distance(m, ab, bb, dims);
			struct vec_num y = vec_distance_prepared(m, &prep, ab,
								 bb, dims);

			assert_int_equal(x.neg, y.neg);
			assert_int_equal(x.exp, y.exp);
			assert_true(x.mant == y.mant);
		}
	}
	/* What userspace sees: float32, correctly rounded. */
	assert_int_equal(vec_num_to_f32(vec_l2sq(ab, bb, dims)),
			 bits((float)l2));
}

static void ordinary_magnitudes(void **state)
{
	int t;

	(void)state;
	for (t = 0; t < 3000; t++)
		run_case(1.0, t % 5 == 0, false, 1 + t % MAXDIM);
}

static void huge_and_tiny_magnitudes(void **state)
{
	int t;

	(void)state;
	for (t = 0; t < 1000; t++) {
		run_case(1e30, false, false, 1 + t % 128);
		run_case(1e-30, t % 2, false, 1 + t % 128);
	}
}

static void denormals(void **state)
{
	int t;

	(void)state;
	for (t = 0; t < 1000; t++)
		run_case(1e-38, false, true, 1 + t % 128);
}

static void special_values(void **state)
{
	u32 zero[4] = { 0, 0x80000000u, 0, 0 }, one[4] = { 0x3f800000u };
	struct vec_num d;

	(void)state;
	assert_false(vec_f32_is_finite(0x7fc00000u));	/* NaN */
	assert_false(vec_f32_is_finite(0xff800000u));	/* -Inf */
	assert_true(vec_f32_is_finite(0x00000001u));	/* denormal */
	/* A zero vector has cosine distance 1 to anything. */
	d = vec_cosine_distance(zero, one, 4);
	assert_true(value(d) == 1.0L);
	d = vec_l2sq(one, one, 4);
	assert_int_equal(d.mant, 0);
	/* Ranking compares exactly. */
	d = vec_l2sq(zero, one, 4);
	{
		struct vec_num e = vec_l2sq(one, one, 4);

		assert_int_equal(vec_num_cmp(&e, &d), -1);
		assert_int_equal(vec_num_cmp(&d, &e), 1);
		assert_int_equal(vec_num_cmp(&d, &d), 0);
	}
}

/*
 * vec_l2sq_fast() and vec_l2sq_q() (a prepared query) are vec_l2sq() bit
 * for bit: on the fast path (ordinary magnitudes), on near-equal vectors,
 * with zeros, and where they must fall back (magnitudes 2^40 apart,
 * denormals).
 */
static void l2sq_fast_is_exact(void **state)
{
	u32 a[MAXDIM], b[MAXDIM];
	s64 buf[MAXDIM];
	struct vec_l2q pq;
	int t, i;

	(void)state;
	for (t = 0; t < 4000; t++) {
		int dim = 1 + t % 200;
		float sc = (float)ldexp(1.0, (t % 40) - 20);
		struct vec_num p, q;

		for (i = 0; i < dim; i++) {
			float x = (float)uniform() * sc, y = (float)uniform() * sc;

			if (t % 5 == 0)
				y = x * (1.0f + 1e-6f * (float)uniform());
			if (t % 7 == 0 && i % 3 == 0)
				x = 0;
			if (t % 13 == 0 && i == 0)
				x = 1e30f;		/* span too wide */
			if (t % 17 == 0 && i == 0)
				y = 1e-40f;		/* denormal */
			if (t % 19 == 0)
				x = 0;			/* all zero */
			a[i] = bits(x);
			b[i] = bits(y);
		}
		p = vec_l2sq(a, b, dim);
		q = vec_l2sq_fast(a, b, dim);
		assert_int_equal(p.neg, q.neg);
		assert_int_equal(p.exp, q.exp);
		assert_true(p.mant == q.mant);
		/* the prepared query, with a (or b) as the query */
		vec_l2q_prepare(&pq, a, dim, buf);
		q = vec_l2sq_q(&pq, a, b, dim);
		assert_int_equal(p.neg, q.neg);
		assert_int_equal(p.exp, q.exp);
		assert_true(p.mant == q.mant);
		vec_l2q_prepare(&pq, b, dim, buf);
		q = vec_l2sq_q(&pq, b, a, dim);
		assert_int_equal(p.neg, q.neg);
		assert_int_equal(p.exp, q.exp);
		assert_true(p.mant == q.mant);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ordinary_magnitudes),
		cmocka_unit_test(l2sq_fast_is_exact),
		cmocka_unit_test(huge_and_tiny_magnitudes),
		cmocka_unit_test(denormals),
		cmocka_unit_test(special_values),
	};

	return cmocka_run_group_tests_name("vecmath", tests, NULL, NULL);
}
