// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - the checker behind fsck.vexfs: vexfs_check() and
 * vexfs_check_mem() open the filesystem, run the passes, write the
 * superblock last and turn what the passes found into an fsck(8) exit
 * code.
 *
 * Organized like e2fsck: every problem is one entry in the table of
 * problem.c, with a stable code (problem.h), its message, whether preen
 * may fix it, and the prompt for the fix; fix_problem() is the only place
 * that reports a problem and decides, from the mode, whether to fix it.
 * The passes run in this order (run_passes()), each in its own file:
 *
 *   pass 0   pass0.c    the superblock, the journal (replayed here unless
 *                       -n) and the bitmap blocks' headers and checksums
 *   pass 1C  pass1c.c   the orphan list, finished before the inode scan
 *   pass 1   pass1.c    inodes, their extent trees and xattr blocks;
 *                       builds the map of blocks in use
 *   pass 1B  pass1b.c   blocks claimed by two owners
 *   pass 2   pass2.c    directory trees and their entries
 *   pass 3   pass3.c    connectivity (lost+found)
 *   pass 6   pass6.c    vector collections and stores, and (index.c) the
 *                       ANN indexes; before pass 4, which counts the
 *                       references to stores and indexes as pass 6 leaves
 *                       them (see pass6.c)
 *   pass 4   pass4.c    link counts and hidden inodes
 *   pass 6B  rebuild.c  rebuilding the indexes pass 6 condemned, into
 *                       blocks that pass 5 then accounts for
 *   pass 5   pass5.c    bitmaps against what the passes found, and the
 *                       summary counts
 *
 * What the passes share is in util.c, and their state in fsck.h.
 *
 * Without -f, a filesystem marked clean whose journal and orphan list are
 * empty stops after pass 0.  Fixes are written as each pass makes them;
 * the bitmaps once, at the end of pass 5; the superblock last, so that it
 * says "clean" only once everything else is on the disk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsck.h"

static bool marked_clean(const struct vexfs_super_block *sb)
{
	uint16_t state = le16(sb->s_state);

	return (state & VEXFS_STATE_VALID) && !(state & VEXFS_STATE_ERROR);
}

/*
 * After a full check that left nothing behind, mark the filesystem clean
 * and checked, as e2fsck does.
 */
static int finish_super(struct check *c, bool full, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	int ret;

	if (c->opts->mode == VEXFS_CHECK_NO || c->stop)
		return 0;
	if (full && !c->uncorrected) {
		if (!marked_clean(sb))
			c->sb_dirty = true;
		sb->s_state = cpu_le16(VEXFS_STATE_VALID);
		sb->s_mount_count = 0;
		sb->s_lastcheck_time = cpu_le64((uint64_t)time(NULL));
	}
	if (!full && !c->sb_dirty)
		return 0;
	ret = vexfs_super_write(&c->fs.dev, sb, err);
	if (!ret && c->sb_dirty)
		c->modified = true;
	if (!ret)
		ret = vexfs_dev_sync(&c->fs.dev, err);
	return ret;
}

static void summary(struct check *c, bool clean)
{
	const struct vexfs_super_block *sb = &c->fs.sb;
	struct vexfs_check_result *res = c->res;

	res->inodes = le64(sb->s_inodes_count);
	res->blocks = le64(sb->s_blocks_count);
	res->inodes_used = res->inodes - le64(sb->s_free_inodes);
	res->blocks_used = res->blocks - le64(sb->s_free_blocks);
	if (c->modified && c->opts->mode != VEXFS_CHECK_PREEN)
		out(c, "\n%s: ***** FILE SYSTEM WAS MODIFIED *****\n", c->name);
	if (c->uncorrected && !c->stop)
		out(c, "\n%s: ********** WARNING: Filesystem still has errors **********\n\n",
		    c->name);
	out(c, "%s: %s%" PRIu64 "/%" PRIu64 " inodes, %" PRIu64 "/%" PRIu64 " blocks\n",
	    c->name, clean ? "clean, " : "", res->inodes_used, res->inodes,
	    res->blocks_used, res->blocks);
}

static int exit_code(const struct check *c)
{
	int code = 0;

	if (c->fatal)
		return FSCK_ERROR | (c->modified ? FSCK_NONDESTRUCT : 0);
	if (c->modified)
		code |= FSCK_NONDESTRUCT;
	if (c->uncorrected)
		code |= FSCK_UNCORRECTED;
	if (c->canceled)
		code |= FSCK_CANCELED;
	return code;
}

/* The in-memory state of passes 1-5. */
static int setup_state(struct check *c, struct vexfs_err *err)
{
	size_t ibytes = (size_t)(c->imap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	size_t bbytes = (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	uint64_t n, data_start = le64(c->fs.sb.s_data_start);

	c->ninodes = le64(c->fs.sb.s_inodes_count);
	c->inode_used = malloc(ibytes);
	c->block_used = calloc(bbytes, 1);
	c->block_dup = calloc(bbytes, 1);
	c->block_p1 = calloc(bbytes, 1);
	c->fsck_freed = calloc(bbytes, 1);
	c->ii = calloc(c->ninodes, sizeof(*c->ii));
	c->blk = malloc(c->fs.bs);
	if (!c->inode_used || !c->block_used || !c->block_dup || !c->ii ||
	    !c->blk || !c->block_p1 || !c->fsck_freed)
		return vexfs_errf(err, ENOMEM, "out of memory");
	memcpy(c->inode_used, c->imap.bits, ibytes);
	for (n = 0; n < data_start; n++)
		vexfs_set_bit(c->block_used, n);
	vexfs_alloc_init(&c->alloc, c->block_used, &c->fs.sb);
	return 0;
}

static void release_state(struct check *c)
{
	vexfs_bitmap_release(&c->imap);
	vexfs_bitmap_release(&c->bmap);
	free(c->inode_used);
	free(c->block_used);
	free(c->block_dup);
	free(c->block_p1);
	free(c->fsck_freed);
	free(c->ii);
	free(c->orphan_listed);
	free(c->xref);
	vec_release(c);
	free(c->blk);
}

static int run_passes(struct check *c, struct vexfs_err *err)
{
	bool full;
	int ret;

	ret = pass0(c, err);
	if (ret || c->stop)
		return ret;
	full = c->opts->force || !marked_clean(&c->fs.sb) || c->sb_dirty ||
	       c->uncorrected || c->imap_rewrite || c->bmap_rewrite ||
	       c->journal_done || le64(c->fs.sb.s_last_orphan);
	if (!full) {
		summary(c, true);
		return 0;
	}
	ret = setup_state(c, err);
	if (!ret)
		ret = pass1(c, err);
	if (!ret)
		memcpy(c->block_p1, c->block_used,
		       (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8));
	if (!ret && !c->stop)
		ret = pass1b(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		ret = pass2(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		ret = pass3(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		ret = pass6(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		ret = pass4(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		vec_rebuild_indexes(c);
	if (!ret && !c->stop)
		ret = pass5(c, err);
	if (!ret)
		ret = finish_super(c, true, err);
	if (!ret && !c->fatal)
		summary(c, false);
	return ret;
}

static int open_for_check(struct check *c, const char *path,
			  struct vexfs_err *err)
{
	bool write = c->opts->mode != VEXFS_CHECK_NO;
	char mnt[4096];

	if (vexfs_dev_mountpoint(path, mnt, sizeof(mnt))) {
		if (write)
			return vexfs_errf(err, EBUSY,
					  "%s is mounted on %s; cannot repair a mounted filesystem",
					  path, mnt);
		out(c, "Warning: %s is mounted on %s; the results may be inconsistent.\n",
		    path, mnt);
	}
	return vexfs_dev_open(&c->fs.dev, path, write, err);
}

static int check_open_dev(struct check *c, struct vexfs_err *err)
{
	int ret = run_passes(c, err);

	release_state(c);
	vexfs_dev_close(&c->fs.dev);
	c->res->exit_code = ret ? FSCK_ERROR : exit_code(c);
	return c->res->exit_code;
}

static void check_init(struct check *c, const struct vexfs_check_opts *opts,
		       struct vexfs_check_result *res,
		       struct vexfs_check_result *dummy, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->opts = opts;
	c->res = res ? res : dummy;
	memset(c->res, 0, sizeof(*c->res));
	c->name = opts->name ? opts->name : name;
}

int vexfs_check(const char *path, const struct vexfs_check_opts *opts,
		struct vexfs_check_result *res, struct vexfs_err *err)
{
	struct vexfs_check_result dummy;
	struct check c;

	check_init(&c, opts, res, &dummy, path);
	if (open_for_check(&c, path, err)) {
		c.res->exit_code = FSCK_ERROR;
		return FSCK_ERROR;
	}
	return check_open_dev(&c, err);
}

int vexfs_check_mem(void *buf, size_t len, const struct vexfs_check_opts *opts,
		    struct vexfs_check_result *res, struct vexfs_err *err)
{
	struct vexfs_check_result dummy;
	struct check c;

	check_init(&c, opts, res, &dummy, "(memory)");
	vexfs_dev_open_mem(&c.fs.dev, buf, len, opts->mode != VEXFS_CHECK_NO);
	return check_open_dev(&c, err);
}
