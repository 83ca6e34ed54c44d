// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_repair.c - libFuzzer target over fsck's repair path: each input
 * image is repaired in memory (-fy), then checked again (-fn), which must
 * find it clean: "a second run after a repair is always clean".
 * A repair that fatally stops (exit 8: e.g. a destroyed superblock) is
 * exempt, as is one that ran out of space for its own repairs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"
#include "check.h"

static void quiet(void *priv, const char *text)
{
	(void)priv;
	if (getenv("FUZZ_VERBOSE"))
		fputs(text, stderr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vexfs_check_opts opts = {
		.mode = VEXFS_CHECK_YES, .force = true, .name = "fuzz",
		.print = quiet,
	};
	struct vexfs_check_result res;
	struct vexfs_err err;
	uint8_t *img;
	int code;

	if (size < 2048)
		return 0;
	img = malloc(size);
	if (!img)
		return 0;
	memcpy(img, data, size);
	code = vexfs_check_mem(img, size, &opts, &res, &err);
	if (!(code & (FSCK_ERROR | FSCK_UNCORRECTED))) {
		opts.mode = VEXFS_CHECK_NO;
		code = vexfs_check_mem(img, size, &opts, &res, &err);
		if (code != FSCK_OK) {
			fprintf(stderr, "second run not clean: exit %d, first problem 0x%06x\n",
				code, res.nproblems ? res.codes[0] : 0);
			abort();
		}
	}
	free(img);
	return 0;
}
