/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_vecmath.h - exact vector distances in integer arithmetic.
 *
 * The kernel may not use the FPU, and the build rejects any x87 or SIMD
 * instruction in vexfs.ko, so VexFS computes distances between float32
 * vectors with integers only.  It does so exactly: every float32 is
 * m * 2^e with a 24-bit integer m, so every product of two elements is a
 * 48-bit integer times a power of two, and a fixed-point accumulator wide
 * enough for the whole exponent range (2^-298 .. 2^268) sums them with no
 * rounding at all.  Only the final conversion to a reported distance
 * rounds, to 64 significant bits, which is far inside the 1e-5 relative
 * error the interface promises; rankings compare those 64-bit values.
 *
 * The same header builds in the kernel and in userspace (the unit tests
 * check it against float64 references), so it uses only fixed-width
 * integers and no library calls.  It needs __int128 multiplication,
 * which x86-64 does with integer instructions, and no 128-bit division.
 *
 * Accumulator layout: VEC_LIMBS signed 64-bit limbs, each holding a 32-bit
 * digit plus room for carries, so that adding a term never propagates a
 * carry; the digits are normalized once, at the end.  Limb i weighs
 * 2^(32 * i - VEC_BIAS).
 */
#ifndef _VEXFS_VECMATH_H
#define _VEXFS_VECMATH_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#include <stdbool.h>
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef int32_t s32;
#endif

#define VEC_BIAS	298	/* -(smallest exponent of a product) */
#define VEC_LIMBS	20	/* 640 bits: products, sums of 4096 and sign */

struct vec_acc {
	s64 limb[VEC_LIMBS];
};

/*
 * A non-negative or negative number m * 2^e with m normalized so that its
 * top bit is set (or m == 0): what a distance is reported and ranked as.
 */
struct vec_num {
	int neg;
	s32 exp;
	u64 mant;
};

/* Split a float32 (as bits) into sign, 24-bit mantissa and exponent. */
static inline void vec_f32_split(u32 bits, int *neg, u32 *mant, s32 *exp)
{
	u32 e = (bits >> 23) & 0xff, f = bits & 0x7fffff;

	*neg = bits >> 31;
	if (e) {
		*mant = f | 0x800000;
		*exp = (s32)e - 150;
	} else {
		*mant = f;		/* denormal or zero */
		*exp = -149;
	}
}

/** vec_f32_is_finite() - false for NaN and the infinities */
static inline bool vec_f32_is_finite(u32 bits)
{
	return ((bits >> 23) & 0xff) != 0xff;
}

static inline void vec_acc_init(struct vec_acc *acc)
{
	int i;

	for (i = 0; i < VEC_LIMBS; i++)
		acc->limb[i] = 0;
}

/* Add (or subtract) @m * 2^@e, with m < 2^50 and e >= -VEC_BIAS. */
static inline void vec_acc_add(struct vec_acc *acc, u64 m, s32 e, int neg)
{
	u32 pos = (u32)(e + VEC_BIAS), q = pos / 32, r = pos % 32;
	unsigned __int128 v = (unsigned __int128)m << r;
	s64 d0 = (s64)(u32)v, d1 = (s64)(u32)(v >> 32),
	    d2 = (s64)(u64)(v >> 64);

	if (neg) {
		acc->limb[q] -= d0;
		acc->limb[q + 1] -= d1;
		acc->limb[q + 2] -= d2;
	} else {
		acc->limb[q] += d0;
		acc->limb[q + 1] += d1;
		acc->limb[q + 2] += d2;
	}
}

/* acc += w * a * b, for float32 bits a and b and a small weight w. */
static inline void vec_acc_mul_add(struct vec_acc *acc, u32 a, u32 b, int w)
{
	int na, nb, neg;
	u32 ma, mb;
	s32 ea, eb;
	u64 m;

	vec_f32_split(a, &na, &ma, &ea);
	vec_f32_split(b, &nb, &mb, &eb);
	m = (u64)ma * mb;
	if (!m)
		return;
	neg = na ^ nb;
	if (w < 0) {
		neg = !neg;
		w = -w;
	}
	vec_acc_add(acc, m * (u64)w, ea + eb, neg);
}

/*
 * Normalize the accumulator into the 32-bit digits @d[0 .. VEC_LIMBS) of
 * its magnitude; return the sign (1: negative) and set *@len to the
 * number of digits up to the highest nonzero one (0 for zero).
 */
static inline int vec_acc_digits(const struct vec_acc *acc, u32 *d, int *len)
{
	s64 carry = 0;
	int i, neg = 0;

	for (i = 0; i < VEC_LIMBS; i++) {
		s64 v = acc->limb[i] + carry;

		d[i] = (u32)v;
		carry = v >> 32;	/* arithmetic shift: floor */
	}
	if (carry < 0) {
		/* Negate the two's complement digits. */
		u64 c = 1;

		neg = 1;
		for (i = 0; i < VEC_LIMBS; i++) {
			u64 v = (u64)(u32)~d[i] + c;

			d[i] = (u32)v;
			c = v >> 32;
		}
	}
	for (i = VEC_LIMBS; i > 0 && !d[i - 1]; i--)
		;
	*len = i;
	return i ? neg : 0;
}

/*
 * The vec_num of the digits @d[0 .. @len), digit i weighing
 * 2^(32 i + @unit), with d[len - 1] nonzero (or len 0): the top 64 bits,
 * truncated, with the lowest of them ORed with "anything below was
 * nonzero".  That is rounding to odd, which keeps all that a later
 * rounding to 62 bits or fewer needs: float32 and float64 results then
 * round correctly, once, from it.  It is monotonic in the exact value.
 */
static inline struct vec_num vec_digits_num(const u32 *d, int len, s32 unit)
{
	struct vec_num r = { 0, 0, 0 };
	int top = len - 1, sh, i;
	unsigned __int128 v;
	u64 sticky = 0;

	if (len <= 0)
		return r;
	v = ((unsigned __int128)d[top] << 64) |
	    ((u64)(top >= 1 ? d[top - 1] : 0) << 32) |
	    (top >= 2 ? d[top - 2] : 0);
	sh = 32 + __builtin_clz(d[top]);
	v <<= sh;
	for (i = 0; i < top - 2; i++)
		sticky |= d[i];
	sticky |= (u64)v;
	r.mant = (u64)(v >> 64) | (sticky != 0);
	/* v counted units of 2^(32 (top - 2) + unit) before the shift */
	r.exp = 32 * (top - 2) + unit + 128 - sh;
	return r;
}

/*
 * Normalize the accumulator and convert it to a vec_num: the top 64 bits
 * of the exact sum, rounded to odd (see vec_digits_num()).
 */
static inline struct vec_num vec_acc_result(const struct vec_acc *acc)
{
	struct vec_num r;
	u32 d[VEC_LIMBS];
	int len, neg = vec_acc_digits(acc, d, &len);

	r = vec_digits_num(d, len, -VEC_BIAS);
	r.neg = neg;
	return r;
}

/* -1, 0, 1 as @a is below, equal to or above @b. */
static inline int vec_num_cmp(const struct vec_num *a, const struct vec_num *b)
{
	int sa = a->mant ? (a->neg ? -1 : 1) : 0;
	int sb = b->mant ? (b->neg ? -1 : 1) : 0;
	int mag;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (!sa)
		return 0;
	if (a->exp != b->exp)
		mag = a->exp < b->exp ? -1 : 1;
	else if (a->mant != b->mant)
		mag = a->mant < b->mant ? -1 : 1;
	else
		mag = 0;
	return sa < 0 ? -mag : mag;
}

/*
 * Round a vec_num to the IEEE-754 format with @mbits fraction bits and
 * biased exponents below @emax (the all-ones exponent), bias @bias: round
 * to nearest, ties to even, gradual underflow, overflow to infinity.  The
 * magnitude's bits are returned, without the sign.  The rounding is
 * correct for the exact value when @n was rounded to odd at 64 bits, as
 * every vec_num of this file is, since 64 >= @mbits + 1 + 2.
 */
static inline u64 vec_num_round(struct vec_num n, int mbits, s32 bias,
				s32 emax)
{
	s32 e;
	u64 m, rest, half;
	int drop;

	if (!n.mant)
		return 0;
	/* value = mant * 2^(exp - 64), mant in [2^63, 2^64) */
	e = n.exp - 1 + bias;		/* biased exponent of the leading 1 */
	if (e >= emax)
		return (u64)emax << mbits;	/* overflow: infinity */
	drop = 63 - mbits;		/* keep mbits + 1 of 64 bits */
	if (e <= 0) {			/* subnormal: keep fewer */
		drop += 1 - e;
		e = 0;
		if (drop > 64)
			return 0;	/* below half the smallest: 0 */
	}
	m = drop >= 64 ? 0 : n.mant >> drop;
	rest = drop >= 64 ? n.mant : n.mant & ((1ULL << drop) - 1);
	half = 1ULL << (drop - 1);
	if (rest > half || (rest == half && (m & 1)))
		m++;
	if (e == 0)	/* the subnormal fraction; a carry makes it normal */
		return m;
	if (m >> (mbits + 1)) {		/* rounding carried out */
		m >>= 1;
		e++;
		if (e >= emax)
			return (u64)emax << mbits;
	}
	return ((u64)e << mbits) | (m & ((1ULL << mbits) - 1));
}

/* Round a vec_num to float32 bits (round to nearest, ties to even). */
static inline u32 vec_num_to_f32(struct vec_num n)
{
	return (n.neg ? 0x80000000u : 0) | (u32)vec_num_round(n, 23, 127, 255);
}

/* Round a vec_num to float64 bits (round to nearest, ties to even). */
static inline u64 vec_num_to_f64(struct vec_num n)
{
	return (n.neg ? 1ULL << 63 : 0) | vec_num_round(n, 52, 1023, 2047);
}

/* ------------------------------------------------------------------ */
/* Distances                                                           */
/* ------------------------------------------------------------------ */

/** vec_dot() - the exact dot product of two float32 vectors */
static inline struct vec_num vec_dot(const u32 *a, const u32 *b, u32 dim)
{
	struct vec_acc acc;
	u32 i;

	vec_acc_init(&acc);
	for (i = 0; i < dim; i++)
		vec_acc_mul_add(&acc, a[i], b[i], 1);
	return vec_acc_result(&acc);
}

/**
 * vec_l2sq() - the exact squared Euclidean distance
 *
 * Sum of a^2 - 2ab + b^2 over the elements: exact because the accumulator
 * is, so the cancellation of near-equal vectors loses nothing.
 */
static inline struct vec_num vec_l2sq(const u32 *a, const u32 *b, u32 dim)
{
	struct vec_acc acc;
	u32 i;

	vec_acc_init(&acc);
	for (i = 0; i < dim; i++) {
		vec_acc_mul_add(&acc, a[i], a[i], 1);
		vec_acc_mul_add(&acc, a[i], b[i], -2);
		vec_acc_mul_add(&acc, b[i], b[i], 1);
	}
	return vec_acc_result(&acc);
}

/* An exact sum of squares in units of 2^(2 (@lo - 150)), as a vec_num. */
static inline struct vec_num vec_u128_num(unsigned __int128 sum, s32 lo)
{
	struct vec_num r = { 0, 0, 0 };
	int len;

	if (!sum)
		return r;
	if (sum >> 64)		/* bit length, with no 128-bit loop */
		len = 128 - __builtin_clzll((u64)(sum >> 64));
	else
		len = 64 - __builtin_clzll((u64)sum);
	if (len > 64)	/* round to odd, as vec_acc_result() does */
		r.mant = (u64)(sum >> (len - 64)) |
			 ((sum << (128 - (len - 64))) != 0);
	else
		r.mant = (u64)sum << (64 - len);
	/* value = mant 2^(exp - 64) */
	r.exp = len + 2 * (lo - 150);
	return r;
}

/*
 * The biased exponents of @a: smallest and largest of the nonzero
 * elements (lo stays 0x7fffffff, hi 0 if all are zero); true if an
 * element is denormal, infinite or NaN.
 */
static inline bool vec_exp_range(const u32 *a, u32 dim, s32 *lo, s32 *hi)
{
	u32 i, odd = 0;

	*lo = 0x7fffffff;
	*hi = 0;
	for (i = 0; i < dim; i++) {
		u32 x = a[i];
		s32 ex = (s32)((x >> 23) & 0xff);

		/* denormals: exponent 0 with a mantissa */
		odd |= !ex & !!(x & 0x7fffff);
		*lo = ex && ex < *lo ? ex : *lo;
		*hi = ex > *hi ? ex : *hi;
	}
	return odd || *hi == 0xff;
}

/* A float32 as a signed integer in units of 2^(@lo - 150). */
static inline s64 vec_f32_units(u32 x, s32 lo)
{
	u32 ex = (x >> 23) & 0xff;
	s64 sx = -(s64)(x >> 31);
	u64 mx = ex ? (x & 0x7fffff) | 0x800000 : 0;
	s64 v = (s64)(mx << (ex ? ex - lo : 0));

	return (v ^ sx) - sx;	/* branch-free: signs are random */
}

/**
 * vec_l2sq_fast() - vec_l2sq(), bit for bit, in one multiply per element
 *
 * When every nonzero element of both vectors lies within 2^56 of the
 * smallest one's last mantissa bit (true of ordinary data: it fails only
 * for vectors mixing magnitudes more than ~10^9 apart, denormals, or
 * values near the float32 limits), all of them are exact integers in
 * units of that bit, their differences fit 57 bits, and the sum of the
 * squared differences is an exact 126-bit integer.  Its top 64 bits,
 * truncated, are what vec_l2sq() returns.  Otherwise this falls back to
 * vec_l2sq().
 */
static inline struct vec_num vec_l2sq_fast(const u32 *a, const u32 *b, u32 dim)
{
	struct vec_num r = { 0, 0, 0 };
	s32 lo, hi, lb, hb;
	unsigned __int128 sum = 0;
	u32 i;

	if (vec_exp_range(a, dim, &lo, &hi) || vec_exp_range(b, dim, &lb, &hb))
		return vec_l2sq(a, b, dim);	/* denormal, inf or nan */
	lo = lb < lo ? lb : lo;
	hi = hb > hi ? hb : hi;
	if (!hi)
		return r;			/* both all zero */
	/* mantissas are 24 bits: the largest is < 2^(hi - lo + 24) units */
	if (hi - lo + 24 > 56)
		return vec_l2sq(a, b, dim);
	for (i = 0; i < dim; i++) {
		s64 d = vec_f32_units(a[i], lo) - vec_f32_units(b[i], lo);

		d = (d ^ (d >> 63)) - (d >> 63);
		sum += (unsigned __int128)(u64)d * (u64)d;
	}
	/* sum counts units of 2^(2 (lo - 150)) */
	return vec_u128_num(sum, lo);
}

/**
 * struct vec_l2q - a query prepared for many vec_l2sq_q() calls
 * @v: the caller's array of dim s64: the query's elements as integers
 *	in units of 2^(@lo - 150)
 * @lo: the smallest biased exponent of its nonzero elements
 * @hi: the largest (0: the query is all zero)
 * @ok: false if vec_l2sq_q() must use vec_l2sq_fast() (the query has a
 *	denormal, an infinity or a NaN, or spans more than 2^32)
 */
struct vec_l2q {
	s64 *v;
	s32 lo, hi;
	bool ok;
};

/** vec_l2q_prepare() - fill @p for the query @a, using @buf (dim s64) */
static inline void vec_l2q_prepare(struct vec_l2q *p, const u32 *a, u32 dim,
				   s64 *buf)
{
	u32 i;

	p->v = buf;
	p->ok = !vec_exp_range(a, dim, &p->lo, &p->hi) &&
		(!p->hi || p->hi - p->lo + 24 <= 56);
	if (!p->ok)
		return;
	for (i = 0; i < dim; i++)
		buf[i] = p->hi ? vec_f32_units(a[i], p->lo) : 0;
}

/**
 * vec_l2sq_q() - vec_l2sq(a, b), bit for bit, for a query @a prepared
 * in @p: vec_l2sq_fast() without reading and converting @a again
 *
 * Any unit no larger than both vectors' smallest nonzero element's last
 * mantissa bit makes every element an exact integer, so the exact sum,
 * and hence the result, is the same whichever such unit is used.
 */
static inline struct vec_num vec_l2sq_q(const struct vec_l2q *p,
					const u32 *a, const u32 *b, u32 dim)
{
	struct vec_num r = { 0, 0, 0 };
	unsigned __int128 sum = 0;
	s32 lo, hi, lb, hb, sh;
	u32 i;

	if (!p->ok)
		return vec_l2sq_fast(a, b, dim);
	if (vec_exp_range(b, dim, &lb, &hb))
		return vec_l2sq(a, b, dim);
	lo = p->hi && p->lo < lb ? p->lo : lb;
	hi = hb > p->hi ? hb : p->hi;
	if (!hi)
		return r;			/* both all zero */
	if (hi - lo + 24 > 56)
		return vec_l2sq(a, b, dim);
	sh = p->hi ? p->lo - lo : 0;		/* >= 0 */
	for (i = 0; i < dim; i++) {
		s64 d = (s64)((u64)p->v[i] << sh) - vec_f32_units(b[i], lo);

		d = (d ^ (d >> 63)) - (d >> 63);
		sum += (unsigned __int128)(u64)d * (u64)d;
	}
	return vec_u128_num(sum, lo);
}

/* Integer square root of a 128-bit value (floor), bit by bit. */
static inline u64 vec_isqrt128(unsigned __int128 x)
{
	unsigned __int128 res = 0, bit = (unsigned __int128)1 << 126;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= res + bit) {
			x -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return (u64)res;
}

/*
 * floor(n * 2^64 / d) for n < d, both 64-bit with d's top bit set: the
 * fraction n/d in 0.64 fixed point, by shift-and-subtract so that no
 * 128-bit division (a libgcc call) is needed.
 */
static inline u64 vec_frac_div(u64 n, u64 d)
{
	unsigned __int128 rem = n;
	u64 q = 0;
	int i;

	for (i = 0; i < 64; i++) {
		rem <<= 1;
		q <<= 1;
		if (rem >= d) {
			rem -= d;
			q |= 1;
		}
	}
	return q;
}

/**
 * vec_cosine_from() - vec_cosine_distance() with a.a already known
 * @na: vec_dot(a, a, dim), computed once for many b
 * @a: the first vector
 * @b: the second vector
 * @dim: their length
 *
 * Exactly the same result as vec_cosine_distance(a, b, dim).
 */
static inline struct vec_num vec_cosine_from(struct vec_num na, const u32 *a,
					     const u32 *b, u32 dim)
{
	struct vec_num dot = vec_dot(a, b, dim), nb = vec_dot(b, b, dim),
		       r = { 0, 1, 1ULL << 63 };
	unsigned __int128 prod;
	u64 den, num, q;
	s32 e, den_exp;
	int z;

	if (!na.mant || !nb.mant || !dot.mant)
		return r;			/* exactly 1 */

	/* |a||b| = sqrt(ma * mb * 2^(ea + eb - 128)); make the power even. */
	prod = (unsigned __int128)na.mant * nb.mant;
	e = na.exp + nb.exp - 128;
	if (e & 1) {
		prod >>= 1;
		e++;
	}
	den = vec_isqrt128(prod);
	den_exp = e / 2 + 64;			/* |a||b| = den * 2^(den_exp-64) */
	while (!(den >> 63)) {			/* normalize: den >= 2^63 */
		den <<= 1;
		den_exp--;
	}

	/* cos = dot / den: normalize so that num < den for the fraction. */
	num = dot.mant;
	e = dot.exp - den_exp;			/* cos = num/den * 2^e */
	if (num >= den) {
		q = vec_frac_div(num >> 1, den);	/* num/den/2 */
		e += 1;
	} else {
		q = vec_frac_div(num, den);
	}
	/* |cos| = q * 2^(e - 64); mathematically |cos| <= 1. */
	for (z = 0; q && !(q >> 63); z++)
		q <<= 1;
	e -= z;
	{
		struct vec_num cos = { dot.neg, e, q };
		struct vec_acc acc;

		/* 1 - cos, exactly, then rounded back to 64 bits. */
		vec_acc_init(&acc);
		vec_acc_add(&acc, 1, 0, 0);
		if (cos.exp - 64 >= -VEC_BIAS + 32) {
			vec_acc_add(&acc, cos.mant >> 32, cos.exp - 32,
				    !cos.neg);
			vec_acc_add(&acc, cos.mant & 0xffffffff, cos.exp - 64,
				    !cos.neg);
		}
		r = vec_acc_result(&acc);
	}
	return r;
}

/**
 * vec_cosine_distance() - 1 - a.b / (|a| |b|), to 60+ significant bits
 *
 * A zero vector has no direction; its distance to anything is defined as 1.
 */
static inline struct vec_num vec_cosine_distance(const u32 *a, const u32 *b,
						 u32 dim)
{
	return vec_cosine_from(vec_dot(a, a, dim), a, b, dim);
}

/**
 * struct vec_query - what a query vector contributes to every distance
 * @a2: the exact sum of a_i^2, as an accumulator (L2)
 * @na: the same sum as a number (cosine)
 *
 * Filled once by vec_query_prepare(); vec_distance_prepared() then gives
 * bit-for-bit the result of vec_distance() with fewer multiplications.
 */
struct vec_query {
	struct vec_acc a2;
	struct vec_num na;
};

static inline void vec_query_prepare(struct vec_query *p, const u32 *a,
				     u32 dim)
{
	struct vec_acc tmp;
	u32 i;

	vec_acc_init(&p->a2);
	for (i = 0; i < dim; i++)
		vec_acc_mul_add(&p->a2, a[i], a[i], 1);
	tmp = p->a2;
	p->na = vec_acc_result(&tmp);
}

#define VEC_METRIC_L2		1
#define VEC_METRIC_COSINE	2
#define VEC_METRIC_IP		3

/**
 * vec_distance() - the distance of @metric between two vectors
 *
 * L2 reports the squared distance (monotonic in the distance, as FAISS
 * does); IP reports the negated dot product so that smaller is closer for
 * every metric.
 */
static inline struct vec_num vec_distance(int metric, const u32 *a,
					  const u32 *b, u32 dim)
{
	struct vec_num r;

	switch (metric) {
	case VEC_METRIC_COSINE:
		return vec_cosine_distance(a, b, dim);
	case VEC_METRIC_IP:
		r = vec_dot(a, b, dim);
		r.neg = !r.neg;
		return r;
	default:
		return vec_l2sq(a, b, dim);
	}
}

/**
 * vec_distance_prepared() - vec_distance() for a prepared query @a
 *
 * The exact sums do not depend on the order of their terms, so starting
 * from the query's own terms gives the same bits as vec_distance().
 */
static inline struct vec_num vec_distance_prepared(int metric,
						   const struct vec_query *p,
						   const u32 *a, const u32 *b,
						   u32 dim)
{
	struct vec_acc acc;
	struct vec_num r;
	u32 i;

	switch (metric) {
	case VEC_METRIC_COSINE:
		return vec_cosine_from(p->na, a, b, dim);
	case VEC_METRIC_IP:
		r = vec_dot(a, b, dim);
		r.neg = !r.neg;
		return r;
	default:
		acc = p->a2;
		for (i = 0; i < dim; i++) {
			vec_acc_mul_add(&acc, a[i], b[i], -2);
			vec_acc_mul_add(&acc, b[i], b[i], 1);
		}
		return vec_acc_result(&acc);
	}
}

#endif /* _VEXFS_VECMATH_H */
