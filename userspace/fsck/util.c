// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - what the passes share: pass headers and progress, and the
 * reading, writing and clearing of inodes that the repairs do.
 */
#include <string.h>
#include <sys/stat.h>

#include "fsck.h"

void pass_header(struct check *c, int pass, const char *what)
{
	if (c->opts->mode != VEXFS_CHECK_PREEN)
		out(c, "Pass %d: %s\n", pass, what);
}

void progress(struct check *c, int pass, uint64_t cur, uint64_t max)
{
	if (c->opts->progress)
		c->opts->progress(c->opts->priv, pass, cur, max);
}

/* ------------------------------------------------------------------ */
/* Inode state shared by the passes                                    */
/* ------------------------------------------------------------------ */

bool can_write(struct check *c)
{
	return c->opts->mode != VEXFS_CHECK_NO;
}

void write_inode(struct check *c, uint64_t ino, struct vexfs_inode *inode)
{
	struct vexfs_err err;

	if (!can_write(c))
		return;
	if (vexfs_inode_write(&c->fs, ino, inode, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
}

int read_inode(struct check *c, uint64_t ino, struct vexfs_inode *inode)
{
	struct vexfs_err err;

	if (vexfs_inode_read_raw(&c->fs, ino, inode, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return -1;
	}
	return 0;
}

static int freed_node(void *priv, uint64_t pblk, unsigned int depth,
		      const char *why)
{
	struct check *c = priv;

	(void)depth;
	if (!why)
		vexfs_set_bit(c->fsck_freed, pblk);
	return 0;
}

static int freed_extent(void *priv, const struct vexfs_ext *ex)
{
	struct check *c = priv;
	uint64_t b;

	for (b = 0; b < ex->len; b++)
		vexfs_set_bit(c->fsck_freed, ex->pblk + b);
	return 0;
}

static void freed_root(void *priv, uint64_t pblk, unsigned int depth,
		       const char *why)
{
	(void)priv;
	(void)pblk;
	(void)depth;
	(void)why;
}

/*
 * Remember the blocks an inode holds before a repair rewrites or clears
 * it: those the repair lets go of are then freed in the bitmaps silently
 * (pass 5), as the repair's own doing, not reported as differences.
 */
void note_freed(struct check *c, uint64_t ino)
{
	struct vexfs_extent_visitor v = {
		.priv = c, .node = freed_node, .extent = freed_extent,
		.bad = freed_root,
	};
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t x;

	if (vexfs_inode_read_raw(&c->fs, ino, &inode, &err))
		return;
	vexfs_extent_walk(&c->fs, ino, &inode, &v, &err);
	x = le64(inode.i_xattr_block);
	if (x >= le64(c->fs.sb.s_data_start) &&
	    x < le64(c->fs.sb.s_blocks_count))
		vexfs_set_bit(c->fsck_freed, x);
}

/*
 * Account an inode the repairs freed or allocated in the on-disk view of
 * the bitmap, so that pass 5 does not report it as a difference.  The
 * summary counts are compared with the result as they are.
 */
void inode_alloc_stats(struct check *c, uint64_t ino, bool used)
{
	if (ino < VEXFS_FIRST_INO || !can_write(c) ||
	    vexfs_test_bit(c->imap.bits, ino) == used)
		return;
	if (used)
		vexfs_set_bit(c->imap.bits, ino);
	else
		vexfs_clear_bit(c->imap.bits, ino);
	c->imap_rewrite = true;
}

/*
 * Clear an inode: zero it and forget it.  The root cannot go: it is made
 * anew, empty, and its old subdirectories end up in /lost+found.
 */
void clear_inode(struct check *c, uint64_t ino)
{
	struct vexfs_inode zero;
	struct vexfs_err err;

	if (ino == VEXFS_ROOT_INO) {
		memset(&zero, 0, sizeof(zero));
		if (can_write(c))
			note_freed(c, ino);
		recreate_root(c, &zero);
		return;
	}
	c->ii[ino].state = IS_FREE;
	if (ino >= VEXFS_FIRST_INO)
		vexfs_clear_bit(c->inode_used, ino);
	if (!can_write(c))
		return;
	vec_forget(c, ino);
	note_freed(c, ino);
	inode_alloc_stats(c, ino, false);
	memset(&zero, 0, sizeof(zero));
	if (vexfs_dev_write(&c->fs.dev, vexfs_inode_offset(&c->fs.sb, ino),
			    &zero, sizeof(zero), &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
}

const char *type_name(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "unknown";
	}
}
