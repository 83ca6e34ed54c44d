// SPDX-License-Identifier: GPL-2.0
/*
 * punch.c - fallocate's FALLOC_FL_PUNCH_HOLE and FALLOC_FL_ZERO_RANGE.
 *
 * Both run under i_rwsem, after waiting for direct I/O in flight, and
 * with the invalidate lock (see compat.h) held exclusive, so that no page
 * fault or readahead brings back a page of the range while its blocks
 * change.  The parts of blocks at the edges of the range are zeroed
 * through the page cache, as an ordinary overwrite of those bytes; whole
 * blocks are dropped from the page cache and then punched or zeroed.
 *
 * Punch: the whole blocks are unmapped and freed (vexfs_punch_blocks(),
 * one extent per handle step); a crash leaves the hole partly punched,
 * as in ext4.  Like XFS, a punch past i_size frees preallocated blocks
 * there too.  The size never changes (PUNCH_HOLE requires KEEP_SIZE, as
 * the VFS enforces).
 *
 * Zero range: the format has no unwritten extents, so the range cannot
 * be marked "reads as zeros".  Blocks already allocated are zeroed in
 * place on the disk (sb_issue_zeroout()) and holes are preallocated with
 * zeroed blocks (vexfs_prealloc()), so the range stays allocated, as
 * ZERO_RANGE promises, the file keeps its layout, and the blocks are
 * never freed and reallocated: unlike punch-then-preallocate, a full
 * filesystem cannot make a zero range fail after the old blocks are gone,
 * and a crash cannot leave a hole where the caller asked for allocated
 * space.  The in-place zeroing is a data write, like an overwrite: a
 * crash may leave the range partly zeroed, never touches data outside it.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/uio.h>
#include <linux/mm.h>

#include "vexfs.h"

/*
 * Zero [@pos, @pos + @len), which lies inside one block, through the page
 * cache: written zeros, which writeback takes to the disk.  Nothing to do
 * for a hole (it reads as zeros, and the page cache never holds dirty
 * data over one: blocks are allocated when a page is dirtied) or past
 * i_size (those bytes read as zeros and are zeroed on writeback).
 */
static int vexfs_zero_partial(struct file *file, loff_t pos, loff_t len)
{
	struct inode *inode = file_inode(file);
	loff_t size = i_size_read(inode);
	struct iov_iter iter;
	struct kiocb kiocb;
	unsigned int mlen;
	struct kvec kv;
	bool is_new;
	ssize_t n;
	u64 pblk;
	int err;

	if (len <= 0 || pos >= size)
		return 0;
	len = min(len, size - pos);
	err = vexfs_map_blocks(inode, pos >> inode->i_blkbits, 1, false,
			       &pblk, &mlen, &is_new);
	if (err || !pblk)
		return err;
	kv.iov_base = page_address(ZERO_PAGE(0));
	kv.iov_len = len;
	iov_iter_kvec(&iter, WRITE, &kv, 1, len);
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = pos;
	n = vexfs_perform_write(&kiocb, &iter);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

/* Zero the partial blocks at both edges of [@offset, @end). */
static int vexfs_zero_edges(struct file *file, loff_t offset, loff_t end)
{
	unsigned int bits = file_inode(file)->i_blkbits;
	loff_t head_end = round_up(offset, 1LL << bits);
	loff_t tail_start = round_down(end, 1LL << bits);
	int err;

	if (tail_start <= offset)
		/* The whole range is inside one block. */
		return vexfs_zero_partial(file, offset, end - offset);
	/* Here head_end <= tail_start; an aligned edge has length 0. */
	err = vexfs_zero_partial(file, offset, head_end - offset);
	if (!err)
		err = vexfs_zero_partial(file, tail_start, end - tail_start);
	return err;
}

/* Unmap and free the whole blocks [@first, @last) in journaled steps. */
static int vexfs_punch_whole(struct inode *inode, u64 first, u64 last)
{
	loff_t start = (loff_t)first << inode->i_blkbits;
	loff_t stop = ((loff_t)last << inode->i_blkbits) - 1;
	handle_t *handle;
	int err, err2;

	truncate_pagecache_range(inode, start, stop);
	handle = vexfs_journal_start(inode->i_sb, VEXFS_PUNCH_CREDITS,
				     VEXFS_PUNCH_REVOKES);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	/* Set first, so that every step logs them with the tree. */
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	err = vexfs_punch_blocks(inode, first, last);
	err2 = vexfs_journal_stop(handle);
	/*
	 * Before 5.15 readahead does not take the invalidate lock: a read
	 * may have cached the range's old data again before its blocks were
	 * unmapped.  Drop it (no writer can dirty it: i_rwsem and the
	 * fault lock are held).
	 */
	truncate_pagecache_range(inode, start, stop);
	return err ? err : err2;
}

/* Zero on the disk every allocated block of [@lblk, @end). */
static int vexfs_zeroout_mapped(struct inode *inode, u64 lblk, u64 end)
{
	struct super_block *sb = inode->i_sb;

	while (lblk < end) {
		unsigned int len;
		bool is_new;
		u64 pblk;
		int err;

		err = vexfs_map_blocks(inode, lblk,
				       min_t(u64, end - lblk, UINT_MAX), false,
				       &pblk, &len, &is_new);
		if (err)
			return err;
		if (pblk) {
			err = sb_issue_zeroout(sb, pblk, len, GFP_NOFS);
			if (err)
				return err;
		}
		lblk += len;
		cond_resched();
	}
	return 0;
}

static int vexfs_zero_whole(struct inode *inode, u64 first, u64 last)
{
	loff_t start = (loff_t)first << inode->i_blkbits;
	loff_t stop = ((loff_t)last << inode->i_blkbits) - 1;
	int err;

	/* Dirty pages of the range would overwrite the zeros: drop them. */
	truncate_pagecache_range(inode, start, stop);
	err = vexfs_zeroout_mapped(inode, first, last);
	/*
	 * Before 5.15 readahead does not take the invalidate lock, so a read
	 * may have cached the old data meanwhile: drop the range again.
	 */
	truncate_pagecache_range(inode, start, stop);
	return err;
}

static int vexfs_zero_range(struct file *file, int mode, loff_t offset,
			    loff_t end)
{
	struct inode *inode = file_inode(file);
	unsigned int bits = inode->i_blkbits;
	u64 first = DIV_ROUND_UP_ULL(offset, 1ULL << bits);
	u64 last = end >> bits;
	int err;

	if (!(mode & FALLOC_FL_KEEP_SIZE)) {
		err = inode_newsize_ok(inode, end);
		if (err)
			return err;
	}
	if (first < last) {
		err = vexfs_zero_whole(inode, first, last);
		if (err)
			return err;
	}
	/* Holes, the edge blocks' too, get zeroed blocks. */
	err = vexfs_prealloc(inode, offset >> bits,
			     DIV_ROUND_UP_ULL(end, 1ULL << bits) - (offset >> bits));
	if (!err)
		err = vexfs_zero_edges(file, offset, end);
	if (err)
		return err;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > inode->i_size)
		i_size_write(inode, end);
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	mark_inode_dirty(inode);
	return 0;
}

static int vexfs_punch_hole(struct file *file, loff_t offset, loff_t end)
{
	struct inode *inode = file_inode(file);
	unsigned int bits = inode->i_blkbits;
	u64 first = DIV_ROUND_UP_ULL(offset, 1ULL << bits);
	u64 last = end >> bits;
	int err;

	err = vexfs_zero_edges(file, offset, end);
	if (err)
		return err;
	if (first < last)
		return vexfs_punch_whole(inode, first, last);
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	mark_inode_dirty(inode);
	return 0;
}

/**
 * vexfs_fallocate_range() - fallocate's PUNCH_HOLE and ZERO_RANGE
 * @file: the regular file
 * @mode: FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, or
 *	  FALLOC_FL_ZERO_RANGE, maybe with FALLOC_FL_KEEP_SIZE
 * @offset: the start of the range
 * @end: the end of the range (checked against s_maxbytes)
 *
 * Context: process context; the caller holds i_rwsem and no handle.
 * Return: 0 or a negative errno.
 */
int vexfs_fallocate_range(struct file *file, int mode, loff_t offset,
			  loff_t end)
{
	struct inode *inode = file_inode(file);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err;

	inode_dio_wait(inode);
	vexfs_invalidate_lock(inode->i_mapping, &vi->i_mmap_sem);
	if (mode & FALLOC_FL_PUNCH_HOLE)
		err = vexfs_punch_hole(file, offset, end);
	else
		err = vexfs_zero_range(file, mode, offset, end);
	vexfs_invalidate_unlock(inode->i_mapping, &vi->i_mmap_sem);
	return err;
}
