// SPDX-License-Identifier: GPL-2.0
/*
 * fiemap.c - what a regular file's extent tree tells user space: FIEMAP
 * (filefrag) and SEEK_DATA/SEEK_HOLE.
 *
 * Both walk the tree with vexfs_map_blocks(), which returns the mapped
 * run at a logical block or the length of the hole there (up to the next
 * extent), so a walk costs one lookup per extent and one per hole.
 *
 * The tree is authoritative for what holds data: VexFS has no delayed
 * allocation and no unwritten extents.  A buffered write maps its blocks
 * in ->write_begin (or, for a batched write, before it copies anything),
 * a shared mapping in ->page_mkwrite, and fallocate zeroes the blocks it
 * maps on disk; a dirty page therefore never covers a hole, and every
 * mapped block reads back as what was written or as zeros.  A batched
 * write maps blocks past i_size before it writes them, under i_rwsem,
 * and gives back those it did not reach before it drops it: both walks
 * hold i_rwsem shared, so they see the tree before or after such a
 * write, never in between.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fiemap.h>

#include "vexfs.h"

/**
 * struct vexfs_run - a run of logical blocks, mapped or a hole
 * @lblk: its first logical block
 * @len: its length in blocks
 * @pblk: its first physical block, or 0 for a hole
 */
struct vexfs_run {
	u64 lblk;
	u64 len;
	u64 pblk;
};

/*
 * The run at @lblk, at most up to @end (exclusive): one extent, or the
 * hole before the next one.  Runs past the largest file are holes.
 */
static int vexfs_run_at(struct inode *inode, u64 lblk, u64 end,
			struct vexfs_run *run)
{
	unsigned int len;
	bool is_new;
	int err;

	run->lblk = lblk;
	run->pblk = 0;
	if (lblk > VEXFS_MAX_LBLK) {
		run->len = end - lblk;
		return 0;
	}
	err = vexfs_map_blocks(inode, lblk, min_t(u64, end - lblk, UINT_MAX),
			       false, &run->pblk, &len, &is_new);
	run->len = len;
	if (!err && !len)
		err = -EFSCORRUPTED;	/* would never end */
	return err;
}

/* ------------------------------------------------------------------ */
/* FIEMAP                                                              */
/* ------------------------------------------------------------------ */

/*
 * Report one extent.  Returns 1 when the caller's array is full (stop),
 * 0 to go on, or a negative errno.
 */
static int vexfs_fiemap_emit(struct inode *inode,
			     struct fiemap_extent_info *fieinfo,
			     const struct vexfs_run *ext, bool last)
{
	unsigned int bits = inode->i_blkbits;

	return fiemap_fill_next_extent(fieinfo, ext->lblk << bits,
				       ext->pblk << bits, ext->len << bits,
				       last ? FIEMAP_EXTENT_LAST : 0);
}

/*
 * Walk [@first, @end) and report its extents, each run of extents that
 * are contiguous both logically and physically as one (the tree splits
 * them at VEXFS_EXT_MAX_LEN blocks and at node boundaries).  The last
 * one reported carries FIEMAP_EXTENT_LAST, as ext4's (iomap's) does:
 * the last extent of the range asked for.
 */
static int vexfs_fiemap_walk(struct inode *inode,
			     struct fiemap_extent_info *fieinfo,
			     u64 first, u64 end)
{
	struct vexfs_run cur = { .len = 0 }, run;
	u64 lblk = first;
	int err;

	while (lblk < end) {
		err = vexfs_run_at(inode, lblk, end, &run);
		if (err)
			return err;
		lblk += run.len;
		if (!run.pblk)
			continue;
		if (cur.len && cur.lblk + cur.len == run.lblk &&
		    cur.pblk + cur.len == run.pblk) {
			cur.len += run.len;
			continue;
		}
		if (cur.len) {
			err = vexfs_fiemap_emit(inode, fieinfo, &cur, false);
			if (err)
				return err < 0 ? err : 0;
		}
		cur = run;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	if (cur.len) {
		err = vexfs_fiemap_emit(inode, fieinfo, &cur, true);
		if (err < 0)
			return err;
	}
	return 0;
}

/**
 * vexfs_fiemap() - inode_operations.fiemap of regular files
 * @inode: the file
 * @fieinfo: the caller's request and extent array
 * @start: first byte asked for
 * @len: bytes asked for
 *
 * FIEMAP_FLAG_SYNC writes the file's dirty pages back first
 * (fiemap_prep() does); it changes nothing else, as every dirty page's
 * blocks are mapped already (see the top of this file).  No extent has
 * flags other than FIEMAP_EXTENT_LAST: no delayed allocation, no
 * unwritten extents, no inline data in regular files, no encryption.
 * Extents past i_size (fallocate with FALLOC_FL_KEEP_SIZE) are reported,
 * as ext4 does.  FIEMAP_FLAG_XATTR is refused (EBADR, as fiemap_prep()
 * does for every flag a filesystem does not support).
 *
 * Context: process context; takes i_rwsem shared and vi->i_map_lock.
 * Return: 0 or a negative errno.
 */
int vexfs_fiemap(struct inode *inode, struct fiemap_extent_info *fieinfo,
		 u64 start, u64 len)
{
	unsigned int bits = inode->i_blkbits;
	u64 first, end;
	int err;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	err = fiemap_prep(inode, fieinfo, start, &len, FIEMAP_FLAG_SYNC);
	if (err)
		return err;
	if (!len)
		return 0;
	first = start >> bits;
	end = min_t(u64, (start + len - 1) >> bits, VEXFS_MAX_LBLK) + 1;
	if (first >= end)
		return 0;

	inode_lock_shared(inode);
	err = vexfs_fiemap_walk(inode, fieinfo, first, end);
	inode_unlock_shared(inode);
	return err;
}

/* ------------------------------------------------------------------ */
/* SEEK_DATA / SEEK_HOLE                                               */
/* ------------------------------------------------------------------ */

/*
 * The first byte at or after @offset, below @size, that is data (@data)
 * or a hole (!@data); @size when there is none.  A block is data when it
 * is mapped; the bytes of a partial last block past i_size belong to the
 * implicit hole at the end of the file.
 */
static loff_t vexfs_seek_find(struct inode *inode, loff_t offset,
			      loff_t size, bool data, int *errp)
{
	unsigned int bits = inode->i_blkbits;
	u64 lblk = (u64)offset >> bits;
	u64 end = ((u64)size + (1ULL << bits) - 1) >> bits;
	struct vexfs_run run;
	int err;

	*errp = 0;
	while (lblk < end) {
		err = vexfs_run_at(inode, lblk, end, &run);
		if (err) {
			*errp = err;
			return size;
		}
		if (!!run.pblk == data)
			return max_t(loff_t, offset, (loff_t)(lblk << bits));
		lblk += run.len;
		if (fatal_signal_pending(current)) {
			*errp = -EINTR;
			return size;
		}
		cond_resched();
	}
	return size;
}

/**
 * vexfs_file_llseek() - file_operations.llseek of regular files
 * @file: the file
 * @offset: the offset asked for
 * @whence: SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA or SEEK_HOLE
 *
 * SEEK_DATA and SEEK_HOLE read the extent tree and answer as ext4 does:
 * ENXIO for an offset at or past the end of the file (and for SEEK_DATA
 * with no data after @offset); the end of the file is a hole.  The other
 * kinds are generic_file_llseek()'s.
 *
 * Context: process context; SEEK_DATA/SEEK_HOLE take i_rwsem shared.
 * Return: the new offset or a negative errno.
 */
loff_t vexfs_file_llseek(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file->f_mapping->host;
	loff_t size, pos;
	int err;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return generic_file_llseek(file, offset, whence);
	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;

	inode_lock_shared(inode);
	size = i_size_read(inode);
	if (offset < 0 || offset >= size) {
		inode_unlock_shared(inode);
		return -ENXIO;
	}
	pos = vexfs_seek_find(inode, offset, size, whence == SEEK_DATA, &err);
	inode_unlock_shared(inode);
	if (err)
		return err;
	if (whence == SEEK_DATA && pos >= size)
		return -ENXIO;
	return vfs_setpos(file, pos, inode->i_sb->s_maxbytes);
}
