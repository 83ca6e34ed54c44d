/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_simd.h - the code-distance kernels of the HNSW index ("islands").
 *
 * The index core (common/hnsw.c) spends most of its time on three integer
 * distances between 8-bit codes: squared L2 of two codes, the dot product
 * of two codes centred on 128 (inner product), and the dot product of a
 * wide s16 query with a code.  common/simd_islands.c implements each of
 * them in explicit scalar C, and in AVX2, AVX-512BW and AVX-512 VNNI
 * inline asm: the compiler is never asked to emit a SIMD instruction (the
 * kernel's flags forbid it), the only SIMD is the asm written here.
 *
 * The same file is compiled into vexfs.ko and into libvexfs, so that a
 * native benchmark measures the kernel's code.  Each world has its own
 * dispatch, vexfs_dist_batch():
 * - the kernel's (src/simd.c) checks the CPU feature and irq_fpu_usable(),
 *   and brackets one call of an island with kernel_fpu_begin() and
 *   kernel_fpu_end(); scripts/check-kernel-safe.sh proves on the .ko that
 *   the islands are called from there only, inside the bracket;
 * - userspace's (userspace/lib/simd.c) asks the CPU and calls them.
 *
 * One call computes a query's distance to up to VEXFS_DIST_BATCH_MAX
 * codes.  Every variant gives the scalar C's result bit for bit (integer
 * arithmetic, the same wrap-around), with one allowed difference: for L2,
 * a value >= @bound may stand for any distance >= @bound (the scalar code
 * stops early there; SIMD variants compute the whole sum).  The callers
 * in hnsw.c treat every value >= bound alike.
 *
 * The islands never sleep, allocate, lock or call anything.
 */
#ifndef _VEXFS_SIMD_H
#define _VEXFS_SIMD_H

#include "vexfs_hnsw.h"

/* A neighbour list at level 0 (2 * HNSW_MAX_M), and a repair's two lists. */
#define VEXFS_DIST_BATCH_MAX	(4 * HNSW_MAX_M)

enum vexfs_dist_kind {
	VEXFS_DIST_L2 = 0,	/* sum (a - b)^2 of two codes */
	VEXFS_DIST_IP,		/* 2^31 - sum (a - 128) (b - 128) */
	VEXFS_DIST_WIDE_IP,	/* 2^31 - sum w * b, w an s16 query */
};

/* The variants, slowest first; a higher one needs the lower's features. */
enum vexfs_simd_variant {
	VEXFS_SIMD_SCALAR = 0,
	VEXFS_SIMD_AVX2,
	VEXFS_SIMD_AVX512,	/* AVX-512F + BW */
	VEXFS_SIMD_AVX512VNNI,	/* and AVX512_VNNI (vpdpwssd) */
	VEXFS_SIMD_NR
};

/**
 * struct vexfs_dist_req - one batch of code distances
 * @kind: enum vexfs_dist_kind
 * @dim: code length, 1..HNSW_MAX_DIM
 * @n: codes, 0..VEXFS_DIST_BATCH_MAX
 * @bound: L2 only: a distance >= @bound may be reported as any value >= it
 * @q: the query code (L2, IP)
 * @wq: the wide query (WIDE_IP)
 * @codes: @n codes of @dim bytes
 * @out: @n distances
 */
struct vexfs_dist_req {
	u32 kind;
	u32 dim;
	u32 n;
	u32 bound;
	const u8 *q;
	const s16 *wq;
	const u8 *const *codes;
	u32 *out;
};

extern const char *const vexfs_simd_names[VEXFS_SIMD_NR];

/* The islands (common/simd_islands.c); call them only from a dispatch. */
void vexfs_dist_scalar(const struct vexfs_dist_req *r);
void vexfs_isl_avx2(const struct vexfs_dist_req *r);
void vexfs_isl_avx512(const struct vexfs_dist_req *r);
void vexfs_isl_avx512vnni(const struct vexfs_dist_req *r);

/* The dispatch of this world (src/simd.c, userspace/lib/simd.c). */
void vexfs_dist_batch(const struct vexfs_dist_req *r);
/* The variant vexfs_dist_batch() uses (enum vexfs_simd_variant). */
int vexfs_simd_active(void);
#ifndef __KERNEL__
/* Whether this CPU can run variant @v (userspace/lib/simd.c). */
int vexfs_simd_supported(int v);
#endif

#endif /* _VEXFS_SIMD_H */
