// SPDX-License-Identifier: GPL-2.0
/*
 * test_vecmath.c - the kernel's integer distance arithmetic
 * (include/vexfs_vecmath.h) against an independent exact reference:
 * GNU MPFR at precisions where every sum is exact (and the cosine's square
 * root and quotient carry thousands of bits), compared bit for bit:
 *
 *   - L2 and IP: the 64-bit vec_num is the exact value rounded to odd, and
 *     its float32 and float64 are the exact value correctly rounded
 *     (mpfr_get_flt / mpfr_get_d, one rounding);
 *   - cosine: the float32 is correctly rounded, the 64-bit value within
 *     2^-55 and the float64 within 2^-52 (relative);
 *   - every path (vec_distance, the prepared scan query, the L2 fast
 *     paths the HNSW rerank uses, vec_cosine_from) gives the same bits.
 *
 * Inputs: random vectors at ordinary, huge and tiny magnitudes, near
 * duplicates (a few ulps apart), the largest and smallest normals,
 * subnormals, mixed magnitudes, VEXFS_MAX_DIM elements, exact cosine
 * ties (1 - cos on a float32 midpoint), and the example of the issue that
 * exposed the double rounding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <mpfr.h>

static unsigned long exact_path;	/* vec_cos_vs_mid() calls */
#define VEC_COUNT_EXACT exact_path
#include "vexfs_vecmath.h"
#include "vexfs_format.h"

#define MAXDIM VEXFS_MAX_DIM
/*
 * Working precision: every product lies between 2^(2 lo) and 2^(2 hi + 2)
 * for the smallest and largest elements' exponents, and at most 4096 of
 * them are summed: 2 (hi - lo) + 64 bits hold every sum exactly (asserted:
 * each fused multiply-add must be exact).  The cosine's product A B is
 * exact at twice that; its square root and quotient get 300 bits more.
 */
static mpfr_prec_t exact_prec;

static void set_prec(const u32 *a, const u32 *b, u32 dim)
{
	int lo = 1000, hi = -1000, e;
	u32 i;

	for (i = 0; i < 2 * dim; i++) {
		u32 x = (i < dim ? a[i] : b[i - dim]) & 0x7fffffff;

		if (!x)
			continue;
		e = (int)(x >> 23) - 127;
		if (e < -126)
			e = -150;	/* subnormal: its lowest bit */
		lo = e < lo ? e : lo;
		hi = e > hi ? e : hi;
	}
	exact_prec = hi < lo ? 64 : 2 * (hi - lo) + 64 + 48;
}
#define EXACT_PREC exact_prec
#define COS_PREC (2 * exact_prec + 300)

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static double uniform(void)	/* in [-0.5, 0.5) */
{
	return (double)(rnd() >> 11) / 9007199254740992.0 - 0.5;
}

static u32 bits(float f)
{
	u32 b;

	memcpy(&b, &f, 4);
	return b;
}

static float flt(u32 b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

static u64 dbits(double d)
{
	u64 b;

	memcpy(&b, &d, 8);
	return b;
}

static void set_num(mpfr_t x, struct vec_num n)
{
	mpfr_set_ui_2exp(x, 0, 0, MPFR_RNDN);
	if (!n.mant)
		return;
	mpfr_set_uj_2exp(x, n.mant, n.exp - 64, MPFR_RNDN);	/* exact */
	if (n.neg)
		mpfr_neg(x, x, MPFR_RNDN);
}

/* The exact a.a, b.b, a.b and sum (a - b)^2, at EXACT_PREC. */
static void ref_sums(const u32 *a, const u32 *b, u32 dim, mpfr_t A, mpfr_t B,
		     mpfr_t D, mpfr_t L)
{
	mpfr_t x, y, t;
	u32 i;

	mpfr_inits2(EXACT_PREC, x, y, t, (mpfr_ptr)0);
	mpfr_set_ui(A, 0, MPFR_RNDN);
	mpfr_set_ui(B, 0, MPFR_RNDN);
	mpfr_set_ui(D, 0, MPFR_RNDN);
	mpfr_set_ui(L, 0, MPFR_RNDN);
	for (i = 0; i < dim; i++) {
		mpfr_set_flt(x, flt(a[i]), MPFR_RNDN);
		mpfr_set_flt(y, flt(b[i]), MPFR_RNDN);
		assert_int_equal(mpfr_fma(A, x, x, A, MPFR_RNDN), 0);
		assert_int_equal(mpfr_fma(B, y, y, B, MPFR_RNDN), 0);
		assert_int_equal(mpfr_fma(D, x, y, D, MPFR_RNDN), 0);
		assert_int_equal(mpfr_sub(t, x, y, MPFR_RNDN), 0);
		assert_int_equal(mpfr_fma(L, t, t, L, MPFR_RNDN), 0);
	}
	mpfr_clears(x, y, t, (mpfr_ptr)0);
}

/* @got is @ref (exact) rounded to odd at 64 bits, bit for bit. */
static void assert_odd64(struct vec_num got, mpfr_t ref)
{
	mpfr_t t;
	mpz_t m;
	mpfr_exp_t e;
	int inexact;

	if (mpfr_zero_p(ref)) {
		assert_true(got.mant == 0);
		return;
	}
	mpfr_init2(t, 64);
	mpz_init(m);
	inexact = mpfr_set(t, ref, MPFR_RNDZ);
	e = mpfr_get_z_2exp(m, t);		/* t = m 2^e, |m| < 2^64 */
	mpz_abs(m, m);
	if (!mpfr_number_p(ref) || !mpz_sgn(m))
		fail_msg("reference %s", mpfr_nan_p(ref) ? "NaN" : "zero/inf");
	while (mpz_sizeinbase(m, 2) < 64) {
		mpz_mul_2exp(m, m, 1);
		e--;
	}
	if (inexact)
		mpz_setbit(m, 0);
	assert_int_equal(got.neg, mpfr_sgn(ref) < 0);
	assert_int_equal(got.exp, e + 64);
	assert_true(got.mant == mpz_get_ui(m));
	mpz_clear(m);
	mpfr_clear(t);
}

static void assert_same(struct vec_num x, struct vec_num y)
{
	assert_int_equal(x.neg, y.neg);
	assert_true(x.mant == y.mant);
	if (x.mant)
		assert_int_equal(x.exp, y.exp);
}

static s64 qbuf[MAXDIM];

/*
 * Every way of computing each distance of a and b agrees bit for bit,
 * and with the exact reference.
 */
static void check_pair(const u32 *a, const u32 *b, u32 dim)
{
	mpfr_t A, B, D, L, c, s;
	struct vec_query prep;
	struct vec_l2q l2q;
	struct vec_acc a2;
	struct vec_num l2, ip, cs;

	set_prec(a, b, dim);
	mpfr_inits2(EXACT_PREC, A, B, D, L, (mpfr_ptr)0);
	mpfr_inits2(COS_PREC, c, s, (mpfr_ptr)0);
	ref_sums(a, b, dim, A, B, D, L);

	/* L2: the accumulator, both fast paths, the prepared scan query */
	l2 = vec_distance(VEC_METRIC_L2, a, b, dim);
	assert_odd64(l2, L);
	assert_same(l2, vec_l2sq(a, b, dim));
	assert_same(l2, vec_l2sq_fast(a, b, dim));
	vec_l2q_prepare(&l2q, a, dim, qbuf);
	assert_same(l2, vec_l2sq_q(&l2q, a, b, dim));	/* HNSW rerank */
	vec_query_prepare(&prep, a, dim);
	assert_same(l2, vec_distance_prepared(VEC_METRIC_L2, &prep, a, b,
					      dim));	/* exact scan */
	assert_int_equal(vec_num_to_f32(l2), bits(mpfr_get_flt(L, MPFR_RNDN)));
	assert_true(vec_num_to_f64(l2) == dbits(mpfr_get_d(L, MPFR_RNDN)));

	/* IP: minus the dot product */
	ip = vec_distance(VEC_METRIC_IP, a, b, dim);
	mpfr_neg(D, D, MPFR_RNDN);
	assert_odd64(ip, D);
	assert_same(ip, vec_distance_prepared(VEC_METRIC_IP, &prep, a, b, dim));
	assert_int_equal(vec_num_to_f32(ip), bits(mpfr_get_flt(D, MPFR_RNDN)));
	assert_true(vec_num_to_f64(ip) == dbits(mpfr_get_d(D, MPFR_RNDN)));
	mpfr_neg(D, D, MPFR_RNDN);

	/* Cosine: 1 - D / sqrt(A B), or 1 for a zero vector */
	cs = vec_distance(VEC_METRIC_COSINE, a, b, dim);
	assert_same(cs, vec_cosine_distance(a, b, dim));
	assert_same(cs, vec_distance_prepared(VEC_METRIC_COSINE, &prep, a, b,
					      dim));
	vec_acc_sq(&a2, a, dim);
	assert_same(cs, vec_cosine_from(&a2, a, b, dim));	/* rerank */
	if (mpfr_zero_p(A) || mpfr_zero_p(B)) {
		mpfr_set_ui(c, 1, MPFR_RNDN);
	} else {
		mpfr_mul(c, A, B, MPFR_RNDN);		/* exact at COS_PREC */
		mpfr_sqrt(c, c, MPFR_RNDN);
		mpfr_div(c, D, c, MPFR_RNDN);
		mpfr_ui_sub(c, 1, c, MPFR_RNDN);
	}
	if (vec_num_to_f32(cs) != bits(mpfr_get_flt(c, MPFR_RNDN)))
		fail_msg("cosine %a, expected %a (dim %u)",
			 (double)flt(vec_num_to_f32(cs)),
			 (double)mpfr_get_flt(c, MPFR_RNDN), dim);
	assert_false(cs.neg);
	/* |value - d| <= 2^-55 d, and the same for float64 with 2^-52 */
	set_num(s, cs);
	mpfr_sub(s, s, c, MPFR_RNDN);
	mpfr_abs(s, s, MPFR_RNDN);
	mpfr_mul_2si(s, s, 55, MPFR_RNDN);
	assert_true(mpfr_lessequal_p(s, c));
	{
		u64 fb = vec_num_to_f64(cs);
		double f;

		memcpy(&f, &fb, 8);
		mpfr_set_d(s, f, MPFR_RNDN);
		mpfr_sub(s, s, c, MPFR_RNDN);
		mpfr_abs(s, s, MPFR_RNDN);
		mpfr_mul_2si(s, s, 52, MPFR_RNDN);
		assert_true(mpfr_lessequal_p(s, c));
	}
	mpfr_clears(A, B, D, L, c, s, (mpfr_ptr)0);
}

static u32 av[MAXDIM], bv[MAXDIM];

/* Random float32 at scale 2^e, of either sign. */
static u32 rand_at(int e)
{
	return bits((float)ldexp(uniform(), e));
}

/* b = a moved by a few ulps in a few elements */
static void near_copy(u32 dim, int ulps)
{
	u32 i;

	for (i = 0; i < dim; i++) {
		bv[i] = av[i];
		/* not across zero, nor past the largest finite value */
		if (rnd() % 8 == 0 && (av[i] & 0x7fffffff) > (u32)ulps &&
		    (av[i] & 0x7fffffff) < 0x7f7fffffu - ulps)
			bv[i] += (u32)(rnd() % (2 * ulps + 1)) - ulps;
	}
}

static void ordinary_magnitudes(void **state)
{
	int t;
	u32 i;

	(void)state;
	for (t = 0; t < 1500; t++) {
		u32 dim = 1 + t % 300;

		for (i = 0; i < dim; i++) {
			av[i] = rand_at(0);
			bv[i] = rand_at(0);
		}
		check_pair(av, bv, dim);
	}
}

/* Where 1 - cos cancels: the 0.13-to-1.68 relative errors of old. */
static void near_duplicates(void **state)
{
	int t;
	u32 i;

	(void)state;
	for (t = 0; t < 1500; t++) {
		u32 dim = t % 3 ? 128 : 1 + t % 700;

		for (i = 0; i < dim; i++)
			av[i] = rand_at(t % 7 - 3);
		near_copy(dim, 1 + t % 4);
		check_pair(av, bv, dim);
		check_pair(bv, av, dim);
		/* a scaled copy: cos exactly 1 */
		for (i = 0; i < dim; i++)
			bv[i] = bits(flt(av[i]) * 4.0f);
		check_pair(av, bv, dim);
	}
}

/* Largest and smallest normals, subnormals, and all mixed. */
static void extremes(void **state)
{
	static const u32 special[] = {
		0x7f7fffff, 0x7f7ffffe, 0x7f000000, 0x00800000, 0x00800001,
		0x00ffffff, 0x00000001, 0x00000002, 0x007fffff, 0x00400000,
		0x3f800000, 0x3f800001, 0x3f7fffff, 0, 0x5f800000, 0x1f800000,
	};
	const u32 ns = sizeof(special) / sizeof(special[0]);
	int t;
	u32 i;

	(void)state;
	for (t = 0; t < 3000; t++) {
		u32 dim = 1 + t % 64;
		int mode = t % 5;

		for (i = 0; i < dim; i++) {
			u32 x = special[rnd() % ns], y = special[rnd() % ns];

			if (mode == 1) {		/* subnormals only */
				x = (u32)(rnd() & 0x7fffff);
				y = (u32)(rnd() & 0x7fffff);
			} else if (mode == 2) {		/* huge */
				x = rand_at(126);
				y = rand_at(127);
			} else if (mode == 3) {		/* tiny normals */
				x = rand_at(-124);
				y = rand_at(-125);
			}
			av[i] = x | (u32)(rnd() & 1) << 31;
			bv[i] = y | (u32)(rnd() & 1) << 31;
		}
		check_pair(av, bv, dim);
		near_copy(dim, 1);		/* near-duplicates of extremes */
		check_pair(av, bv, dim);
	}
}

/* VEXFS_MAX_DIM elements: the accumulator's headroom and the big sums. */
static void max_dim(void **state)
{
	int t;
	u32 i;

	(void)state;
	for (t = 0; t < 12; t++) {
		for (i = 0; i < MAXDIM; i++) {
			av[i] = t % 3 == 0 ? 0x7f7fffff | (u32)(rnd() & 1) << 31
			      : t % 3 == 1 ? 0x00000001 : rand_at(0);
			bv[i] = t % 2 ? (av[i] ^ 0x80000000u) : rand_at(t - 6);
		}
		check_pair(av, bv, MAXDIM);
		near_copy(MAXDIM, 2);
		check_pair(av, bv, MAXDIM);
	}
}

/*
 * The example: a = [1, 2^-12, 2^-40], b = 0: |a - b|^2 is
 * 1 + 2^-24 + 2^-80, which must round up to 1.00000012f; truncating to
 * 64 bits first loses the 2^-80 and ties to even down to 1.0f.
 */
static void double_rounding(void **state)
{
	u32 a[3] = { bits(1.0f), bits(0x1p-12f), bits(0x1p-40f) };
	u32 z[3] = { 0, 0, 0 };

	(void)state;
	assert_int_equal(vec_num_to_f32(vec_l2sq(a, z, 3)), 0x3f800001);
	assert_int_equal(vec_num_to_f32(vec_l2sq_fast(a, z, 3)), 0x3f800001);
	assert_int_equal(vec_num_to_f32(vec_dot(a, a, 3)), 0x3f800001);
	check_pair(a, z, 3);
	check_pair(a, a, 3);
}

/* Greedy sum of squares of integers <= 2^24: r into v[n..]; new n. */
static u32 squares(u64 r, u32 *v, u32 n)
{
	while (r) {
		u64 y = (u64)sqrtl((long double)r);

		while (y * y > r)
			y--;
		while ((y + 1) * (y + 1) <= r)
			y++;
		if (y > 1u << 24)
			y = 1u << 24;
		v[n++] = bits((float)y);
		r -= y * y;
	}
	return n;
}

/*
 * Exact ties: a = e1, b = (x, y...) with |b| = 2^25 and x = 2^25 - k
 * for an odd k in [2^24, 2^25): 1 - cos = k 2^-25, a float32 midpoint,
 * which must round to even.  D < 0 as well: |b| = 2^24, x = -k for an
 * odd k < 2^24: 1 - cos = 1 + k 2^-24, again a midpoint.  Then b moved
 * by one ulp: within 2^-50 of the midpoint, the exact comparison decides.
 */
static void cosine_ties(void **state)
{
	unsigned long before = exact_path;
	int t;
	u32 i, n;

	(void)state;
	for (t = 0; t < 400; t++) {
		int neg = t % 2;
		u64 k = neg ? (rnd() & 0xffffff) | 1
			    : (rnd() & 0xffffff) | 0x1000001;
		u64 x = neg ? k : (1ULL << 25) - k;
		u64 w2 = neg ? 1ULL << 48 : 1ULL << 50;

		memset(av, 0, sizeof(av));
		memset(bv, 0, sizeof(bv));
		av[0] = bits(1.0f);
		bv[0] = bits(neg ? -(float)x : (float)x);
		n = squares(w2 - x * x, bv, 1);
		check_pair(av, bv, n);
		/* the midpoint itself: ties to even */
		{
			struct vec_num d = vec_cosine_distance(av, bv, n);
			u32 f = vec_num_to_f32(d);

			assert_int_equal(f & 1, 0);
		}
		/* one ulp off in some element: just beside the midpoint */
		i = 1 + (u32)(rnd() % (n - 1 ? n - 1 : 1));
		if (i < n && bv[i]) {
			bv[i] += t % 4 < 2 ? 1 : -1;
			check_pair(av, bv, n);
			check_pair(bv, av, n);
		}
		/* the same with a scaled and with a permuted copy */
		for (i = 0; i < n; i++)
			bv[i] = bits(flt(bv[i]) * 0x1p-70f);
		check_pair(av, bv, n);
	}
	/* The exact tie-breaking path ran, on ties and near-ties. */
	print_message("exact cosine comparisons: %lu\n", exact_path - before);
	assert_true(exact_path - before >= 400);
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
	assert_int_equal(vec_num_to_f32(d), bits(1.0f));
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
	u32 a[512], b[512];
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
		assert_same(p, q);
		/* the prepared query, with a (or b) as the query */
		vec_l2q_prepare(&pq, a, dim, qbuf);
		assert_same(p, vec_l2sq_q(&pq, a, b, dim));
		vec_l2q_prepare(&pq, b, dim, qbuf);
		assert_same(p, vec_l2sq_q(&pq, b, a, dim));
	}
}

/*
 * vec_first_nonfinite(): the one check behind every entry point (the
 * kernel's vexfs_vec_check() for the EMBEDDING_SET, BATCH and QUERY
 * ioctls and the user.vexfs.embedding xattr, vexfs_slot_fill() for
 * mkfs -d and the library, fsck's slot check) refuses every NaN and
 * infinity, at any position, and nothing else.
 */
static void nonfinite_refused(void **state)
{
	static const u32 bad[] = {
		0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001,
		0x7fffffff, 0xffffffff, 0x7fa00000,
	};
	static const u32 good[] = {
		0, 0x80000000, 0x00000001, 0x807fffff, 0x7f7fffff, 0xff7fffff,
		0x3f800000, 0x00800000,
	};
	u32 i, j, n = 37;

	(void)state;
	for (i = 0; i < n; i++)
		av[i] = good[i % 8];
	assert_int_equal(vec_first_nonfinite(av, n), n);
	assert_int_equal(vec_first_nonfinite(av, 0), 0);
	for (j = 0; j < 8; j++)
		for (i = 0; i < n; i++) {
			u32 keep = av[i];

			av[i] = bad[j];
			assert_int_equal(vec_first_nonfinite(av, n), i);
			assert_int_equal(vec_first_nonfinite(av, i), i);
			av[i] = keep;
		}
	/* every exponent-255 pattern, and no other */
	for (i = 0; i < 1u << 20; i++) {
		u32 x = (u32)rnd();

		assert_int_equal(vec_first_nonfinite(&x, 1),
				 ((x >> 23) & 0xff) == 0xff ? 0 : 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(double_rounding),
		cmocka_unit_test(ordinary_magnitudes),
		cmocka_unit_test(near_duplicates),
		cmocka_unit_test(extremes),
		cmocka_unit_test(max_dim),
		cmocka_unit_test(cosine_ties),
		cmocka_unit_test(l2sq_fast_is_exact),
		cmocka_unit_test(special_values),
		cmocka_unit_test(nonfinite_refused),
	};

	return cmocka_run_group_tests_name("vecmath", tests, NULL, NULL);
}
