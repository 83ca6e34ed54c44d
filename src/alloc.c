// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c - block and inode allocation from the on-disk bitmaps.
 *
 * Both bitmaps are arrays of blocks, each a struct vexfs_block_header and
 * then sbi->bitmap_bits bits.  Bit n of the block bitmap is block n of the
 * device; bit n of the inode bitmap is inode n.  sbi->alloc_lock serializes
 * every search and update of either bitmap; the free counters are also
 * read under sbi->lock by statfs, which must not sleep.  The inodes that
 * the inode numbers go to are made in ialloc.c.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>

#include "vexfs.h"

/* One of the two bitmaps. */
struct vexfs_bitmap {
	u64 start;		/* first bitmap block */
	u64 total;		/* bits that describe real objects */
	u32 magic;		/* bitmap block type */
	const char *what;	/* for messages */
};

static void vexfs_block_bitmap(struct vexfs_sb_info *sbi,
			       struct vexfs_bitmap *map)
{
	map->start = sbi->block_bitmap_start;
	map->total = sbi->blocks_count;
	map->magic = VEXFS_BBITMAP_MAGIC;
	map->what = "block";
}

static void vexfs_inode_bitmap(struct vexfs_sb_info *sbi,
			       struct vexfs_bitmap *map)
{
	map->start = sbi->inode_bitmap_start;
	map->total = sbi->inodes_count;
	map->magic = VEXFS_IBITMAP_MAGIC;
	map->what = "inode";
}

/*
 * Bitmap checksums with a journal.  An allocation changes a few bits of a
 * 4 KiB block, and checksumming the whole block after every change cost
 * as much as the rest of the allocation.  With a journal every bitmap
 * change goes through a handle, and what reaches the disk is either the
 * copy jbd2 writes to the log at commit or, at checkpoint, the buffer
 * itself once its last transaction committed.  jbd2 calls ->t_frozen on
 * exactly that data when it freezes it for the commit (the buffer itself
 * when no newer handle touched it, or the frozen copy a newer handle
 * forced), after every handle of the transaction stopped, so the checksum
 * is computed there, once per commit.  Meanwhile the buffer in memory
 * carries a stale checksum, which nothing reads: it stays verified
 * (BH_VexfsVerified) while cached, and it cannot leave the cache while
 * it is journaled.  Without a journal, buffers are written back directly,
 * so the checksum is still set at every change.
 */
static void vexfs_bitmap_frozen(struct jbd2_buffer_trigger_type *type,
				struct buffer_head *bh, void *data,
				size_t size)
{
	struct vexfs_sb_info *sbi = container_of(type, struct vexfs_sb_info,
						 bitmap_trigger);

	vexfs_block_csum_set_seed(sbi->csum_seed, data, size);
}

static const struct jbd2_buffer_trigger_type vexfs_bitmap_trigger_ops = {
	.t_frozen = vexfs_bitmap_frozen,
};

/**
 * vexfs_alloc_init() - set up the allocator of a filesystem being mounted
 * @sbi: the filesystem
 */
void vexfs_alloc_init(struct vexfs_sb_info *sbi)
{
	sbi->bitmap_trigger = vexfs_bitmap_trigger_ops;
}

/* Checksum a changed bitmap block now, unless the commit will. */
static void vexfs_bitmap_csum(struct super_block *sb, struct buffer_head *bh)
{
	if (!VEXFS_SB(sb)->journal || !vexfs_handle(sb))
		vexfs_block_csum_set(sb, bh->b_data);
}

/*
 * Read and verify bitmap block @index of @map.  Inside a handle the block
 * is also taken for writing: with @undo (bits will be cleared in the block
 * bitmap) jbd2 keeps the committed copy the allocator checks.
 */
static struct buffer_head *vexfs_read_bitmap(struct super_block *sb,
					     const struct vexfs_bitmap *map,
					     u64 index, bool undo)
{
	u64 blocknr = map->start + index;
	struct buffer_head *bh;
	int err;

	bh = vexfs_sb_bread(sb, blocknr);
	if (!bh) {
		vexfs_err(sb, "unable to read %s bitmap block %llu",
			  map->what, blocknr);
		return ERR_PTR(-EIO);
	}
	/* A bitmap has no structure beyond its header: any bits are valid. */
	err = vexfs_bh_verify(sb, bh, map->magic, 0);
	if (!err) {
		set_buffer_vexfs_verified(bh);
		err = undo ? vexfs_journal_get_undo(sb, bh) :
			     vexfs_journal_get_write(sb, bh);
		if (!err && vexfs_handle(sb))
			jbd2_journal_set_triggers(bh,
					&VEXFS_SB(sb)->bitmap_trigger);
	}
	if (err) {
		brelse(bh);
		return ERR_PTR(err);
	}
	return bh;
}

/*
 * The first bit at or after @off, below @limit, that is clear and (for
 * the block bitmap) not freed by an uncommitted transaction; @limit if
 * none.
 */
static u64 vexfs_next_free(const struct vexfs_bitmap *map,
			   struct buffer_head *bh, unsigned long *addr,
			   u64 limit, u64 off)
{
	for (;;) {
		off = find_next_zero_bit_le(addr, limit, off);
		if (off >= limit || map->magic != VEXFS_BBITMAP_MAGIC ||
		    vexfs_block_allocatable(bh, off))
			return off;
		off++;
	}
}

/* The end of the run of allocatable bits that starts at @off. */
static u64 vexfs_free_run_end(const struct vexfs_bitmap *map,
			      struct buffer_head *bh, unsigned long *addr,
			      u64 limit, u64 off)
{
	u64 end = find_next_bit_le(addr, limit, off);

	if (map->magic == VEXFS_BBITMAP_MAGIC)
		while (off < end && vexfs_block_allocatable(bh, off))
			off++;
	else
		off = end;
	return off;
}

static unsigned long *vexfs_bitmap_bits(struct buffer_head *bh)
{
	return (unsigned long *)(bh->b_data + sizeof(struct vexfs_block_header));
}

/*
 * Find a run of up to @want clear bits at or after @goal, wrapping around
 * once, among bits [@low, map->total).  The run stays inside one bitmap
 * block.  On success the bits are set, the block rewritten, and *@first and
 * *@got describe the run.
 *
 * Context: sbi->alloc_lock held.
 */
static int vexfs_bitmap_alloc(struct super_block *sb,
			      const struct vexfs_bitmap *map, u64 low,
			      u64 goal, unsigned int want, u64 *first,
			      unsigned int *got)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 bits = sbi->bitmap_bits;
	u64 nblocks = DIV_ROUND_UP(map->total, bits);
	u64 index, scanned;
	int err;

	if (goal < low || goal >= map->total)
		goal = low;
	index = goal / bits;

	for (scanned = 0; scanned <= nblocks; scanned++, index++) {
		u64 base, limit, off, end;
		struct buffer_head *bh;
		unsigned long *addr;

		if (index >= nblocks)
			index = 0;
		base = index * bits;
		limit = min_t(u64, bits, map->total - base);
		off = goal > base && goal < base + limit ? goal - base : 0;
		if (base + off < low)
			off = low - base;
		if (off >= limit)
			continue;

		bh = vexfs_read_bitmap(sb, map, index, false);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
		addr = vexfs_bitmap_bits(bh);
		off = vexfs_next_free(map, bh, addr, limit, off);
		if (off >= limit) {
			brelse(bh);
			goal = 0;	/* later blocks: search from the start */
			continue;
		}
		end = vexfs_free_run_end(map, bh, addr,
					 min_t(u64, limit, off + want), off);

		lock_buffer(bh);
		for (*got = 0; off + *got < end; (*got)++)
			__set_bit_le(off + *got, addr);
		vexfs_bitmap_csum(sb, bh);
		unlock_buffer(bh);
		err = vexfs_dirty_metadata(sb, NULL, bh);
		brelse(bh);
		if (err)
			return err;
		*first = base + off;
		return 0;
	}
	return -ENOSPC;
}

/*
 * Clear @count bits from @first on, all in use.  A bit that is already
 * clear means the filesystem is corrupt: report it and leave it.
 *
 * Context: sbi->alloc_lock held.
 */
static int vexfs_bitmap_free(struct super_block *sb,
			     const struct vexfs_bitmap *map, u64 first,
			     u64 count)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 bits = sbi->bitmap_bits;
	u64 freed = 0;

	while (count) {
		u64 index = first / bits, off = first % bits;
		u64 n = min_t(u64, count, bits - off);
		struct buffer_head *bh;
		unsigned long *addr;
		u64 i;

		bh = vexfs_read_bitmap(sb, map, index,
				       map->magic == VEXFS_BBITMAP_MAGIC);
		if (IS_ERR(bh))
			break;
		addr = vexfs_bitmap_bits(bh);
		lock_buffer(bh);
		for (i = 0; i < n; i++) {
			if (__test_and_clear_bit_le(off + i, addr))
				freed++;
			else
				vexfs_error(sb, "freeing free %s %llu",
					    map->what, first + i);
		}
		vexfs_bitmap_csum(sb, bh);
		unlock_buffer(bh);
		vexfs_dirty_metadata(sb, NULL, bh);
		brelse(bh);
		first += n;
		count -= n;
	}
	return freed;
}

/**
 * vexfs_read_block_bitmap() - read and verify one block bitmap block
 * @sb: the filesystem
 * @index: the bitmap block, counted from the first
 *
 * For readers outside the allocator (FITRIM, trim.c), which hold
 * sbi->alloc_lock while they look at the bits.  Bit n of block @index
 * is block @index * sbi->bitmap_bits + n, after the block header.
 *
 * Context: process context, no handle; may sleep for I/O.
 * Return: the buffer or an ERR_PTR.
 */
struct buffer_head *vexfs_read_block_bitmap(struct super_block *sb, u64 index)
{
	struct vexfs_bitmap map;

	vexfs_block_bitmap(VEXFS_SB(sb), &map);
	return vexfs_read_bitmap(sb, &map, index, false);
}

/**
 * vexfs_new_blocks() - allocate a run of contiguous blocks
 * @inode: the inode the blocks are for (for quota-like accounting later)
 * @goal: the block to start looking at, usually just after the previous
 *	  extent of the file, so that files stay contiguous
 * @first: set to the first block allocated
 * @count: in: the most blocks wanted; out: the number allocated (>= 1)
 *
 * Context: process context; takes sbi->alloc_lock; may sleep for I/O.
 * Return: 0, -ENOSPC when the filesystem is full, or -EIO/-EFSCORRUPTED.
 */
int vexfs_new_blocks(struct inode *inode, u64 goal, u64 *first,
		     unsigned int *count)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_bitmap map;
	unsigned int want;
	int err;

	vexfs_block_bitmap(sbi, &map);
	mutex_lock(&sbi->alloc_lock);
	spin_lock(&sbi->lock);
	want = min_t(u64, *count, sbi->free_blocks);
	spin_unlock(&sbi->lock);
	if (!want) {
		err = -ENOSPC;
		goto out;
	}
	if (!goal)
		goal = sbi->block_goal;
	err = vexfs_bitmap_alloc(sb, &map, sbi->data_start, goal, want,
				 first, count);
	if (err)
		goto out;
	sbi->block_goal = *first + *count;
	spin_lock(&sbi->lock);
	sbi->free_blocks -= *count;
	spin_unlock(&sbi->lock);
out:
	mutex_unlock(&sbi->alloc_lock);
	return err;
}

/**
 * vexfs_free_blocks() - return blocks to the free pool
 * @sb: the filesystem
 * @first: first block
 * @count: number of blocks
 *
 * Blocks outside the data area are never freed: that would hand metadata
 * to a file.  Such a request means corrupt metadata and is reported.
 *
 * Context: process context; takes sbi->alloc_lock; may sleep for I/O.
 */
void vexfs_free_blocks(struct super_block *sb, u64 first, u64 count)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_bitmap map;
	int freed;

	if (first < sbi->data_start || first >= sbi->blocks_count ||
	    count > sbi->blocks_count - first) {
		vexfs_error(sb, "freeing blocks %llu+%llu outside the data area",
			    first, count);
		return;
	}
	vexfs_block_bitmap(sbi, &map);
	mutex_lock(&sbi->alloc_lock);
	freed = vexfs_bitmap_free(sb, &map, first, count);
	spin_lock(&sbi->lock);
	sbi->free_blocks += freed;
	spin_unlock(&sbi->lock);
	mutex_unlock(&sbi->alloc_lock);
}

/* Count the clear bits of @map (bits past map->total are set on disk). */
static int vexfs_count_free(struct super_block *sb,
			    const struct vexfs_bitmap *map, u64 *free)
{
	u64 bits = VEXFS_SB(sb)->bitmap_bits;
	u64 nblocks = DIV_ROUND_UP(map->total, bits), index;

	*free = 0;
	for (index = 0; index < nblocks; index++) {
		u64 limit = min_t(u64, bits, map->total - index * bits);
		struct buffer_head *bh;

		bh = vexfs_read_bitmap(sb, map, index, false);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
		*free += limit - bitmap_weight((unsigned long *)
					       vexfs_bitmap_bits(bh), limit);
		brelse(bh);
		cond_resched();
	}
	return 0;
}

/**
 * vexfs_recount_free() - rebuild the free counters from the bitmaps
 * @sb: the filesystem, at mount, after journal replay
 *
 * The counters in the superblock are not journaled; after a crash the
 * (journaled) bitmaps are the truth.
 *
 * Context: mount; may sleep for I/O.
 * Return: 0 or a negative errno.
 */
int vexfs_recount_free(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_bitmap map;
	u64 blocks, inodes;
	int err;

	vexfs_block_bitmap(sbi, &map);
	err = vexfs_count_free(sb, &map, &blocks);
	if (err)
		return err;
	vexfs_inode_bitmap(sbi, &map);
	err = vexfs_count_free(sb, &map, &inodes);
	if (err)
		return err;
	spin_lock(&sbi->lock);
	sbi->free_blocks = blocks;
	sbi->free_inodes = inodes;
	spin_unlock(&sbi->lock);
	return 0;
}

/**
 * vexfs_new_ino() - allocate an inode number
 * @sb: the filesystem
 * @ino: out: the number
 *
 * The caller initializes the inode (ialloc.c).
 *
 * Context: process context; takes sbi->alloc_lock; may sleep for I/O.
 * Return: 0, -ENOSPC when no inode is free, or another negative errno.
 */
int vexfs_new_ino(struct super_block *sb, u64 *ino)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_bitmap map;
	unsigned int got;
	int err = -ENOSPC;

	vexfs_inode_bitmap(sbi, &map);
	mutex_lock(&sbi->alloc_lock);
	if (sbi->free_inodes)
		err = vexfs_bitmap_alloc(sb, &map, VEXFS_FIRST_INO,
					 sbi->inode_goal, 1, ino, &got);
	if (!err) {
		sbi->inode_goal = *ino + 1;
		spin_lock(&sbi->lock);
		sbi->free_inodes--;
		spin_unlock(&sbi->lock);
	}
	mutex_unlock(&sbi->alloc_lock);
	return err;
}

/**
 * vexfs_free_ino() - return an inode number to the free pool
 * @sb: the filesystem
 * @ino: the inode number
 *
 * Context: process context; takes sbi->alloc_lock; may sleep for I/O.
 */
void vexfs_free_ino(struct super_block *sb, u64 ino)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_bitmap map;
	int freed;

	if (ino < VEXFS_FIRST_INO || ino >= sbi->inodes_count) {
		vexfs_error(sb, "freeing reserved or invalid inode %llu", ino);
		return;
	}
	vexfs_inode_bitmap(sbi, &map);
	mutex_lock(&sbi->alloc_lock);
	freed = vexfs_bitmap_free(sb, &map, ino, 1);
	spin_lock(&sbi->lock);
	sbi->free_inodes += freed;
	spin_unlock(&sbi->lock);
	if (ino < sbi->inode_goal)
		sbi->inode_goal = ino;
	mutex_unlock(&sbi->alloc_lock);
}
