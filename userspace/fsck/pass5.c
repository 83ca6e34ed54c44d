// SPDX-License-Identifier: GPL-2.0
/*
 * pass5.c - pass 5: the bitmaps against what the passes found, and the
 * summary counts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsck.h"

/* Append " +a-b" or " -a" (set in @want but not in @have, or the reverse). */
static void add_range(char *buf, size_t len, bool plus, uint64_t first,
		      uint64_t last)
{
	size_t used = strlen(buf);

	if (used + 48 >= len) {
		if (!strstr(buf, " ..."))
			snprintf(buf + used, len - used, " ...");
		return;
	}
	if (first == last)
		snprintf(buf + used, len - used, " %c%" PRIu64,
			 plus ? '+' : '-', first);
	else
		snprintf(buf + used, len - used, " %c%" PRIu64 "-%" PRIu64,
			 plus ? '+' : '-', first, last);
}

/*
 * Describe the differences between what is on disk (@have) and what the
 * check found (@want), as e2fsck does: +n is in use but marked free, -n is
 * free but marked in use.  Return: true if there are any.
 */
static bool bitmap_diff(const uint8_t *have, const uint8_t *want,
			uint64_t nbits, char *buf, size_t len)
{
	uint64_t n, first = 0;
	int run = 0;		/* 0 none, 1 plus run, -1 minus run */

	buf[0] = '\0';
	for (n = 0; n <= nbits; n++) {
		int d = 0;

		if (n < nbits && vexfs_test_bit(have, n) != vexfs_test_bit(want, n))
			d = vexfs_test_bit(want, n) ? 1 : -1;
		if (d == run)
			continue;
		if (run)
			add_range(buf, len, run > 0, first, n - 1);
		run = d;
		first = n;
	}
	return buf[0] != '\0';
}

static bool padding_set(const struct vexfs_bitmap *map, uint32_t bs)
{
	uint64_t n, end = map->nblocks * VEXFS_BITMAP_BITS(bs);

	for (n = map->nbits; n < end; n++)
		if (!vexfs_test_bit(map->bits, n))
			return false;
	return true;
}

static void compare_bitmap(struct check *c, struct vexfs_bitmap *map,
			   uint8_t *want, uint32_t diff_code,
			   uint32_t pad_code, bool *rewrite)
{
	char diff[1024];

	if (bitmap_diff(map->bits, want, map->nbits, diff, sizeof(diff)) &&
	    fix_problem(c, diff_code, diff + 1))
		*rewrite = true;
	if (!padding_set(map, c->fs.bs) && fix_problem(c, pad_code))
		*rewrite = true;
}

static void check_count(struct check *c, uint32_t code, __le64 *field,
			uint64_t counted)
{
	uint64_t stored = le64(*field);

	/* Not journaled: after a replay they are rebuilt, as at mount. */
	if (stored != counted && c->counts_stale && can_write(c)) {
		*field = cpu_le64(counted);
		c->sb_dirty = true;
		return;
	}
	if (stored != counted &&
	    fix_problem(c, code, (unsigned long long)stored,
			(unsigned long long)counted)) {
		*field = cpu_le64(counted);
		c->sb_dirty = true;
	}
}

static int store_bitmap(struct check *c, struct vexfs_bitmap *map,
			uint8_t *want, struct vexfs_err *err)
{
	size_t bytes = (size_t)(map->nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	int ret;

	if (!can_write(c))
		return 0;
	memcpy(map->bits, want, bytes);
	ret = vexfs_bitmap_store(&c->fs, map, err);
	if (!ret)
		c->modified = true;
	return ret;
}

static int mark_cb(void *priv, const struct vexfs_ext *ex)
{
	uint8_t *map = priv;
	uint64_t b;

	for (b = 0; b < ex->len; b++)
		vexfs_set_bit(map, ex->pblk + b);
	return 0;
}

struct markn {
	uint8_t *map;
};

static int mark_node_cb(void *priv, uint64_t pblk, unsigned int depth,
			const char *why)
{
	struct markn *m = priv;

	(void)depth;
	if (!why)
		vexfs_set_bit(m->map, pblk);
	return 0;
}

static int mark_ext_cb(void *priv, const struct vexfs_ext *ex)
{
	struct markn *m = priv;

	return mark_cb(m->map, ex);
}

static void mark_bad_cb(void *priv, uint64_t pblk, unsigned int depth,
			const char *why)
{
	(void)priv;
	(void)pblk;
	(void)depth;
	(void)why;
}

/*
 * The blocks in use, counted afresh from every in-use inode once the
 * repairs are done, so that whatever the repairs freed or allocated is
 * accounted for exactly.  With -n it is what pass 1 saw.
 */
static int recount_blocks(struct check *c, uint8_t *used, struct vexfs_err *err)
{
	struct markn m = { .map = used };
	struct vexfs_extent_visitor v = {
		.priv = &m, .node = mark_node_cb, .extent = mark_ext_cb,
		.bad = mark_bad_cb,
	};
	uint64_t data_start = le64(c->fs.sb.s_data_start), n, ino;
	int ret;

	for (n = 0; n < data_start; n++)
		vexfs_set_bit(used, n);
	for (ino = 1; ino < c->ninodes; ino++) {
		struct vexfs_inode inode;
		uint64_t x;

		if (c->ii[ino].state != IS_USED)
			continue;
		ret = vexfs_inode_read_raw(&c->fs, ino, &inode, err);
		if (ret)
			return ret;
		ret = vexfs_extent_walk(&c->fs, ino, &inode, &v, err);
		if (ret)
			return ret;
		x = le64(inode.i_xattr_block);
		if (x >= data_start && x < le64(c->fs.sb.s_blocks_count))
			vexfs_set_bit(used, x);
	}
	return 0;
}

/*
 * Blocks the repairs allocated (in use now, free after pass 1, taken by
 * the repair allocator) or let go of (free now, held by a rewritten or
 * cleared inode) are the repairs' own doing: update the on-disk view of
 * the bitmap for them without reporting differences, as e2fsck's
 * allocation statistics do.  The free count is checked afterwards.
 */
static void own_block_stats(struct check *c, const uint8_t *final)
{
	uint64_t n, end = le64(c->fs.sb.s_blocks_count);
	bool changed = false;

	for (n = le64(c->fs.sb.s_data_start); n < end; n++) {
		bool now = vexfs_test_bit(final, n);
		bool disk = vexfs_test_bit(c->bmap.bits, n);

		if (now == disk)
			continue;
		if (now && vexfs_test_bit(c->block_used, n) &&
		    !vexfs_test_bit(c->block_p1, n)) {
			vexfs_set_bit(c->bmap.bits, n);
			changed = true;
		} else if (!now && vexfs_test_bit(c->fsck_freed, n)) {
			vexfs_clear_bit(c->bmap.bits, n);
			changed = true;
		}
	}
	if (changed)
		c->bmap_rewrite = true;
}

int pass5(struct check *c, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	size_t bbytes = (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	uint8_t *block_used = calloc(bbytes, 1);
	uint64_t n;
	int ret = 0;

	pass_header(c, 5, "Checking bitmaps and summary counts");
	if (!block_used)
		return vexfs_errf(err, ENOMEM, "out of memory");
	/* Reserved inodes and the metadata blocks are always in use. */
	for (n = 0; n < VEXFS_FIRST_INO; n++)
		vexfs_set_bit(c->inode_used, n);
	if (can_write(c)) {
		ret = recount_blocks(c, block_used, err);
	} else {
		memcpy(block_used, c->block_used, bbytes);
	}
	/* padding past the last block stays set */
	for (n = c->bmap.nbits; n < bbytes * 8; n++)
		vexfs_set_bit(block_used, n);
	if (ret)
		goto out;
	if (can_write(c))
		own_block_stats(c, block_used);

	compare_bitmap(c, &c->imap, c->inode_used, PR_5_INODE_BITMAP,
		       PR_5_INODE_PADDING, &c->imap_rewrite);
	if (!c->stop)
		compare_bitmap(c, &c->bmap, block_used, PR_5_BLOCK_BITMAP,
			       PR_5_BLOCK_PADDING, &c->bmap_rewrite);
	if (!c->stop && c->imap_rewrite)
		ret = store_bitmap(c, &c->imap, c->inode_used, err);
	if (!c->stop && !ret && c->bmap_rewrite)
		ret = store_bitmap(c, &c->bmap, block_used, err);

	if (!c->stop && !ret) {
		check_count(c, PR_5_FREE_INODES, &sb->s_free_inodes,
			    vexfs_bitmap_count_clear(c->inode_used,
						     c->imap.nbits));
		check_count(c, PR_5_FREE_BLOCKS, &sb->s_free_blocks,
			    vexfs_bitmap_count_clear(block_used, c->bmap.nbits));
	}
out:
	free(block_used);
	progress(c, 5, 1, 1);
	return ret;
}
