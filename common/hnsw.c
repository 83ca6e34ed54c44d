// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hnsw.c - the HNSW index core, integer-only, for the kernel and userspace.
 *
 * Hierarchical Navigable Small World graphs (Malkov and Yashunin, 2016),
 * as hnswlib builds them: a node gets a level from a geometric
 * distribution (P(level >= l) = m^-l), a search descends greedily from the
 * entry point through the upper levels and does a best-first search of
 * width ef at level 0, and an insert links the new node to the neighbours
 * the "heuristic" keeps (a candidate is dropped when it is nearer to an
 * already kept neighbour than to the new node).
 *
 * What differs from hnswlib:
 * - distances inside the graph are between 8-bit codes (vexfs_hnsw.h), so
 *   everything is integer; the final candidates are re-ranked with the
 *   exact float32 distance of vexfs_vecmath.h;
 * - a node's level is a hash of (seed, slot), not a draw from a stream, so
 *   a rebuild gives the same levels whatever the insertion order;
 * - nodes and their lists live behind struct hnsw_ops, and all memory is
 *   one scratch buffer whose size hnsw_scratch_size() states in advance;
 * - the visited set is a bounded hash table, not an array of one entry per
 *   node: a search stops expanding after a fixed visit budget
 *   (ef * m0 + 1024 nodes), so its memory does not grow with the index;
 * - a delete leaves a tombstone and repairs the lists of the deleted node's
 *   neighbours at once; hnsw_compact() later removes the remaining links
 *   to tombstones and frees their records.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#include "vexfs_hnsw.h"
#include "vexfs_simd.h"

/*
 * A cache hint (prefetcht0 on x86: no FP/SIMD state), as the kernel's own
 * prefetch() is.  <linux/prefetch.h> is not included: its function-like
 * prefetch() macro would swallow calls of ops->prefetch.
 */
#define hnsw_prefetch(p)	__builtin_prefetch(p)

#define HNSW_VISIT_SLACK	1024

/* A candidate: quantized distance to the current base, and the node. */
struct hc {
	u32 d;
	u32 slot;
};

/*
 * The scratch buffer, carved by hs_carve() for the ef at hand (a search's
 * ef, or ef_construction for the writers), so that a narrow search clears
 * a small visited table.
 */
struct hs {
	u32 *vhash;		/* open addressing, 0 = empty */
	u32 hmask;
	u32 *vlist;		/* hash positions filled, to clear them */
	u32 nv, vcap;
	struct hc *cand;	/* min-heap of nodes to expand */
	u32 nc;
	struct hc *res;		/* max-heap of the best live nodes (ef) */
	u32 nr;
	u8 *qcode;		/* the query's or new node's code */
	s16 *wide;		/* an IP query's wide code */
	const s16 *qwide;	/* wide if an IP search, else NULL */
	s64 *qfix;		/* an L2 query prepared for the rerank */
	u32 *lbuf, *lbuf2;	/* neighbour lists (m0 each) */
	struct hc *sel;		/* selection input (2 m0 + 1) */
	struct hc *selout;	/* selection output (m0) */
	struct hc *levsel;	/* an insert's neighbours per level */
	struct hnsw_hit *rr;	/* reranked candidates (ef) */
	/* one batch of code distances (2 m0: a repair's two lists) */
	const u8 **bcode;	/* the codes, from ops->code_get */
	void **bck;		/* their cookies, for ops->code_put */
	u32 *bdist;		/* the distances */
	u8 *bflags;		/* the nodes' flags */
};

static inline size_t hs_align(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static u32 hs_hash_bits(u32 vcap)
{
	u32 bits = 4;

	while ((1U << bits) < 2 * vcap)
		bits++;
	return bits;
}

static u32 hs_vcap(const struct hnsw_index *ix, u32 ef)
{
	return ef * ix->m0 + HNSW_VISIT_SLACK;
}

static size_t hs_layout(const struct hnsw_index *ix, u32 ef, struct hs *s,
			u8 *base)
{
	u32 vcap, hsize, m0 = ix->m0;
	size_t off = 0;

#define HS_TAKE(field, count) do {					\
		if (s)							\
			s->field = (void *)(base + off);		\
		off += hs_align((size_t)(count) * sizeof(*s->field));	\
	} while (0)

	vcap = hs_vcap(ix, ef);
	hsize = 1U << hs_hash_bits(vcap);
	if (s) {
		s->hmask = hsize - 1;
		s->vcap = vcap;
		s->nv = s->nc = s->nr = 0;
		s->qwide = NULL;
	}
	HS_TAKE(vhash, hsize);
	HS_TAKE(vlist, vcap);
	HS_TAKE(cand, vcap);
	HS_TAKE(res, ef + 1);
	HS_TAKE(qcode, ix->dim);
	HS_TAKE(wide, ix->metric == VEC_METRIC_IP ? ix->dim : 0);
	HS_TAKE(qfix, ix->metric == VEC_METRIC_L2 ? ix->dim : 0);
	HS_TAKE(lbuf, m0);
	HS_TAKE(lbuf2, m0);
	HS_TAKE(sel, 2 * m0 + 1);
	HS_TAKE(selout, m0);
	HS_TAKE(levsel, (HNSW_MAX_LEVEL + 1) * m0);
	HS_TAKE(rr, ef);
	HS_TAKE(bcode, 2 * m0);
	HS_TAKE(bck, 2 * m0);
	HS_TAKE(bdist, 2 * m0);
	HS_TAKE(bflags, 2 * m0);
#undef HS_TAKE
	return off;
}

/**
 * hnsw_scratch_size() - bytes of scratch for searches up to @ef and for
 * the writers (insert, delete, compaction, which search with
 * ef_construction)
 * @ix: the index
 * @ef: the largest ef the buffer will serve
 *
 * With V = max(ef, ef_construction) * m0 + 1024 visited nodes at most,
 * the size is about 4 * 2^ceil(log2(2V)) + 12 V + 40 ef + dim
 * + (8 + 16 * 8 + 42) m0 bytes, plus 8 dim (L2: the query prepared for the
 * rerank) or 2 dim (IP: the wide query): 169 KiB for m = 16,
 * ef = ef_construction = 200, dim 768, L2; 3.6 MiB at the limits
 * (ef 1024, m 64, dim 4096).
 */
size_t hnsw_scratch_size(const struct hnsw_index *ix, u32 ef)
{
	size_t a = hs_layout(ix, ef, NULL, NULL),
	       b = hs_layout(ix, ix->ef_construction, NULL, NULL);

	return a > b ? a : b;
}

static void hs_carve(const struct hnsw_index *ix, u32 ef, void *scratch,
		     struct hs *s)
{
	hs_layout(ix, ef, s, scratch);
	memset(s->vhash, 0, (size_t)(s->hmask + 1) * sizeof(u32));
}

static void hs_visit_reset(struct hs *s)
{
	u32 i;

	for (i = 0; i < s->nv; i++)
		s->vhash[s->vlist[i]] = 0;
	s->nv = 0;
}

/* 1 if @slot is new (and now visited), 0 if seen, -1 if over budget. */
static int hs_visit(struct hs *s, u32 slot)
{
	u32 h = (slot * 0x9e3779b1U) & s->hmask;

	while (s->vhash[h]) {
		if (s->vhash[h] == slot)
			return 0;
		h = (h + 1) & s->hmask;
	}
	if (s->nv == s->vcap)
		return -1;
	s->vhash[h] = slot;
	s->vlist[s->nv++] = h;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Heaps of candidates                                                 */
/* ------------------------------------------------------------------ */

/* Order by distance, then slot, so that results never depend on ties. */
static inline int hc_cmp(const struct hc *a, const struct hc *b)
{
	if (a->d != b->d)
		return a->d < b->d ? -1 : 1;
	return a->slot < b->slot ? -1 : a->slot > b->slot;
}

/* sign = 1: max-heap; sign = -1: min-heap. */
static void heap_push(struct hc *h, u32 *n, struct hc e, int sign)
{
	u32 i = (*n)++;

	while (i) {
		u32 p = (i - 1) / 2;

		if (hc_cmp(&e, &h[p]) * sign <= 0)
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

static struct hc heap_pop(struct hc *h, u32 *n, int sign)
{
	struct hc top = h[0], e = h[--(*n)];
	u32 i = 0;

	for (;;) {
		u32 l = 2 * i + 1, r = l + 1, m = i;
		const struct hc *best = &e;

		if (l < *n && hc_cmp(&h[l], best) * sign > 0) {
			m = l;
			best = &h[l];
		}
		if (r < *n && hc_cmp(&h[r], best) * sign > 0)
			m = r;
		if (m == i)
			break;
		h[i] = h[m];
		i = m;
	}
	if (*n)
		h[i] = e;
	return top;
}

static void hc_sort(struct hc *a, u32 n)
{
	u32 i, j;

	for (i = 1; i < n; i++) {
		struct hc e = a[i];

		for (j = i; j && hc_cmp(&e, &a[j - 1]) < 0; j--)
			a[j] = a[j - 1];
		a[j] = e;
	}
}

/* ------------------------------------------------------------------ */
/* Quantization and distances                                          */
/* ------------------------------------------------------------------ */

#define HNSW_FIXED_LIM	(1LL << 62)

/* @bits as a fixed-point integer in units of 2^@E (truncated, saturated). */
static s64 f32_fixed(u32 bits, s32 E)
{
	int neg;
	u32 m;
	s32 e, sh;
	s64 v;

	if (!vec_f32_is_finite(bits))
		return bits >> 31 ? -HNSW_FIXED_LIM : HNSW_FIXED_LIM;
	vec_f32_split(bits, &neg, &m, &e);
	if (!m)
		return 0;
	sh = e - E;
	if (sh >= 0)
		v = sh > 38 ? HNSW_FIXED_LIM : (s64)m << sh;
	else
		v = sh <= -24 ? 0 : (s64)(m >> -sh);
	return neg ? -v : v;
}

/* A float's bits as an unsigned key that sorts like the float. */
static inline u32 f32_key(u32 bits)
{
	return bits >> 31 ? ~bits : bits | 0x80000000U;
}

static inline u32 f32_unkey(u32 key)
{
	return key >> 31 ? key & 0x7fffffffU : ~key;
}

/* Position of the top bit of |x| plus one, as a power of two. */
static s32 f32_top(u32 bits)
{
	int neg;
	u32 m;
	s32 e, b = 0;

	vec_f32_split(bits, &neg, &m, &e);
	if (!m)
		return -1000;
	while (m >> b)
		b++;
	return e + b;
}

/*
 * Cosine ranks by the L2 distance of the unit vectors' codes, which
 * orders like the cosine distance (|a - b|^2 = 2 - 2 cos for unit a, b).
 * The unit vector is computed in fixed point: the vector is read in units
 * of 2^e, e chosen so that its largest element is in [2^30, 2^31); the
 * norm is the integer square root of the exact sum of squares (< 2^74,
 * in 128 bits); each unit element is then |x| * floor(2^62 / norm) >> 32
 * in units of 2^-30 (so |u| <= 2^30): one division per vector, none per
 * element.  A zero vector (or one with no finite element) maps to 0.
 */
#define HNSW_UNIT_EXP	(-30)

struct unitv {
	s32 e;
	u64 rcp;		/* 0: the zero vector */
};

/* The exponent of the largest finite element, as f32_top(); -1000: none. */
static s32 vec_top(const u32 *vec, u32 dim)
{
	s32 top = -1000, t;
	u32 d;

	for (d = 0; d < dim; d++) {
		if (!vec_f32_is_finite(vec[d]))
			continue;
		t = f32_top(vec[d]);
		if (t > top)
			top = t;
	}
	return top;
}

static void unit_prepare(const u32 *vec, u32 dim, struct unitv *u)
{
	unsigned __int128 sum = 0;
	s32 top = vec_top(vec, dim);
	u64 norm;
	u32 d;

	u->e = 0;
	u->rcp = 0;
	if (top == -1000)
		return;
	u->e = top - 31;
	for (d = 0; d < dim; d++) {
		s64 x;

		if (!vec_f32_is_finite(vec[d]))
			continue;
		x = f32_fixed(vec[d], u->e);
		sum += (u64)(x * x);		/* |x| < 2^31 */
	}
	norm = vec_isqrt128(sum);
	if (norm)			/* >= 2^30 when top is an element */
		u->rcp = (1ULL << 62) / norm;
}

static inline s64 unit_elem(const struct unitv *u, u32 bits)
{
	s64 x;
	u64 v;

	if (!u->rcp || !vec_f32_is_finite(bits))
		return 0;
	x = f32_fixed(bits, u->e);
	v = ((u64)(x < 0 ? -x : x) * u->rcp) >> 32;	/* < 2^63 */
	return x < 0 ? -(s64)v : (s64)v;
}

/**
 * hnsw_train_begin() - start training the quantizer
 * @ix: the index
 *
 * Feed a sample (or all) of the vectors to hnsw_train_add(), then call
 * hnsw_train_end().  Vectors seen later outside the sample's range are
 * clamped: their codes saturate (counted in n_saturated), which costs
 * recall, never correctness, since results are reranked exactly.
 */
void hnsw_train_begin(struct hnsw_index *ix)
{
	u32 d;

	for (d = 0; d < ix->dim; d++)	/* min key ~0, max key 0 */
		ix->q_lo[d] = (s64)(0xffffffffULL << 32);
	ix->trained = 0;
}

/* A cosine unit element (|u| <= 2^30) as a key that sorts like it. */
static inline u32 unit_key(s64 u)
{
	return (u32)(s32)u ^ 0x80000000U;
}

static inline s64 unit_unkey(u32 key)
{
	return (s32)(key ^ 0x80000000U);
}

/*
 * Track each dimension's minimum and maximum: as float keys for L2 and
 * IP, as keys of the unit vector's fixed-point elements for cosine.
 */
void hnsw_train_add(struct hnsw_index *ix, const u32 *vec)
{
	struct unitv u;
	u32 d;

	if (ix->metric == VEC_METRIC_COSINE)
		unit_prepare(vec, ix->dim, &u);
	for (d = 0; d < ix->dim; d++) {
		u64 mm = (u64)ix->q_lo[d];
		u32 lo = mm >> 32, hi = (u32)mm, k;

		if (!vec_f32_is_finite(vec[d]))
			continue;
		if (ix->metric == VEC_METRIC_COSINE)
			k = unit_key(unit_elem(&u, vec[d]));
		else
			k = f32_key(vec[d]);
		if (k < lo)
			lo = k;
		if (k > hi)
			hi = k;
		ix->q_lo[d] = (s64)(((u64)lo << 32) | hi);
	}
}

/*
 * Fix the fixed-point exponent, the per-dimension offsets and the step.
 * L2 and cosine: each dimension's offset is its minimum, and one step
 * spans the widest range in 255.  IP: codes are symmetric around 128
 * (offset -128 steps in every dimension, step = the largest magnitude
 * / 127), so that the dot product of two codes minus 128 is, up to the
 * common factor step^2, the dot product of the vectors: node-to-node
 * distances then compare across nodes, as the neighbour selection needs.
 */
void hnsw_train_end(struct hnsw_index *ix)
{
	bool cos = ix->metric == VEC_METRIC_COSINE;
	s32 top = -1000;
	u64 range = 0, amax = 0;
	u32 d;

	for (d = 0; d < ix->dim && !cos; d++) {
		u64 mm = (u64)ix->q_lo[d];
		u32 lo = mm >> 32, hi = (u32)mm;
		s32 t;

		if (lo > hi)
			continue;	/* no sample */
		t = f32_top(f32_unkey(lo));
		if (t > top)
			top = t;
		t = f32_top(f32_unkey(hi));
		if (t > top)
			top = t;
	}
	/* The largest magnitude becomes < 2^40 units. */
	if (cos)
		ix->q_exp = HNSW_UNIT_EXP;
	else
		ix->q_exp = top == -1000 ? -40 : top - 40;
	for (d = 0; d < ix->dim; d++) {
		u64 mm = (u64)ix->q_lo[d];
		u32 lo = mm >> 32, hi = (u32)mm;
		s64 flo, fhi;

		if (lo > hi) {
			ix->q_lo[d] = 0;
			continue;
		}
		if (cos) {
			flo = unit_unkey(lo);
			fhi = unit_unkey(hi);
		} else {
			flo = f32_fixed(f32_unkey(lo), ix->q_exp);
			fhi = f32_fixed(f32_unkey(hi), ix->q_exp);
		}
		ix->q_lo[d] = flo;
		if ((u64)(fhi - flo) > range)
			range = (u64)(fhi - flo);
		if ((u64)(flo < 0 ? -flo : flo) > amax)
			amax = (u64)(flo < 0 ? -flo : flo);
		if ((u64)(fhi < 0 ? -fhi : fhi) > amax)
			amax = (u64)(fhi < 0 ? -fhi : fhi);
	}
	if (ix->metric == VEC_METRIC_IP) {
		ix->q_step = (amax + 126) / 127;
		if (!ix->q_step)
			ix->q_step = 1;
		for (d = 0; d < ix->dim; d++)
			ix->q_lo[d] = -128 * (s64)ix->q_step;
	} else {
		ix->q_step = (range + 254) / 255;
		if (!ix->q_step)
			ix->q_step = 1;
	}
	ix->trained = 1;
}

/**
 * hnsw_quantize() - the 8-bit code of a float32 vector
 * @ix: a trained index
 * @vec: dim float32 values, as bits
 * @code: dim bytes out
 *
 * code = clamp(round((x - q_lo) / q_step), 0, 255), x being the element
 * in fixed point (cosine: the unit vector's).  The division is a
 * multiplication by floor(2^64 / q_step) and one correction, which gives
 * exactly the quotient: one division per vector, none per element.
 */
void hnsw_quantize(struct hnsw_index *ix, const u32 *vec, u8 *code)
{
	u64 step = ix->q_step, half = step / 2, rcp = ~0ULL / step;
	bool cos = ix->metric == VEC_METRIC_COSINE;
	struct unitv u;
	u32 d;

	if (cos)
		unit_prepare(vec, ix->dim, &u);
	for (d = 0; d < ix->dim; d++) {
		s64 t = cos ? unit_elem(&u, vec[d]) :
			      f32_fixed(vec[d], ix->q_exp);
		u64 n, q;

		t -= ix->q_lo[d];
		if (t < 0) {
			code[d] = 0;
			ix->n_saturated++;
			continue;
		}
		n = (u64)t + half;	/* < 2^63 */
		q = (u64)(((unsigned __int128)n * rcp) >> 64);
		if (n - q * step >= step)	/* q was floor(n/step) - 1 */
			q++;
		if (q > 255) {
			q = 255;
			ix->n_saturated++;
		}
		code[d] = (u8)q;
	}
}

/*
 * IP searches: the query as signed integers w = round(x * wmax / max|x|),
 * wmax chosen so that any sum of dim products w * code fits an s32
 * (dim * wmax * 255 < 2^31; wmax <= 32767): a finer query than its 8-bit
 * code, at no cost per node.  The code's offset (-128 steps) adds
 * -128 step * sum(x) to every dot product of this query: a constant,
 * so it is left out.
 */
static void quantize_wide(const struct hnsw_index *ix, const u32 *vec,
			  s16 *w)
{
	u32 wmax = 0x7fffffffU / (255 * ix->dim), d;
	s32 top = vec_top(vec, ix->dim), e = top - 31;
	u64 amax = 0, rcp;

	if (wmax > 32767)
		wmax = 32767;
	for (d = 0; d < ix->dim && top != -1000; d++) {
		s64 x = vec_f32_is_finite(vec[d]) ? f32_fixed(vec[d], e) : 0;

		if ((u64)(x < 0 ? -x : x) > amax)
			amax = (u64)(x < 0 ? -x : x);
	}
	if (!amax) {
		memset(w, 0, ix->dim * sizeof(*w));
		return;
	}
	rcp = (1ULL << 62) / amax;		/* amax >= 2^30: <= 2^32 */
	for (d = 0; d < ix->dim; d++) {
		s64 x = vec_f32_is_finite(vec[d]) ? f32_fixed(vec[d], e) : 0;
		u64 a = (u64)(x < 0 ? -x : x) * wmax;	/* < 2^46 */
		unsigned __int128 p = (unsigned __int128)a * rcp;
		s32 v = (s32)((p + (1ULL << 61)) >> 62);

		w[d] = (s16)(x < 0 ? -v : v);
	}
}

/*
 * The code distances (squared L2 of two codes, and the IP of two codes or
 * of a wide query and a code) are the islands of common/simd_islands.c,
 * reached through this world's dispatch, vexfs_dist_batch(): scalar C,
 * or AVX2/AVX-512 asm in the kernel too (inside kernel_fpu_begin/end).
 * One call serves a batch of codes, such as one neighbour list.
 */
static void dist_codes(const struct hnsw_index *ix, const u8 *code,
		       const s16 *wide, const u8 *const *codes, u32 n,
		       u32 bound, u32 *d)
{
	struct vexfs_dist_req r = {
		.kind = ix->metric != VEC_METRIC_IP ? VEXFS_DIST_L2 :
			wide ? VEXFS_DIST_WIDE_IP : VEXFS_DIST_IP,
		.dim = ix->dim,
		.n = n,
		.bound = bound,
		.q = code,
		.wq = wide,
		.codes = codes,
		.out = d,
	};

	vexfs_dist_batch(&r);
}

/*
 * Distance from node @slot to @code (a node's code or the query's), or
 * for an IP search to @wide; its flags in @flags.  With a @bound (L2 and
 * cosine), a value >= @bound may stand for any larger distance.
 */
static int node_dist(struct hnsw_index *ix, const u8 *code, const s16 *wide,
		     u32 slot, u32 bound, u32 *d, u8 *flags)
{
	struct hnsw_nodeinfo ni;
	const u8 *c;
	void *ck;
	int err;

	err = ix->ops->code_get(ix->ctx, slot, &c, &ni, &ck);
	if (err)
		return err;
	dist_codes(ix, code, wide, &c, 1, bound, d);
	if (flags)
		*flags = ni.flags;
	ix->ops->code_put(ix->ctx, ck);
	ix->n_dist++;
	return 0;
}

/*
 * node_dist() for the nodes @slots[0..n), into s->bdist[] and s->bflags[]
 * (n <= 2 m0): every code first (ops->code_get may read a block and
 * sleep, which an FPU section must not), then one batch of distances,
 * then the codes back.  One @bound serves the batch: a caller whose bound
 * shrinks along the batch treats every value >= its current bound alike,
 * and a value >= the first bound is >= any later one.
 */
static int nodes_dist(struct hnsw_index *ix, struct hs *s, const u8 *code,
		      const s16 *wide, const u32 *slots, u32 n, u32 bound)
{
	struct hnsw_nodeinfo ni;
	u32 got, i;
	int err = 0;

	for (got = 0; got < n; got++) {
		err = ix->ops->code_get(ix->ctx, slots[got], &s->bcode[got],
					&ni, &s->bck[got]);
		if (err)
			break;
		s->bflags[got] = ni.flags;
	}
	if (!err) {
		dist_codes(ix, code, wide, s->bcode, n, bound, s->bdist);
		ix->n_dist += n;
	}
	for (i = 0; i < got; i++)
		ix->ops->code_put(ix->ctx, s->bck[i]);
	return err;
}
/* Read and check a neighbour list. */
static int read_links(struct hnsw_index *ix, u32 slot, u32 level, u32 *out)
{
	u32 cap = level ? ix->m : ix->m0;
	int n, i;

	n = ix->ops->links_read(ix->ctx, slot, level, out, cap);
	if (n < 0)
		return n;
	if ((u32)n > cap)
		return -EFSCORRUPTED;
	for (i = 0; i < n; i++)
		if (out[i] == HNSW_NONE || out[i] == slot)
			return -EFSCORRUPTED;
	return n;
}

/* ------------------------------------------------------------------ */
/* Levels                                                              */
/* ------------------------------------------------------------------ */

static inline u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * hnsw_level_of() - the level of the node of @slot
 * @ix: the index
 * @slot: the node
 *
 * Climb one level with probability 1/m per step, drawing from splitmix64
 * seeded with (seed, slot): deterministic, whatever the insertion order.
 */
u32 hnsw_level_of(const struct hnsw_index *ix, u32 slot)
{
	u64 x = ix->seed ^ ((u64)slot * 0xd1b54a32d192ed03ULL);
	u32 level = 0;

	while (level < HNSW_MAX_LEVEL && splitmix64(&x) < ix->level_cut)
		level++;
	return level;
}

/**
 * hnsw_init() - describe an empty index
 * @ix: the index to fill
 * @dim: vector length, 1..HNSW_MAX_DIM
 * @metric: VEC_METRIC_L2, VEC_METRIC_COSINE or VEC_METRIC_IP
 * @m: links per node, HNSW_MIN_M..HNSW_MAX_M (level 0 keeps 2m)
 * @ef_construction: search width of an insert, 1..HNSW_MAX_EF
 * @seed: seeds the level assignment
 * @q_lo: @dim s64 for the quantizer, owned by the caller
 * @ops: the storage
 * @ctx: passed to @ops
 *
 * Return: 0, -EINVAL for a parameter out of range, -EOPNOTSUPP for an
 * unknown metric.
 */
int hnsw_init(struct hnsw_index *ix, u32 dim, u32 metric, u32 m,
	      u32 ef_construction, u64 seed, s64 *q_lo,
	      const struct hnsw_ops *ops, void *ctx)
{
	memset(ix, 0, sizeof(*ix));
	if (!dim || dim > HNSW_MAX_DIM || m < HNSW_MIN_M || m > HNSW_MAX_M ||
	    !ef_construction || ef_construction > HNSW_MAX_EF)
		return -EINVAL;
	if (metric != VEC_METRIC_L2 && metric != VEC_METRIC_COSINE &&
	    metric != VEC_METRIC_IP)
		return -EOPNOTSUPP;
	ix->dim = dim;
	ix->metric = (u8)metric;
	ix->m = (u16)m;
	ix->m0 = (u16)(2 * m);
	ix->ef_construction = (u16)ef_construction;
	ix->seed = seed;
	ix->level_cut = ~0ULL / m;
	ix->q_lo = q_lo;
	ix->entry = HNSW_NONE;
	ix->ops = ops;
	ix->ctx = ctx;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Search                                                              */
/* ------------------------------------------------------------------ */

/* Greedy descent at one level: move to any nearer neighbour until none. */
static int greedy(struct hnsw_index *ix, struct hs *s, const u8 *code,
		  u32 *ep, u32 *epd, u32 level)
{
	bool moved = true;

	while (moved) {
		int n, i, err;

		moved = false;
		n = read_links(ix, *ep, level, s->lbuf);
		if (n < 0)
			return n;
		err = nodes_dist(ix, s, code, s->qwide, s->lbuf, n, *epd);
		if (err)
			return err;
		for (i = 0; i < n; i++) {
			if (s->bdist[i] < *epd) {
				*epd = s->bdist[i];
				*ep = s->lbuf[i];
				moved = true;
			}
		}
	}
	return 0;
}

/*
 * Best-first search of width @ef at @level from @ep: s->res holds the @ef
 * nearest live nodes found (a max-heap).  Tombstones are expanded, since
 * they still route, but never enter the results.
 */
static int search_layer(struct hnsw_index *ix, struct hs *s, const u8 *code,
			u32 ep, u32 ef, u32 level)
{
	struct hc e;
	u8 flags;
	int err;

	hs_visit_reset(s);
	s->nc = s->nr = 0;
	e.slot = ep;
	err = node_dist(ix, code, s->qwide, ep, ~0U, &e.d, &flags);
	if (err)
		return err;
	hs_visit(s, ep);
	heap_push(s->cand, &s->nc, e, -1);
	if (!(flags & HNSW_NODE_DELETED))
		heap_push(s->res, &s->nr, e, 1);

	while (s->nc) {
		struct hc c = heap_pop(s->cand, &s->nc, -1);
		bool over = false;
		int n, i, nn;

		if (s->nr == ef && c.d > s->res[0].d)
			break;
		n = read_links(ix, c.slot, level, s->lbuf);
		if (n < 0)
			return n;
		/*
		 * First the visited check, compacting the list to the new
		 * nodes and asking for their codes, then the distances: the
		 * cache misses overlap, and seen nodes cost no prefetch.
		 */
		for (i = 0, nn = 0; i < n; i++) {
			int v = hs_visit(s, s->lbuf[i]);

			if (v < 0) {
				over = true;
				break;
			}
			if (!v)
				continue;
			s->lbuf[nn++] = s->lbuf[i];
			if (ix->ops->prefetch)
				(ix->ops->prefetch)(ix->ctx, s->lbuf[i]);
		}
		err = nodes_dist(ix, s, code, s->qwide, s->lbuf, nn,
				 s->nr < ef ? ~0U : s->res[0].d);
		if (err)
			return err;
		for (i = 0; i < nn; i++) {
			e.slot = s->lbuf[i];
			e.d = s->bdist[i];
			if (s->nr < ef || e.d < s->res[0].d) {
				heap_push(s->cand, &s->nc, e, -1);
				if (s->bflags[i] & HNSW_NODE_DELETED)
					continue;
				heap_push(s->res, &s->nr, e, 1);
				if (s->nr > ef)
					heap_pop(s->res, &s->nr, 1);
			}
		}
		if (over) {
			ix->n_budget++;
			return 0;
		}
	}
	return 0;
}

/* Empty s->res into ascending order in s->res[0..n). */
static u32 res_sorted(struct hs *s)
{
	u32 n = s->nr;

	while (s->nr) {
		u32 at = s->nr - 1;
		struct hc e = heap_pop(s->res, &s->nr, 1);

		s->res[at] = e;
	}
	return n;
}

/* Start loading a float32 original (up to 1 KiB: the hardware follows). */
static inline void prefetch_vec(const u32 *v, u32 dim)
{
	u32 off;

	for (off = 0; off < dim && off < 256; off += 16)
		hnsw_prefetch(v + off);
}

/*
 * vec_distance(ix->metric, q, v), bit for bit; @qn: q.q summed for cosine
 * (vec_acc_sq()), @ql:
 * the prepared query for L2.
 */
static struct vec_num exact_dist(const struct hnsw_index *ix,
				 const struct vec_acc *qn,
				 const struct vec_l2q *ql, const u32 *q,
				 const u32 *v)
{
	struct vec_num r;

	switch (ix->metric) {
	case VEC_METRIC_COSINE:
		return vec_cosine_from(qn, q, v, ix->dim);
	case VEC_METRIC_IP:
		r = vec_dot(q, v, ix->dim);
		r.neg = !r.neg;
		return r;
	default:
		return vec_l2sq_q(ql, q, v, ix->dim);
	}
}

static int hit_cmp(const struct hnsw_hit *a, const struct hnsw_hit *b)
{
	int r = vec_num_cmp(&a->d, &b->d);

	if (r)
		return r;
	return a->slot < b->slot ? -1 : a->slot > b->slot;
}

/**
 * hnsw_search() - the k nearest live vectors to @query
 * @ix: the index
 * @query: dim float32 values, as bits (finite: the caller checks)
 * @k: results wanted, 1..HNSW_MAX_K
 * @ef: search width at level 0 (raised to k), up to HNSW_MAX_EF
 * @rerank: how many of the best candidates get an exact distance (at
 *	least k, at most ef; 0: HNSW_DEFAULT_RERANK_FACTOR * k)
 * @hits: room for @k results, nearest first by the exact distance
 *	(vec_distance(ix->metric, @query, original), bit for bit), then slot
 * @nhits: results written
 * @scratch: hnsw_scratch_size(ix, max(ef, k)) bytes
 *
 * Context: reads the index through ix->ops; no writer may run meanwhile.
 * Return: 0, -EINVAL for a bad k or ef, or an error of ix->ops.
 */
int hnsw_search(struct hnsw_index *ix, const u32 *query, u32 k, u32 ef,
		u32 rerank, struct hnsw_hit *hits, u32 *nhits, void *scratch)
{
	struct hs s;
	struct vec_acc qn;
	struct vec_l2q ql = { NULL, 0, 0, false };
	u32 ep, epd, lev, n, r, i, j;
	int err;

	*nhits = 0;
	if (!k || k > HNSW_MAX_K || ef > HNSW_MAX_EF)
		return -EINVAL;
	if (ef < k)
		ef = k;
	if (!ix->trained || ix->entry == HNSW_NONE)
		return 0;
	hs_carve(ix, ef, scratch, &s);
	hnsw_quantize(ix, query, s.qcode);
	if (ix->metric == VEC_METRIC_IP) {
		quantize_wide(ix, query, s.wide);
		s.qwide = s.wide;
	}

	ep = ix->entry;
	err = node_dist(ix, s.qcode, s.qwide, ep, ~0U, &epd, NULL);
	if (err)
		return err;
	for (lev = ix->max_level; lev > 0; lev--) {
		err = greedy(ix, &s, s.qcode, &ep, &epd, lev);
		if (err)
			return err;
	}
	err = search_layer(ix, &s, s.qcode, ep, ef, 0);
	if (err)
		return err;
	n = res_sorted(&s);

	/* Exact distances for the best @rerank codes. */
	r = rerank ? rerank : HNSW_DEFAULT_RERANK_FACTOR * k;
	if (r < k)
		r = k;
	if (r > n)
		r = n;
	if (ix->metric == VEC_METRIC_COSINE)
		vec_acc_sq(&qn, query, ix->dim);
	if (ix->metric == VEC_METRIC_L2 && r)
		vec_l2q_prepare(&ql, query, ix->dim, s.qfix);
	for (i = 0, j = 0; i < r; i++) {
		const u32 *v, *nv;
		void *ck, *nck;
		struct hnsw_hit h;

		err = ix->ops->vec_get(ix->ctx, s.res[i].slot, &v, &ck);
		if (err == -ENOENT)
			continue;	/* freed under a stale node: skip */
		if (err)
			return err;
		/*
		 * The originals are not in cache: start loading the next
		 * candidate's before computing this one's.  Its reference is
		 * taken and dropped inside this one's (nested, so a storage
		 * that maps pages with kmap_local_page() unmaps in order).
		 */
		if (i + 1 < r &&
		    !ix->ops->vec_get(ix->ctx, s.res[i + 1].slot, &nv, &nck)) {
			prefetch_vec(nv, ix->dim);
			ix->ops->vec_put(ix->ctx, nck);
		}
		h.d = exact_dist(ix, &qn, &ql, query, v);
		h.slot = s.res[i].slot;
		ix->ops->vec_put(ix->ctx, ck);
		ix->n_exact++;
		/* insertion into the sorted prefix s.rr[0..j) */
		{
			u32 p = j++;

			while (p && hit_cmp(&h, &s.rr[p - 1]) < 0) {
				s.rr[p] = s.rr[p - 1];
				p--;
			}
			s.rr[p] = h;
		}
	}
	if (j > k)
		j = k;
	for (i = 0; i < j; i++)
		hits[i] = s.rr[i];
	*nhits = j;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Neighbour selection                                                 */
/* ------------------------------------------------------------------ */

/* Quantized distance between two nodes (any value >= @bound if above). */
static int pair_dist(struct hnsw_index *ix, u32 a, u32 b, u32 bound, u32 *d)
{
	struct hnsw_nodeinfo ni;
	const u8 *c;
	void *ck;
	int err;

	err = ix->ops->code_get(ix->ctx, a, &c, &ni, &ck);
	if (err)
		return err;
	err = node_dist(ix, c, NULL, b, bound, d, NULL);
	ix->ops->code_put(ix->ctx, ck);
	return err;
}

/*
 * hnswlib's heuristic: walk @in (ascending distance to the base) and keep
 * a candidate unless it is nearer to a kept one than to the base; at most
 * @max kept, into @out.  Returns the count or a negative errno.
 */
static int select_heuristic(struct hnsw_index *ix, const struct hc *in, u32 n,
			    struct hc *out, u32 max)
{
	u32 i, j, kept = 0;
	int err;

	for (i = 0; i < n && kept < max; i++) {
		bool good = true;

		for (j = 0; j < kept; j++) {
			u32 d;

			err = pair_dist(ix, in[i].slot, out[j].slot, in[i].d,
					&d);
			if (err)
				return err;
			if (d < in[i].d) {
				good = false;
				break;
			}
		}
		if (good)
			out[kept++] = in[i];
	}
	return kept;
}

/*
 * Re-select the list of @base at @level from s->sel[0..n) (distances to
 * @base already filled in) and write it.
 */
static int reselect(struct hnsw_index *ix, struct hs *s, u32 base, u32 level,
		    u32 n)
{
	u32 cap = level ? ix->m : ix->m0, i;
	int kept;

	hc_sort(s->sel, n);
	kept = select_heuristic(ix, s->sel, n, s->selout, cap);
	if (kept < 0)
		return kept;
	for (i = 0; i < (u32)kept; i++)
		s->lbuf[i] = s->selout[i].slot;
	return ix->ops->links_write(ix->ctx, base, level, s->lbuf, kept);
}

/* Add @slot (at distance @d) to the list of @nb at @level. */
static int link_back(struct hnsw_index *ix, struct hs *s, u32 nb, u32 level,
		     u32 slot, u32 d)
{
	u32 cap = level ? ix->m : ix->m0;
	struct hnsw_nodeinfo ni;
	const u8 *c;
	void *ck;
	int n, i, err;

	n = read_links(ix, nb, level, s->lbuf);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (s->lbuf[i] == slot)
			return 0;
	if ((u32)n < cap) {
		s->lbuf[n] = slot;
		return ix->ops->links_write(ix->ctx, nb, level, s->lbuf, n + 1);
	}
	/* Full: keep the best of the old list and the new node. */
	err = ix->ops->code_get(ix->ctx, nb, &c, &ni, &ck);
	if (err)
		return err;
	err = nodes_dist(ix, s, c, NULL, s->lbuf, n, ~0U);
	ix->ops->code_put(ix->ctx, ck);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		s->sel[i].slot = s->lbuf[i];
		s->sel[i].d = s->bdist[i];
	}
	s->sel[n].slot = slot;
	s->sel[n].d = d;
	return reselect(ix, s, nb, level, n + 1);
}

/* ------------------------------------------------------------------ */
/* Insert, delete, compaction                                          */
/* ------------------------------------------------------------------ */

/**
 * hnsw_insert() - add the vector of @slot to the index
 * @ix: a trained index
 * @slot: its store slot (1-based); a live node of that slot is first
 *	deleted (an update), a tombstone of it is replaced
 * @vec: dim float32 values, as bits (finite: the caller checks)
 * @scratch: hnsw_scratch_size(ix, 0) bytes
 *
 * The neighbours are found on the graph as it was, before the node's
 * record is (re)written, so replacing a tombstone that is the entry
 * point still starts from its old links.
 *
 * Context: the only writer; no search may run meanwhile.
 * Return: 0, -EINVAL (untrained, slot 0) or an error of ix->ops; after an
 * error of ix->ops the graph may miss some links of this node, but every
 * link names a node.
 */
int hnsw_insert(struct hnsw_index *ix, u32 slot, const u32 *vec,
		void *scratch)
{
	struct hnsw_nodeinfo ni, old;
	u32 level, lev, ep, epd, top, j, nsel[HNSW_MAX_LEVEL + 1];
	bool replaced = false;
	const u8 *c;
	void *ck;
	struct hs s;
	int err, i;

	if (!ix->trained || slot == HNSW_NONE)
		return -EINVAL;
	/* Is there a record already? A live one is an update. */
	err = ix->ops->code_get(ix->ctx, slot, &c, &old, &ck);
	if (!err) {
		ix->ops->code_put(ix->ctx, ck);
		if (!(old.flags & HNSW_NODE_DELETED)) {
			err = hnsw_delete(ix, slot, scratch);
			if (err)
				return err;
		}
		replaced = true;
	} else if (err != -ENOENT) {
		return err;
	}

	hs_carve(ix, ix->ef_construction, scratch, &s);
	hnsw_quantize(ix, vec, s.qcode);
	level = hnsw_level_of(ix, slot);
	ni.level = (u8)level;
	ni.flags = 0;

	if (ix->entry == HNSW_NONE) {
		err = ix->ops->node_write(ix->ctx, slot, &ni, s.qcode);
		if (err)
			return err;
		ix->entry = slot;
		ix->max_level = level;
		goto out_count;
	}

	/* Phase 1, read-only: the neighbours at each level. */
	ep = ix->entry;
	err = node_dist(ix, s.qcode, NULL, ep, ~0U, &epd, NULL);
	if (err)
		return err;
	for (lev = ix->max_level; lev > level; lev--) {
		err = greedy(ix, &s, s.qcode, &ep, &epd, lev);
		if (err)
			return err;
	}
	top = level < ix->max_level ? level : ix->max_level;
	for (i = top; i >= 0; i--) {
		struct hc *sel = &s.levsel[(u32)i * ix->m0];
		u32 n;
		int kept;

		err = search_layer(ix, &s, s.qcode, ep, ix->ef_construction, i);
		if (err)
			return err;
		n = res_sorted(&s);
		kept = select_heuristic(ix, s.res, n, sel, ix->m);
		if (kept < 0)
			return kept;
		nsel[i] = kept;
		if (kept) {	/* the nearest found starts the next level */
			ep = s.res[0].slot;
			epd = s.res[0].d;
		}
	}

	/* Phase 2: write the node, then link both ways. */
	err = ix->ops->node_write(ix->ctx, slot, &ni, s.qcode);
	if (err)
		return err;
	for (i = top; i >= 0; i--) {
		const struct hc *sel = &s.levsel[(u32)i * ix->m0];

		for (j = 0; j < nsel[i]; j++)
			s.lbuf2[j] = sel[j].slot;
		err = ix->ops->links_write(ix->ctx, slot, i, s.lbuf2, nsel[i]);
		if (err)
			return err;
		for (j = 0; j < nsel[i]; j++) {
			err = link_back(ix, &s, sel[j].slot, i, slot, sel[j].d);
			if (err)
				return err;
		}
	}
	if (level > ix->max_level) {
		ix->entry = slot;
		ix->max_level = level;
	}
out_count:
	ix->live++;
	if (replaced)
		ix->deleted--;
	return 0;
}

/* Is @slot in @list[0..n)? */
static bool in_list(const u32 *list, u32 n, u32 slot)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (list[i] == slot)
			return true;
	return false;
}

static bool in_sel(const struct hc *sel, u32 n, u32 slot)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (sel[i].slot == slot)
			return true;
	return false;
}

/*
 * Local repair of @y's list at @level: drop the tombstones, and offer as
 * replacements the live members of s->lbuf2[0..nx) (the list of a
 * tombstone that @y linked to); write the re-selected list.
 */
static int repair(struct hnsw_index *ix, struct hs *s, u32 y, u32 level,
		  u32 nx)
{
	struct hnsw_nodeinfo ni, zi;
	const u8 *c;
	void *ck;
	u32 n = 0, nb = 0, i, j;
	int ny, err;

	ny = read_links(ix, y, level, s->lbuf);
	if (ny < 0)
		return ny;
	err = ix->ops->code_get(ix->ctx, y, &c, &ni, &ck);
	if (err)
		return err;
	/*
	 * Gather the candidates' codes (a tombstone is measured, as before
	 * the batches, but not kept), then one batch of distances.
	 */
	for (i = 0; i < (u32)ny + nx; i++) {
		u32 z = i < (u32)ny ? s->lbuf[i] : s->lbuf2[i - ny];

		if (z == y || in_sel(s->sel, n, z))
			continue;
		err = ix->ops->code_get(ix->ctx, z, &s->bcode[nb], &zi,
					&s->bck[nb]);
		if (err)
			break;
		s->bflags[nb++] = zi.flags;
		if (zi.flags & HNSW_NODE_DELETED)
			continue;
		s->sel[n++].slot = z;
	}
	if (!err) {
		dist_codes(ix, c, NULL, s->bcode, nb, ~0U, s->bdist);
		ix->n_dist += nb;
		for (i = 0, j = 0; i < nb; i++)
			if (!(s->bflags[i] & HNSW_NODE_DELETED))
				s->sel[j++].d = s->bdist[i];
	}
	for (i = 0; i < nb; i++)
		ix->ops->code_put(ix->ctx, s->bck[i]);
	ix->ops->code_put(ix->ctx, ck);
	if (err)
		return err;
	return reselect(ix, s, y, level, n);
}

/**
 * hnsw_delete() - tombstone the node of @slot and repair its neighbours
 * @ix: the index
 * @slot: a live node
 * @scratch: hnsw_scratch_size(ix, 0) bytes
 *
 * The node keeps its code and links, so that links still pointing to it
 * route searches through it, but it is never returned again.  Each live
 * neighbour y that links back to it gets its list re-selected at once
 * from y's other neighbours and the node's own (hnswlib's repair of an
 * updated point).  Nodes that link to it without being linked from it are
 * cleaned by hnsw_compact().
 *
 * Context: the only writer; no search may run meanwhile.
 * Return: 0, -ENOENT if @slot has no live node, or an error of ix->ops
 * (the tombstone is set first, so an error leaves a tombstone with some
 * neighbours not yet repaired: still a valid graph).
 */
int hnsw_delete(struct hnsw_index *ix, u32 slot, void *scratch)
{
	struct hnsw_nodeinfo ni;
	const u8 *c;
	void *ck;
	struct hs s;
	u32 lev, i;
	int err, nx;

	err = ix->ops->code_get(ix->ctx, slot, &c, &ni, &ck);
	if (err)
		return err;
	ix->ops->code_put(ix->ctx, ck);
	if (ni.flags & HNSW_NODE_DELETED)
		return -ENOENT;
	if (ni.level > HNSW_MAX_LEVEL)
		return -EFSCORRUPTED;
	err = ix->ops->node_set_flags(ix->ctx, slot,
				      ni.flags | HNSW_NODE_DELETED);
	if (err)
		return err;
	ix->live--;
	ix->deleted++;
	if (!ix->live) {	/* nothing left to find */
		ix->entry = HNSW_NONE;
		ix->max_level = 0;
		return 0;
	}
	hs_carve(ix, ix->ef_construction, scratch, &s);
	for (lev = 0; lev <= ni.level; lev++) {
		nx = read_links(ix, slot, lev, s.lbuf2);
		if (nx < 0)
			return nx;
		for (i = 0; i < (u32)nx; i++) {
			u32 y = s.lbuf2[i];
			struct hnsw_nodeinfo yi;
			int ny;

			err = ix->ops->code_get(ix->ctx, y, &c, &yi, &ck);
			if (err)
				return err;
			ix->ops->code_put(ix->ctx, ck);
			if (yi.flags & HNSW_NODE_DELETED || yi.level < lev)
				continue;
			ny = read_links(ix, y, lev, s.lbuf);
			if (ny < 0)
				return ny;
			if (!in_list(s.lbuf, ny, slot))
				continue;
			err = repair(ix, &s, y, lev, nx);
			if (err)
				return err;
		}
	}
	return 0;
}

/**
 * hnsw_compact() - remove every link to a tombstone, then the tombstones
 * @ix: the index
 * @nslots: slots 1..nslots may hold nodes
 * @scratch: hnsw_scratch_size(ix, 0) bytes
 *
 * Pass 1 repairs, at each level, every live node's list that names a
 * tombstone (offering the tombstones' own live neighbours as
 * replacements); pass 2 frees the tombstones' records (ops->node_free) and
 * moves the entry point to the highest live node if it was a tombstone.
 * Costs O(nslots) record reads plus a repair per affected list.
 *
 * Context: the only writer; no search may run meanwhile.
 * Return: 0 or an error of ix->ops (the graph stays valid: tombstones are
 * freed only once no list names them).
 */
int hnsw_compact(struct hnsw_index *ix, u32 nslots, void *scratch)
{
	struct hnsw_nodeinfo ni, ti;
	u32 slot, lev, i, best = HNSW_NONE, best_level = 0;
	u32 tl[2 * HNSW_MAX_M];
	const u8 *c;
	void *ck;
	struct hs s;
	int err, n;

	hs_carve(ix, ix->ef_construction, scratch, &s);
	for (slot = 1; slot <= nslots; slot++) {
		err = ix->ops->code_get(ix->ctx, slot, &c, &ni, &ck);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		ix->ops->code_put(ix->ctx, ck);
		if (ni.flags & HNSW_NODE_DELETED)
			continue;
		if (ni.level > HNSW_MAX_LEVEL)
			return -EFSCORRUPTED;
		if (best == HNSW_NONE || ni.level > best_level) {
			best = slot;
			best_level = ni.level;
		}
		for (lev = 0; lev <= ni.level; lev++) {
			bool dead = false;
			u32 nx = 0;

			n = read_links(ix, slot, lev, s.lbuf);
			if (n < 0)
				return n;
			/* gather the tombstones' live neighbours as offers */
			for (i = 0; i < (u32)n; i++) {
				u32 t = s.lbuf[i], j;
				int nt;

				err = ix->ops->code_get(ix->ctx, t, &c, &ti,
							&ck);
				if (err)
					return err;
				ix->ops->code_put(ix->ctx, ck);
				if (!(ti.flags & HNSW_NODE_DELETED))
					continue;
				dead = true;
				if (ti.level < lev)
					continue;
				nt = read_links(ix, t, lev, tl);
				if (nt < 0)
					return nt;
				for (j = 0; j < (u32)nt && nx < ix->m0; j++)
					if (!in_list(s.lbuf2, nx, tl[j]))
						s.lbuf2[nx++] = tl[j];
			}
			if (!dead)
				continue;
			err = repair(ix, &s, slot, lev, nx);
			if (err)
				return err;
		}
	}
	for (slot = 1; slot <= nslots; slot++) {
		err = ix->ops->code_get(ix->ctx, slot, &c, &ni, &ck);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		ix->ops->code_put(ix->ctx, ck);
		if (!(ni.flags & HNSW_NODE_DELETED))
			continue;
		if (ix->ops->node_free) {
			err = ix->ops->node_free(ix->ctx, slot);
			if (err)
				return err;
		}
		if (ix->deleted)
			ix->deleted--;
	}
	ix->entry = best;
	ix->max_level = best_level;
	return 0;
}
