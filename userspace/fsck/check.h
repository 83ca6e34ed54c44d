/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check.h - the checker behind fsck.vexfs: its modes, options, result
 * and entry points, for main.c, the unit tests and the fuzzers.
 */
#ifndef VEXFS_FSCK_CHECK_H
#define VEXFS_FSCK_CHECK_H

#include "libvexfs.h"

/* fsck(8) exit codes; they may be ORed together. */
#define FSCK_OK			0	/* no errors */
#define FSCK_NONDESTRUCT	1	/* errors corrected */
#define FSCK_REBOOT		2	/* corrected; reboot (unused here) */
#define FSCK_UNCORRECTED	4	/* errors left uncorrected */
#define FSCK_ERROR		8	/* operational error */
#define FSCK_USAGE		16	/* usage or syntax error */
#define FSCK_CANCELED		32	/* canceled by the user */

enum vexfs_check_mode {
	VEXFS_CHECK_NO,		/* -n: answer no to everything, never write */
	VEXFS_CHECK_YES,	/* -y: answer yes to everything */
	VEXFS_CHECK_PREEN,	/* -p: fix what is safe, stop on the rest */
	VEXFS_CHECK_ASK,	/* interactive: ask through opts->ask */
};

struct vexfs_check_opts {
	enum vexfs_check_mode mode;
	bool force;		/* -f: check even if marked clean */
	bool verbose;		/* -v: say more about each pass */
	bool rebuild_index;	/* -E rebuild-index: every collection's
				 * ANN index is built anew */
	const char *name;	/* the device as the user named it */
	void *priv;		/* passed to the callbacks */
	/* Output, one or more whole lines, each ending in '\n'. */
	void (*print)(void *priv, const char *text);
	/* VEXFS_CHECK_ASK: 1 yes, 0 no, -1 cancel the check */
	int (*ask)(void *priv, const char *prompt);
	/* Optional: pass @pass has done @cur of @max units of work. */
	void (*progress)(void *priv, int pass, uint64_t cur, uint64_t max);
};

/* What a check found, for callers that want more than the exit code. */
struct vexfs_check_result {
	int exit_code;		/* FSCK_* */
	unsigned int nproblems;	/* problems found, fixed or not */
	uint32_t codes[64];	/* the first 64 of them */
	uint64_t inodes, inodes_used;
	uint64_t blocks, blocks_used;
};

/**
 * vexfs_check() - check, and perhaps repair, a filesystem
 * @path: device or image
 * @opts: mode and callbacks
 * @res: filled in; may be NULL
 * @err: the reason for an operational error (exit code 8)
 *
 * Runs the passes in order; each problem found is reported through
 * opts->print from the one problem table and fixed or not as the mode
 * says.  VEXFS_CHECK_NO never writes.  A mounted filesystem is only
 * checked with VEXFS_CHECK_NO.  A filesystem marked clean is only given a
 * superblock check unless opts->force.
 *
 * Return: the fsck(8) exit code, also in @res->exit_code.
 */
int vexfs_check(const char *path, const struct vexfs_check_opts *opts,
		struct vexfs_check_result *res, struct vexfs_err *err);

/**
 * vexfs_check_mem() - vexfs_check() on an image in memory
 * @buf: the image; written to unless opts->mode is VEXFS_CHECK_NO
 * @len: its size
 * @opts: as for vexfs_check()
 * @res: as for vexfs_check()
 * @err: as for vexfs_check()
 *
 * For the fuzzer and the unit tests.
 *
 * Return: the fsck(8) exit code.
 */
int vexfs_check_mem(void *buf, size_t len, const struct vexfs_check_opts *opts,
		    struct vexfs_check_result *res, struct vexfs_err *err);

#endif /* VEXFS_FSCK_CHECK_H */
