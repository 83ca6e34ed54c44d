// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * simd_islands.c - the code distances of the HNSW index, scalar and SIMD.
 *
 * See vexfs_simd.h.  The SIMD variants are inline asm in functions the
 * compiler builds with the flags of its world: in the kernel it emits no
 * SIMD instruction itself (-mno-sse -mno-avx ...), and the assembler takes
 * the asm anyway.  Each island computes a whole batch, so that the
 * kernel's dispatch (src/simd.c) brackets one batch with one
 * kernel_fpu_begin()/kernel_fpu_end(); everything an island does is
 * inlined into it: it calls nothing, so it cannot sleep or lock
 * (scripts/check-kernel-safe.sh refuses a call in an island).
 *
 * Every variant works on 16-bit lanes widened from the bytes
 * (vpmovzxbw), multiplies pairs into 32-bit lanes (vpmaddwd, or VNNI's
 * vpdpwssd which also adds) and adds 32-bit lanes, wrapping as the
 * scalar C's u32 sums do: no product or pair sum can saturate (|a - b| <=
 * 255, |a - 128| <= 128, a code <= 255 against an s16).  The bytes past
 * the last full vector step are summed by the scalar C.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#include "vexfs_simd.h"

/*
 * What an island does must be inlined into it (it may call nothing);
 * scripts/check-kernel-safe.sh checks that the compiler did.
 */
#ifdef __KERNEL__
#define ISL_INLINE	__always_inline
#else
#define ISL_INLINE	inline
#endif

const char *const vexfs_simd_names[VEXFS_SIMD_NR] = {
	[VEXFS_SIMD_SCALAR] = "scalar",
	[VEXFS_SIMD_AVX2] = "avx2",
	[VEXFS_SIMD_AVX512] = "avx512",
	[VEXFS_SIMD_AVX512VNNI] = "avx512vnni",
};

/* ------------------------------------------------------------------ */
/* Scalar                                                              */
/* ------------------------------------------------------------------ */

/*
 * Squared L2 distance of two codes: at most 4096 * 255^2 < 2^32.  Four
 * independent sums, so that without SIMD the additions do not wait on
 * each other.  The sums only grow, so once they reach @bound (a node at
 * that distance or more would be rejected anyway) the rest is skipped:
 * checked every HNSW_ABANDON dimensions.  The value returned is then >=
 * @bound but not the distance.  (Measured before the SIMD islands: a
 * no-SIMD loop costs ~0.4 ns a byte; a 64-bit SWAR variant and a table of
 * squares were no faster.)
 */
#define HNSW_ABANDON	32

static ISL_INLINE u32 code_l2(const u8 *a, const u8 *b, u32 dim,
				   u32 bound)
{
	u32 s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0, j;
	s32 t0, t1, t2, t3;

	for (; i + HNSW_ABANDON <= dim; i += HNSW_ABANDON) {
		for (j = i; j < i + HNSW_ABANDON; j += 4) {
			t0 = (s32)a[j] - (s32)b[j];
			t1 = (s32)a[j + 1] - (s32)b[j + 1];
			t2 = (s32)a[j + 2] - (s32)b[j + 2];
			t3 = (s32)a[j + 3] - (s32)b[j + 3];
			s0 += (u32)(t0 * t0);
			s1 += (u32)(t1 * t1);
			s2 += (u32)(t2 * t2);
			s3 += (u32)(t3 * t3);
		}
		if (s0 + s1 + s2 + s3 >= bound)
			return s0 + s1 + s2 + s3;
	}
	for (; i < dim; i++) {
		t0 = (s32)a[i] - (s32)b[i];
		s0 += (u32)(t0 * t0);
	}
	return s0 + s1 + s2 + s3;
}

/*
 * IP between two codes: 2^31 minus the dot product of the codes minus
 * 128 (|dot| <= 4096 * 128^2 = 2^26), so that nearer is smaller and the
 * value is a u32.
 */
static ISL_INLINE u32 code_ip(const u8 *a, const u8 *b, u32 dim)
{
	s32 s0 = 0, s1 = 0, i;

	for (i = 0; i + 2 <= (s32)dim; i += 2) {
		s0 += ((s32)a[i] - 128) * ((s32)b[i] - 128);
		s1 += ((s32)a[i + 1] - 128) * ((s32)b[i + 1] - 128);
	}
	if (i < (s32)dim)
		s0 += ((s32)a[i] - 128) * ((s32)b[i] - 128);
	return 0x80000000U - (u32)(s0 + s1);
}

/* IP from a wide query: 2^31 - sum w * code, |sum| < 2^31. */
static ISL_INLINE u32 wide_ip(const s16 *w, const u8 *c, u32 dim)
{
	s32 s0 = 0, s1 = 0, i;

	for (i = 0; i + 2 <= (s32)dim; i += 2) {
		s0 += (s32)w[i] * c[i];
		s1 += (s32)w[i + 1] * c[i + 1];
	}
	if (i < (s32)dim)
		s0 += (s32)w[i] * c[i];
	return 0x80000000U - (u32)(s0 + s1);
}

/**
 * vexfs_dist_scalar() - a batch of code distances in plain C
 * @r: the batch
 *
 * No SIMD in the kernel (its flags); userspace's compiler may vectorize
 * it.  Needs no FPU bracket.
 */
void vexfs_dist_scalar(const struct vexfs_dist_req *r)
{
	u32 i;

	if (r->kind == VEXFS_DIST_L2)
		for (i = 0; i < r->n; i++)
			r->out[i] = code_l2(r->q, r->codes[i], r->dim, r->bound);
	else if (r->kind == VEXFS_DIST_IP)
		for (i = 0; i < r->n; i++)
			r->out[i] = code_ip(r->q, r->codes[i], r->dim);
	else
		for (i = 0; i < r->n; i++)
			r->out[i] = wide_ip(r->wq, r->codes[i], r->dim);
}

/* ------------------------------------------------------------------ */
/* The sums the vector steps leave                                     */
/* ------------------------------------------------------------------ */

static ISL_INLINE u32 tail_l2(const u8 *a, const u8 *b, u32 from,
				   u32 dim)
{
	u32 s = 0;
	s32 t;

	for (; from < dim; from++) {
		t = (s32)a[from] - (s32)b[from];
		s += (u32)(t * t);
	}
	return s;
}

static ISL_INLINE u32 tail_ip(const u8 *a, const u8 *b, u32 from,
				   u32 dim)
{
	u32 s = 0;

	for (; from < dim; from++)
		s += (u32)(((s32)a[from] - 128) * ((s32)b[from] - 128));
	return s;
}

static ISL_INLINE u32 tail_wide(const s16 *w, const u8 *c, u32 from,
				     u32 dim)
{
	u32 s = 0;

	for (; from < dim; from++)
		s += (u32)((s32)w[from] * c[from]);
	return s;
}

#ifdef __x86_64__

/*
 * In userspace the compiler uses the vector registers too: tell it which
 * ones the asm takes (all are caller-saved, so calls need nothing more).
 * The kernel's compiler never uses them and refuses to hear of them.
 */
#ifdef __SSE2__
#define ISL_CLOBBER	"memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", \
			"xmm5", "xmm6"
#else
#define ISL_CLOBBER	"memory", "cc"
#endif

/*
 * One vector step: @oq/@oc are the byte offsets of the query and the code
 * from %[q]/%[c], @acc the accumulator, @t0/@t1 temporaries, @k the
 * register of 16-bit 128s.  Operands in AT&T order (sources, then dest).
 */
#define STEP_L2(oq, oc, acc, t0, t1, k)				\
	"vpmovzxbw " oq "(%[q]), %%" t0 "\n\t"			\
	"vpmovzxbw " oc "(%[c]), %%" t1 "\n\t"			\
	"vpsubw %%" t1 ", %%" t0 ", %%" t0 "\n\t"		\
	"vpmaddwd %%" t0 ", %%" t0 ", %%" t0 "\n\t"		\
	"vpaddd %%" t0 ", %%" acc ", %%" acc "\n\t"
#define STEP_L2_VNNI(oq, oc, acc, t0, t1, k)			\
	"vpmovzxbw " oq "(%[q]), %%" t0 "\n\t"			\
	"vpmovzxbw " oc "(%[c]), %%" t1 "\n\t"			\
	"vpsubw %%" t1 ", %%" t0 ", %%" t0 "\n\t"		\
	"vpdpwssd %%" t0 ", %%" t0 ", %%" acc "\n\t"
#define STEP_IP(oq, oc, acc, t0, t1, k)				\
	"vpmovzxbw " oq "(%[q]), %%" t0 "\n\t"			\
	"vpmovzxbw " oc "(%[c]), %%" t1 "\n\t"			\
	"vpsubw %%" k ", %%" t0 ", %%" t0 "\n\t"		\
	"vpsubw %%" k ", %%" t1 ", %%" t1 "\n\t"		\
	"vpmaddwd %%" t1 ", %%" t0 ", %%" t0 "\n\t"		\
	"vpaddd %%" t0 ", %%" acc ", %%" acc "\n\t"
#define STEP_IP_VNNI(oq, oc, acc, t0, t1, k)			\
	"vpmovzxbw " oq "(%[q]), %%" t0 "\n\t"			\
	"vpmovzxbw " oc "(%[c]), %%" t1 "\n\t"			\
	"vpsubw %%" k ", %%" t0 ", %%" t0 "\n\t"		\
	"vpsubw %%" k ", %%" t1 ", %%" t1 "\n\t"		\
	"vpdpwssd %%" t1 ", %%" t0 ", %%" acc "\n\t"
/* The wide query is s16: its offset is twice the code's. */
#define STEP_WIDE(oq, oc, acc, t0, t1, k)			\
	"vpmovzxbw " oc "(%[c]), %%" t1 "\n\t"			\
	"vpmaddwd " oq "(%[q]), %%" t1 ", %%" t0 "\n\t"		\
	"vpaddd %%" t0 ", %%" acc ", %%" acc "\n\t"
#define STEP_WIDE_VNNI(oq, oc, acc, t0, t1, k)			\
	"vpmovzxbw " oc "(%[c]), %%" t1 "\n\t"			\
	"vpdpwssd " oq "(%[q]), %%" t1 ", %%" acc "\n\t"

/* Sum the eight 32-bit lanes of %ymm2 into %[s]; leave no dirty upper. */
#define REDUCE_Y						\
	"vextracti128 $1, %%ymm2, %%xmm0\n\t"			\
	"vpaddd %%xmm0, %%xmm2, %%xmm0\n\t"			\
	"vpshufd $0x4e, %%xmm0, %%xmm1\n\t"			\
	"vpaddd %%xmm1, %%xmm0, %%xmm0\n\t"			\
	"vpshufd $0xb1, %%xmm0, %%xmm1\n\t"			\
	"vpaddd %%xmm1, %%xmm0, %%xmm0\n\t"			\
	"vmovd %%xmm0, %[s]\n\t"				\
	"vzeroupper\n\t"
#define REDUCE_Z						\
	"vextracti64x4 $1, %%zmm2, %%ymm0\n\t"			\
	"vpaddd %%ymm0, %%ymm2, %%ymm2\n\t"			\
	REDUCE_Y

/*
 * The loop: @pairs double steps (two accumulators, %2 and %4, so that a
 * multiply-add need not wait for the one before), then one step if @odd.
 * %3 holds 16-bit 128s (for IP).  @R is "ymm" or "zmm", @W the code bytes
 * of one step as a string, @QW the query's; then @tail, the scalar sum of
 * the bytes past the last step, is added.
 */
#define ISL_LOOP(STEP, R, W, W2, QW, QW2, REDUCE, q, c, pairs, odd, sum, \
		 tail)							\
do {									\
	asm volatile("vpxor %%xmm2, %%xmm2, %%xmm2\n\t"			\
		     "vpxor %%xmm4, %%xmm4, %%xmm4\n\t"			\
		     "vmovd %[k], %%xmm3\n\t"				\
		     "vpbroadcastd %%xmm3, %%" R "3\n\t"		\
		     "test %[n], %[n]\n\t"				\
		     "jz 2f\n"						\
		     "1:\n\t"						\
		     STEP("0", "0", R "2", R "0", R "1", R "3")		\
		     STEP(QW, W, R "4", R "5", R "6", R "3")		\
		     "add $" QW2 ", %[q]\n\t"				\
		     "add $" W2 ", %[c]\n\t"				\
		     "dec %[n]\n\t"					\
		     "jnz 1b\n"						\
		     "2:\n\t"						\
		     "test %[odd], %[odd]\n\t"				\
		     "jz 3f\n\t"					\
		     STEP("0", "0", R "2", R "0", R "1", R "3")		\
		     "3:\n\t"						\
		     "vpaddd %%" R "4, %%" R "2, %%" R "2\n\t"		\
		     REDUCE						\
		     : [q] "+r" (q), [c] "+r" (c), [n] "+r" (pairs),	\
		       [s] "=&r" (sum)					\
		     : [k] "r" (0x00800080U), [odd] "r" (odd)		\
		     : ISL_CLOBBER);					\
	(sum) += (tail);						\
} while (0)

/*
 * One island: for each code of the batch, the vector steps of @step_bytes
 * (16: ymm, 32: zmm), then the scalar tail.  Expands to the body of a
 * function of @r.
 */
#define ISL_BODY(r, STEP_L2_, STEP_IP_, STEP_WIDE_, R, W, W2, QW, QW2,	\
		 REDUCE, step_bytes)						\
do {									\
	u32 dim = (r)->dim, steps = dim / (step_bytes);			\
	u32 from = steps * (step_bytes), i, sum;			\
									\
	for (i = 0; i < (r)->n; i++) {					\
		const u8 *c0 = (r)->codes[i], *c = c0;			\
		u32 pairs = steps / 2, odd = steps & 1;			\
									\
		if ((r)->kind == VEXFS_DIST_L2) {			\
			const u8 *q0 = (r)->q, *q = q0;			\
									\
			if (!steps)					\
				sum = tail_l2(q0, c0, 0, dim);		\
			else						\
				ISL_LOOP(STEP_L2_, R, W, W2, W, W2,	\
					 REDUCE, q, c, pairs, odd, sum,	\
					 tail_l2(q0, c0, from, dim));	\
			(r)->out[i] = sum;				\
		} else if ((r)->kind == VEXFS_DIST_IP) {		\
			const u8 *q0 = (r)->q, *q = q0;			\
									\
			if (!steps)					\
				sum = tail_ip(q0, c0, 0, dim);		\
			else						\
				ISL_LOOP(STEP_IP_, R, W, W2, W, W2,	\
					 REDUCE, q, c, pairs, odd, sum,	\
					 tail_ip(q0, c0, from, dim));	\
			(r)->out[i] = 0x80000000U - sum;		\
		} else {						\
			const s16 *q0 = (r)->wq, *q = q0;		\
									\
			if (!steps)					\
				sum = tail_wide(q0, c0, 0, dim);	\
			else						\
				ISL_LOOP(STEP_WIDE_, R, W, W2, QW, QW2,	\
					 REDUCE, q, c, pairs, odd, sum,	\
					 tail_wide(q0, c0, from, dim));	\
			(r)->out[i] = 0x80000000U - sum;		\
		}							\
	}								\
} while (0)

/**
 * vexfs_isl_avx2() - a batch of code distances with AVX2
 * @r: the batch
 *
 * Context: the CPU has AVX2 and the OS saves its state; in the kernel,
 * only inside kernel_fpu_begin()/kernel_fpu_end() (src/simd.c).
 */
void vexfs_isl_avx2(const struct vexfs_dist_req *r)
{
	ISL_BODY(r, STEP_L2, STEP_IP, STEP_WIDE, "ymm", "16", "32", "32",
		 "64", REDUCE_Y, 16);
}

/**
 * vexfs_isl_avx512() - a batch of code distances with AVX-512BW
 * @r: the batch
 *
 * Context: as vexfs_isl_avx2(), for AVX-512F and BW.
 */
void vexfs_isl_avx512(const struct vexfs_dist_req *r)
{
	ISL_BODY(r, STEP_L2, STEP_IP, STEP_WIDE, "zmm", "32", "64", "64",
		 "128", REDUCE_Z, 32);
}

/**
 * vexfs_isl_avx512vnni() - a batch of code distances with AVX-512 VNNI
 * @r: the batch
 *
 * Context: as vexfs_isl_avx512(), and AVX512_VNNI (vpdpwssd).
 */
void vexfs_isl_avx512vnni(const struct vexfs_dist_req *r)
{
	ISL_BODY(r, STEP_L2_VNNI, STEP_IP_VNNI, STEP_WIDE_VNNI, "zmm", "32",
		 "64", "64", "128", REDUCE_Z, 32);
}

#else /* !__x86_64__: no islands; the dispatch never picks them */

void vexfs_isl_avx2(const struct vexfs_dist_req *r)
{
	vexfs_dist_scalar(r);
}

void vexfs_isl_avx512(const struct vexfs_dist_req *r)
{
	vexfs_dist_scalar(r);
}

void vexfs_isl_avx512vnni(const struct vexfs_dist_req *r)
{
	vexfs_dist_scalar(r);
}

#endif
