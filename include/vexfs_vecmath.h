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
 * rounding at all.  Only the final conversion rounds: to 64 significant
 * bits *rounded to odd* (the lowest bit ORs in everything below), which
 * loses nothing a later rounding to float32 or float64 needs, so L2 and IP
 * are reported correctly rounded, once.  Rankings compare those 64-bit
 * values (monotonic in the exact distance).
 *
 * Cosine: 1 - D / sqrt(A B) (A = a.a, B = b.b, D = a.b) is irrational in
 * general.  It is evaluated without cancellation from A B - D^2, formed
 * exactly with big integers; its float32 is correctly rounded (an exact
 * integer comparison settles the rare estimates within 2^-56 of a
 * rounding midpoint), its 64-bit value is within 2^-55 and its float64
 * within 2^-52 (relative).  See vec_cosine_acc().
 *
 * The same header builds in the kernel and in userspace (the unit tests
 * check it bit for bit against GNU MPFR), so it uses only fixed-width
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
 * A non-negative or negative number mant * 2^(exp - 64) with mant
 * normalized so that its top bit is set (or mant == 0): what a distance is
 * ranked as, and reported rounded from (vec_num_to_f32(), _f64()).
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

/**
 * vec_first_nonfinite() - where a vector holds a NaN or an infinity
 *
 * The one check of every entry point: the kernel's vexfs_vec_check()
 * (ioctls EMBEDDING_SET, BATCH and QUERY, the xattr user.vexfs.embedding),
 * the library's vexfs_slot_fill() (mkfs -d) and fsck's slot check.
 * Return: the index of the first non-finite element, or @dim if none.
 */
static inline u32 vec_first_nonfinite(const u32 *v, u32 dim)
{
	u32 i;

	for (i = 0; i < dim; i++)
		if (!vec_f32_is_finite(v[i]))
			break;
	return i;
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
 * rounded to odd, are what vec_l2sq() returns.  Otherwise this falls back to
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

/* ------------------------------------------------------------------ */
/* Cosine                                                              */
/* ------------------------------------------------------------------ */

/*
 * Natural numbers as little-endian arrays of 32-bit digits with a length
 * (no leading zero digit; length 0 is zero).  Only what the cosine needs:
 * no division, and 64-bit intermediates only.
 */
static inline int vbn_trim(const u32 *a, int n)
{
	while (n > 0 && !a[n - 1])
		n--;
	return n;
}

/* r = a * b; r has room for na + nb digits and is neither a nor b */
static inline int vbn_mul(u32 *r, const u32 *a, int na, const u32 *b, int nb)
{
	int i, j;

	for (i = 0; i < na + nb; i++)
		r[i] = 0;
	for (i = 0; i < na; i++) {
		u64 c = 0;

		for (j = 0; j < nb; j++) {
			u64 t = (u64)a[i] * b[j] + r[i + j] + c;

			r[i + j] = (u32)t;
			c = t >> 32;
		}
		r[i + nb] = (u32)c;
	}
	return vbn_trim(r, na + nb);
}

/* r = a * m for m < 2^32; r has room for na + 1 digits (may be a) */
static inline int vbn_mul1(u32 *r, const u32 *a, int na, u32 m)
{
	u64 c = 0;
	int i;

	for (i = 0; i < na; i++) {
		u64 t = (u64)a[i] * m + c;

		r[i] = (u32)t;
		c = t >> 32;
	}
	r[na] = (u32)c;
	return vbn_trim(r, na + 1);
}

/* r = a << sh; r has room for na + sh / 32 + 1 digits and is not a */
static inline int vbn_shl(u32 *r, const u32 *a, int na, int sh)
{
	int q = sh / 32, b = sh % 32, i;

	for (i = 0; i < na + q + 1; i++)
		r[i] = 0;
	for (i = 0; i < na; i++) {
		r[i + q] |= a[i] << b;
		if (b)
			r[i + q + 1] = a[i] >> (32 - b);
	}
	return vbn_trim(r, na + q + 1);
}

static inline int vbn_cmp(const u32 *a, int na, const u32 *b, int nb)
{
	int i;

	if (na != nb)
		return na < nb ? -1 : 1;
	for (i = na - 1; i >= 0; i--)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* r = a - b for a >= b; r may be a */
static inline int vbn_sub(u32 *r, const u32 *a, int na, const u32 *b, int nb)
{
	s64 c = 0;
	int i;

	for (i = 0; i < na; i++) {
		s64 t = (s64)a[i] - (i < nb ? b[i] : 0) + c;

		r[i] = (u32)t;
		c = t >> 32;
	}
	return vbn_trim(r, na);
}

/* x * y, truncated to 64 bits (relative error below 2^-63) */
static inline struct vec_num vec_num_mul(struct vec_num x, struct vec_num y)
{
	unsigned __int128 p = (unsigned __int128)x.mant * y.mant;
	struct vec_num r = { x.neg ^ y.neg, x.exp + y.exp, 0 };

	if (p >> 127) {
		r.mant = (u64)(p >> 64);
	} else {
		r.mant = (u64)(p >> 63);
		r.exp--;
	}
	return r;
}

/* x + y for positive x, y, truncated (relative error below 2^-63) */
static inline struct vec_num vec_num_add(struct vec_num x, struct vec_num y)
{
	struct vec_num t;
	unsigned __int128 s;
	u32 sh;

	if (x.exp < y.exp) {
		t = x;
		x = y;
		y = t;
	}
	sh = (u32)(x.exp - y.exp);
	s = (unsigned __int128)x.mant + (sh < 64 ? y.mant >> sh : 0);
	if (s >> 64) {
		x.mant = (u64)(s >> 1);
		x.exp++;
	} else {
		x.mant = (u64)s;
	}
	return x;
}

/*
 * x / y for positive x, y, truncated (relative error below 2^-63), by
 * shift-and-subtract so that no 128-bit division (a libgcc call) is
 * needed.
 */
static inline struct vec_num vec_num_div(struct vec_num x, struct vec_num y)
{
	struct vec_num r = { 0, x.exp - y.exp, 0 };
	unsigned __int128 rem = x.mant;
	int i, k = 64;

	if (x.mant >= y.mant) {		/* quotient in [1, 2): bit 63 is 1 */
		rem -= y.mant;
		r.mant = 1;
		k = 63;
		r.exp++;
	}
	for (i = 0; i < k; i++) {
		rem <<= 1;
		r.mant <<= 1;
		if (rem >= y.mant) {
			rem -= y.mant;
			r.mant |= 1;
		}
	}
	return r;
}

/* sqrt(x) for positive x, truncated (relative error below 2^-63) */
static inline struct vec_num vec_num_sqrt(struct vec_num x)
{
	struct vec_num r = { 0, 0, 0 };

	/* x = mant 2^(exp - 64): make the power of the radicand even */
	if (x.exp & 1) {	/* mant 2^63 * 2^(exp - 127) */
		r.mant = vec_isqrt128((unsigned __int128)x.mant << 63);
		r.exp = (x.exp + 1) / 2;
	} else {		/* mant 2^64 * 2^(exp - 128) */
		r.mant = vec_isqrt128((unsigned __int128)x.mant << 64);
		r.exp = x.exp / 2;
	}
	return r;
}

/*
 * Room for the exact cosine's big numbers: VEC_LIMBS digits for a.a, b.b
 * and a.b, twice that for their products, and the shifts and products of
 * the tie test below.
 */
#define VEC_BN2	(2 * VEC_LIMBS + 8)
#define VEC_BN4	(2 * VEC_BN2 + 4)

/*
 * vec_cos_vs_mid() - the sign of d - t, exactly, for the cosine distance
 * d = 1 - D / sqrt(A B) and t = @T 2^-@q (the midpoint between two
 * adjacent float32 values), given @ab = A B, and for D > 0 @n = A B - D^2,
 * for D < 0 @d2 = D^2, all exact and in the same units.
 *
 * D > 0: d = N / (A B + D S), S = sqrt(A B), so d < t iff
 *   L = 2^q N - T A B < T D S;  true if L < 0, else iff L^2 < T^2 D^2 A B.
 * D < 0: d = 1 + |D| / S > t iff t <= 1, else with C = T - 2^q > 0,
 *   d < t iff |D| 2^q < C S iff D^2 2^2q < C^2 A B.
 *
 * Kept out of line: it runs only when d lies within 2^-56 (relative) of
 * a rounding boundary, and its numbers need about 1.3 KiB of stack.
 */
static __attribute__((__noinline__)) int
vec_cos_vs_mid(const u32 *ab, int nab, const u32 *n, int nn, const u32 *d,
	       int nd, const u32 *d2, int nd2, int dneg, u32 T, int q)
{
	u32 x[VEC_BN2 + 8], y[VEC_BN4], z[VEC_BN4], w[VEC_LIMBS + 2];
	int nx, ny, nz, nw, c;

	if (dneg) {
		u64 C, C2;

		if (q > 40 || (u64)T <= (1ULL << q))
			return 1;		/* t <= 1 <= d; d == 1: D == 0 */
		C = T - (1ULL << q);		/* < 2^25 */
		C2 = C * C;
		nx = vbn_shl(x, d2, nd2, 2 * q);
		w[0] = (u32)C2;
		w[1] = (u32)(C2 >> 32);
		ny = vbn_mul(y, ab, nab, w, vbn_trim(w, 2));
		return vbn_cmp(x, nx, y, ny);	/* sign of |D|/S - (t - 1) */
	}
	nx = vbn_shl(x, n, nn, q);		/* 2^q N */
	ny = vbn_mul1(y, ab, nab, T);		/* T A B */
	if (vbn_cmp(x, nx, y, ny) <= 0)
		return -1;			/* L <= 0 < T D S */
	nx = vbn_sub(x, x, nx, y, ny);		/* L > 0 */
	nz = vbn_mul(z, x, nx, x, nx);		/* L^2 */
	nw = vbn_mul1(w, d, nd, T);		/* T D */
	nx = vbn_mul(x, w, nw, w, nw);		/* T^2 D^2 */
	ny = vbn_mul(y, x, nx, ab, nab);	/* T^2 D^2 A B */
	c = vbn_cmp(z, nz, y, ny);
	return c;				/* L^2 vs T^2 D^2 A B: d vs t */
}

/* The float32 bits next above the positive @f, and the midpoint T 2^-q */
static inline void vec_f32_mid(u32 f, u32 *T, int *q)
{
	u32 e = f >> 23, sig = f & 0x7fffff;

	if (e)
		sig |= 0x800000;
	*T = 2 * sig + 1;
	*q = e ? 151 - (int)e : 150;	/* ulp 2^(e - 150), 2^-149 if e = 0 */
}

/* T 2^-q as a vec_num, moved by @nudge units of its 64th bit */
static inline struct vec_num vec_mid_num(u32 T, int q, int nudge)
{
	int len = 32 - __builtin_clz(T);
	struct vec_num r = { 0, len - q, (u64)T << (64 - len) };

	if (nudge > 0) {
		r.mant++;
	} else if (nudge < 0) {
		if (r.mant == 1ULL << 63) {
			r.mant = ~0ULL;
			r.exp--;
		} else {
			r.mant--;
		}
	}
	return r;
}

/**
 * vec_cosine_acc() - the cosine distance from exact sums
 * @a2: an accumulator of a.a (vec_acc_mul_add(), not yet normalized)
 * @b2: the same for b.b
 * @ab: the same for a.b
 *
 * With A = a.a, B = b.b, D = a.b (exact), S = sqrt(A B):
 *   d = 1 - D / S = (A B - D^2) / (A B + D S)	for D > 0,
 *   d = 1 + |D| / S				for D <= 0,
 * where A B - D^2 >= 0 is computed exactly with big integers, so that no
 * step cancels.  An estimate d~ then follows with 64-bit operations, each
 * off by less than 2^-63 relative; the errors compound to less than
 * 7 * 2^-63 < 2^-60 (D > 0: A B - D^2, A B, D, S, D S, A B + D S, the
 * quotient; D < 0: D, S, the quotient, the sum).  If every value within
 * 2^-56 of d~ rounds to the same float32, that is d's float32.  Otherwise
 * exactly one float32 midpoint t lies in that window, and
 * vec_cos_vs_mid() decides d < t, d = t or d > t in exact integer
 * arithmetic.  If d~ does not round to the float32 so found, it is moved
 * to the nearest 64-bit value that does (by less than 2^-55 relative).
 *
 * So: the float32 of the result is d's, correctly rounded (ties to even);
 * the result itself is within 2^-55 of d, relative, and its float64
 * within 2^-52.  Ranking by it agrees with the float32 values reported.
 */
static inline struct vec_num vec_cosine_acc(const struct vec_acc *a2,
					    const struct vec_acc *b2,
					    const struct vec_acc *ab)
{
	u32 A[VEC_LIMBS], B[VEC_LIMBS], D[VEC_LIMBS], P[VEC_BN2], N[VEC_BN2];
	struct vec_num one = { 0, 1, 1ULL << 63 }, r = one, dn, sn, pn, lo, hi;
	int na, nb, nd, np, nn, z, dneg, wide;
	const u32 *a, *b, *d;
	u32 flo, fhi, f, T;
	s32 unit;
	int q, c;

	vec_acc_digits(a2, A, &na);
	vec_acc_digits(b2, B, &nb);
	dneg = vec_acc_digits(ab, D, &nd);
	if (!na || !nb || !nd)
		return r;		/* a zero vector, or D = 0: exactly 1 */
	/* Drop the digits that are zero in all three (a common unit). */
	for (z = 0; !A[z] && !B[z] && !D[z]; z++)
		;
	a = A + z;
	b = B + z;
	d = D + z;
	na -= z;
	nb -= z;
	nd -= z;
	unit = 32 * z - VEC_BIAS;	/* of A, B, D; A B and D^2: twice */

	np = vbn_mul(P, a, na, b, nb);			/* A B */
	pn = vec_digits_num(P, np, 2 * unit);
	sn = vec_num_sqrt(pn);
	dn = vec_digits_num(d, nd, unit);
	nn = vbn_mul(N, d, nd, d, nd);			/* D^2 */
	if (dneg) {
		/* d = 1 + |D| / S, in [1, 2] */
		r = vec_num_add(one, vec_num_div(dn, sn));
	} else {
		nn = vbn_sub(N, P, np, N, nn);		/* A B - D^2 >= 0 */
		if (!nn) {
			r.mant = 0;			/* parallel: exactly 0 */
			r.exp = 0;
			return r;
		}
		r = vec_num_div(vec_digits_num(N, nn, 2 * unit),
				vec_num_add(pn, vec_num_mul(dn, sn)));
	}

	/* The window [d~ (1 - 2^-56), d~ (1 + 2^-56)] holds d. */
	wide = (int)(r.mant >> 56) + 1;
	lo = r;
	lo.mant -= wide;		/* stays >= 2^63 - 257: one binade */
	hi = r;
	if (r.mant > ~0ULL - wide) {
		hi.mant = (r.mant >> 1) + (wide >> 1) + 1;
		hi.exp++;
	} else {
		hi.mant += wide;
	}
	if (lo.mant < 1ULL << 63) {	/* renormalize */
		lo.mant <<= 1;
		lo.exp--;
	}
	flo = vec_num_to_f32(lo);
	fhi = vec_num_to_f32(hi);
	if (flo == fhi)
		return r;		/* all of the window rounds the same */

	/* One midpoint t in the window: decide exactly. */
#ifdef VEC_COUNT_EXACT
	VEC_COUNT_EXACT++;	/* tests: how often this path ran */
#endif
	vec_f32_mid(flo, &T, &q);
	c = vec_cos_vs_mid(P, np, N, nn, d, nd, N, nn, dneg, T, q);
	if (!c)		/* d = t exactly: t itself, which rounds to even */
		return vec_mid_num(T, q, 0);
	f = c < 0 ? flo : fhi;
	if (vec_num_to_f32(r) == f)
		return r;
	return vec_mid_num(T, q, c);	/* just on d's side of t */
}

/*
 * The exact sums of a cosine distance: b.b and a.b, in one pass.
 */
static inline void vec_cos_sums(struct vec_acc *b2, struct vec_acc *ab,
				const u32 *a, const u32 *b, u32 dim)
{
	u32 i;

	vec_acc_init(b2);
	vec_acc_init(ab);
	for (i = 0; i < dim; i++) {
		vec_acc_mul_add(b2, b[i], b[i], 1);
		vec_acc_mul_add(ab, a[i], b[i], 1);
	}
}

/* The accumulator of a.a, for vec_cosine_from() */
static inline void vec_acc_sq(struct vec_acc *a2, const u32 *a, u32 dim)
{
	u32 i;

	vec_acc_init(a2);
	for (i = 0; i < dim; i++)
		vec_acc_mul_add(a2, a[i], a[i], 1);
}

/**
 * vec_cosine_from() - vec_cosine_distance() with a.a already summed
 * @a2: vec_acc_sq(a), computed once for many b
 * @a: the first vector
 * @b: the second vector
 * @dim: their length
 *
 * Exactly the same result as vec_cosine_distance(a, b, dim).
 */
static inline struct vec_num vec_cosine_from(const struct vec_acc *a2,
					     const u32 *a, const u32 *b,
					     u32 dim)
{
	struct vec_acc b2, ab;

	vec_cos_sums(&b2, &ab, a, b, dim);
	return vec_cosine_acc(a2, &b2, &ab);
}

/**
 * vec_cosine_distance() - 1 - a.b / (|a| |b|): its float32 correctly
 * rounded, the value itself within 2^-55 relative (see vec_cosine_acc())
 *
 * A zero vector has no direction; its distance to anything is defined as 1.
 */
static inline struct vec_num vec_cosine_distance(const u32 *a, const u32 *b,
						 u32 dim)
{
	struct vec_acc a2;

	vec_acc_sq(&a2, a, dim);
	return vec_cosine_from(&a2, a, b, dim);
}

/**
 * struct vec_query - what a query vector contributes to every distance
 * @a2: the exact sum of a_i^2, as an accumulator (L2 and cosine)
 *
 * Filled once by vec_query_prepare(); vec_distance_prepared() then gives
 * bit-for-bit the result of vec_distance() with fewer multiplications.
 */
struct vec_query {
	struct vec_acc a2;
};

static inline void vec_query_prepare(struct vec_query *p, const u32 *a,
				     u32 dim)
{
	vec_acc_sq(&p->a2, a, dim);
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
		return vec_cosine_from(&p->a2, a, b, dim);
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
