// SPDX-License-Identifier: GPL-2.0
/*
 * simd.c - userspace's dispatch of the code-distance islands.
 *
 * The islands (common/simd_islands.c) are the kernel module's own; here
 * no FPU bracket is needed, only the CPU's (and the OS's: libgcc's
 * __builtin_cpu_supports() checks XCR0 for the AVX and AVX-512 state)
 * support.  The best variant the CPU has is used; VEXFS_SIMD=scalar,
 * avx2, avx512 or avx512vnni forces one (an unsupported or unknown name
 * is refused on stderr and the best one used), so that the unit tests
 * and the bench can compare them.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vexfs_simd.h"

static int simd_supported(int v)
{
#ifdef __x86_64__
	switch (v) {
	case VEXFS_SIMD_SCALAR:
		return 1;
	case VEXFS_SIMD_AVX2:
		return __builtin_cpu_supports("avx2");
	case VEXFS_SIMD_AVX512:
		return __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw");
	case VEXFS_SIMD_AVX512VNNI:
		return simd_supported(VEXFS_SIMD_AVX512) &&
		       __builtin_cpu_supports("avx512vnni");
	}
	return 0;
#else
	return v == VEXFS_SIMD_SCALAR;
#endif
}

/**
 * vexfs_simd_supported() - whether this CPU can run a variant
 * @v: enum vexfs_simd_variant
 *
 * Return: nonzero if it can.
 */
int vexfs_simd_supported(int v)
{
	return v >= 0 && v < VEXFS_SIMD_NR && simd_supported(v);
}

static int simd_choose(void)
{
	const char *env = getenv("VEXFS_SIMD");
	int v;

	if (env && *env && strcmp(env, "auto")) {
		for (v = 0; v < VEXFS_SIMD_NR; v++)
			if (!strcmp(env, vexfs_simd_names[v]))
				break;
		if (v < VEXFS_SIMD_NR && simd_supported(v))
			return v;
		fprintf(stderr, "vexfs: VEXFS_SIMD=%s: %s; using the best variant\n",
			env, v < VEXFS_SIMD_NR ? "not supported by this CPU" :
			"unknown (scalar, avx2, avx512, avx512vnni)");
	}
	for (v = VEXFS_SIMD_NR - 1; v > 0; v--)
		if (simd_supported(v))
			break;
	return v;
}

static int simd_variant = -1;

/**
 * vexfs_simd_active() - the variant vexfs_dist_batch() uses
 *
 * Chosen on the first call, from the CPU and VEXFS_SIMD.
 *
 * Return: an enum vexfs_simd_variant.
 */
int vexfs_simd_active(void)
{
	int v = __atomic_load_n(&simd_variant, __ATOMIC_RELAXED);

	if (v < 0) {
		v = simd_choose();
		__atomic_store_n(&simd_variant, v, __ATOMIC_RELAXED);
	}
	return v;
}

/**
 * vexfs_dist_batch() - a batch of code distances, with the chosen variant
 * @r: the batch (see struct vexfs_dist_req)
 */
void vexfs_dist_batch(const struct vexfs_dist_req *r)
{
	switch (vexfs_simd_active()) {
	case VEXFS_SIMD_AVX2:
		vexfs_isl_avx2(r);
		break;
	case VEXFS_SIMD_AVX512:
		vexfs_isl_avx512(r);
		break;
	case VEXFS_SIMD_AVX512VNNI:
		vexfs_isl_avx512vnni(r);
		break;
	default:
		vexfs_dist_scalar(r);
	}
}
