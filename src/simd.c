// SPDX-License-Identifier: GPL-2.0
/*
 * simd.c - the kernel's one door to the SIMD distance islands.
 *
 * The module is built with kbuild's flags (-mno-sse -mno-avx ...), so the
 * compiler never touches the FPU/SIMD registers, and the kernel does not
 * save them for us.  The only SIMD code is the asm of the islands
 * (common/simd_islands.c), and this file is the only place that calls
 * them, as lib/raid6 and arch/x86/crypto do:
 *
 * - vexfs_dist_batch() uses an island only if the variant picked at load
 *   time is one and irq_fpu_usable() says the FPU may be taken here;
 *   otherwise the scalar C computes the batch;
 * - simd_section() brackets one island call with kernel_fpu_begin() and
 *   kernel_fpu_end(); a batch is cut into sections of at most
 *   SIMD_SECTION_BYTES of codes, since an FPU section runs with
 *   preemption off;
 * - islands are called directly, never through a pointer (an indirect
 *   call would need ENDBR/kCFI preambles the asm-bearing islands need
 *   not have), from a switch on the variant.
 *
 * scripts/check-kernel-safe.sh proves on vexfs.ko that SIMD instructions
 * occur only in the islands, that only simd_section() refers to them, and
 * that it calls kernel_fpu_begin before and kernel_fpu_end after.
 *
 * The variant is chosen at module load, as raid6 chooses its algorithm:
 * each variant the CPU and the OS's xsave state support is timed on a
 * fixed buffer and the fastest is used, unless the `simd` parameter
 * forces one.  Under QEMU's emulation scalar C may well win.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/fpu/api.h>
#include <asm/cpufeature.h>
#include "vexfs.h"
#include "vexfs_simd.h"

/* Codes per FPU section: bounds the time preemption stays off. */
#define SIMD_SECTION_BYTES	16384

/*
 * The timing: TIME_CODES codes of TIME_DIM bytes, for TIME_NS, in
 * TIME_ROUNDS rounds that take turns between the variants, keeping each
 * one's best: a stall of the machine (a busy host under a VM) then
 * spoils one window, not a variant's whole score.
 */
#define SIMD_TIME_CODES		64
#define SIMD_TIME_DIM		256
#define SIMD_TIME_NS		NSEC_PER_MSEC
#define SIMD_TIME_ROUNDS	3

/* Chosen by vexfs_simd_init(), read-only afterwards. */
static int simd_variant = VEXFS_SIMD_SCALAR;
/* What the `simd` parameter asked for; -1: auto. */
static int simd_wanted = -1;

static int simd_param_set(const char *val, const struct kernel_param *kp)
{
	int v;

	if (sysfs_streq(val, "auto")) {
		simd_wanted = -1;
		return 0;
	}
	for (v = 0; v < VEXFS_SIMD_NR; v++) {
		if (sysfs_streq(val, vexfs_simd_names[v])) {
			simd_wanted = v;
			return 0;
		}
	}
	return -EINVAL;
}

static int simd_param_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%s\n", vexfs_simd_names[simd_variant]);
}

static const struct kernel_param_ops simd_param_ops = {
	.set = simd_param_set,
	.get = simd_param_get,
};
module_param_cb(simd, &simd_param_ops, NULL, 0444);
MODULE_PARM_DESC(simd,
		 "distance kernels: auto (fastest at load), scalar, avx2, avx512, avx512vnni; reads back the one in use");

static bool simd_cpu_has(int v)
{
	switch (v) {
	case VEXFS_SIMD_SCALAR:
		return true;
	case VEXFS_SIMD_AVX2:
		return boot_cpu_has(X86_FEATURE_AVX) &&
		       boot_cpu_has(X86_FEATURE_AVX2) &&
		       cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM,
					 NULL);
	case VEXFS_SIMD_AVX512:
		return simd_cpu_has(VEXFS_SIMD_AVX2) &&
		       boot_cpu_has(X86_FEATURE_AVX512F) &&
		       boot_cpu_has(X86_FEATURE_AVX512BW) &&
		       cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM |
					 XFEATURE_MASK_AVX512, NULL);
	case VEXFS_SIMD_AVX512VNNI:
		return simd_cpu_has(VEXFS_SIMD_AVX512) &&
		       boot_cpu_has(X86_FEATURE_AVX512_VNNI);
	}
	return false;
}

/*
 * The only caller of the islands: one island call inside one FPU section.
 * noinline, so that scripts/check-kernel-safe.sh finds it by name.
 *
 * Context: the caller checked irq_fpu_usable() and simd_cpu_has(@v);
 * preemption is off inside.
 */
static noinline void simd_section(int v, const struct vexfs_dist_req *r)
{
	kernel_fpu_begin();
	switch (v) {
	case VEXFS_SIMD_AVX2:
		vexfs_isl_avx2(r);
		break;
	case VEXFS_SIMD_AVX512:
		vexfs_isl_avx512(r);
		break;
	case VEXFS_SIMD_AVX512VNNI:
		vexfs_isl_avx512vnni(r);
		break;
	}
	kernel_fpu_end();
}

/* Variant @v for the whole of @r: in sections, or scalar. */
static void simd_run(int v, const struct vexfs_dist_req *r)
{
	struct vexfs_dist_req part = *r;
	u32 per, done;

	if (v == VEXFS_SIMD_SCALAR || !irq_fpu_usable()) {
		vexfs_dist_scalar(r);
		return;
	}
	per = max_t(u32, 1, SIMD_SECTION_BYTES / r->dim);
	for (done = 0; done < r->n; done += part.n) {
		part.n = min(per, r->n - done);
		part.codes = r->codes + done;
		part.out = r->out + done;
		simd_section(v, &part);
	}
}

/**
 * vexfs_dist_batch() - a batch of code distances, with the chosen variant
 * @r: the batch (see struct vexfs_dist_req)
 *
 * Context: any; uses the FPU only where irq_fpu_usable() allows it,
 * with preemption off for at most SIMD_SECTION_BYTES of codes at a time.
 */
void vexfs_dist_batch(const struct vexfs_dist_req *r)
{
	simd_run(READ_ONCE(simd_variant), r);
}

/**
 * vexfs_simd_active() - the variant vexfs_dist_batch() uses
 *
 * Return: an enum vexfs_simd_variant.
 */
int vexfs_simd_active(void)
{
	return READ_ONCE(simd_variant);
}

/* MB/s of variant @v on the timing buffer. */
static u32 simd_time(int v, const struct vexfs_dist_req *r)
{
	u64 start = ktime_get_ns(), ns, bytes = 0;

	do {
		simd_run(v, r);
		bytes += (u64)r->n * r->dim;
		ns = ktime_get_ns() - start;
	} while (ns < SIMD_TIME_NS);
	return (u32)div64_u64(bytes * 1000, ns);
}

/**
 * vexfs_simd_init() - choose the distance kernels, raid6 style
 *
 * Times every variant this CPU (and the OS's saved state) supports on a
 * fixed buffer (the best of SIMD_TIME_ROUNDS windows each), picks the fastest unless the `simd` parameter forces one,
 * and logs the choice once.  A failed allocation keeps scalar.
 *
 * Context: module init; may sleep.
 */
void __init vexfs_simd_init(void)
{
	u32 rate[VEXFS_SIMD_NR] = { 0 }, i, round, n = 0;
	struct vexfs_dist_req r = {
		.kind = VEXFS_DIST_L2, .dim = SIMD_TIME_DIM,
		.n = SIMD_TIME_CODES, .bound = ~0U,
	};
	const u8 **codes;
	char log[160];
	u8 *buf;
	u32 *out;
	int v, best = VEXFS_SIMD_SCALAR;

	buf = kmalloc((SIMD_TIME_CODES + 1) * SIMD_TIME_DIM, GFP_KERNEL);
	codes = kmalloc_array(SIMD_TIME_CODES, sizeof(*codes), GFP_KERNEL);
	out = kmalloc_array(SIMD_TIME_CODES, sizeof(*out), GFP_KERNEL);
	if (!buf || !codes || !out) {
		pr_warn("distance kernels: scalar (no memory to time them)\n");
		goto out;
	}
	for (i = 0; i < (SIMD_TIME_CODES + 1) * SIMD_TIME_DIM; i++)
		buf[i] = (u8)(i * 2654435761U >> 13);
	for (i = 0; i < SIMD_TIME_CODES; i++)
		codes[i] = buf + (i + 1) * SIMD_TIME_DIM;
	r.q = buf;
	r.codes = codes;
	r.out = out;
	for (round = 0; round < SIMD_TIME_ROUNDS; round++)
		for (v = 0; v < VEXFS_SIMD_NR; v++)
			if (simd_cpu_has(v))
				rate[v] = max(rate[v], simd_time(v, &r));
	for (v = 0; v < VEXFS_SIMD_NR; v++) {
		if (!simd_cpu_has(v))
			continue;
		if (rate[v] > rate[best])
			best = v;
		n += scnprintf(log + n, sizeof(log) - n, "%s%s %u MB/s",
			       n ? ", " : "", vexfs_simd_names[v], rate[v]);
	}
	if (simd_wanted >= 0 && simd_cpu_has(simd_wanted))
		best = simd_wanted;
	else if (simd_wanted >= 0)
		pr_warn("simd=%s: not supported by this CPU, using the fastest\n",
			vexfs_simd_names[simd_wanted]);
	WRITE_ONCE(simd_variant, best);
	pr_info("distance kernels: %s%s (%s)\n", vexfs_simd_names[best],
		simd_wanted >= 0 && best == simd_wanted ? ", forced" : "", log);
out:
	kfree(out);
	kfree(codes);
	kfree(buf);
}
