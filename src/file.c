// SPDX-License-Identifier: GPL-2.0
/*
 * file.c - regular files: the page cache path, mmap, fallocate, truncate.
 * fallocate's PUNCH_HOLE and ZERO_RANGE live in punch.c.
 *
 * Data goes through the page cache with buffer heads mapped by
 * vexfs_get_block(); reads and writeback use the mpage helpers, which
 * build large bios from contiguous extents.
 *
 * With a journal (data=ordered): every written range that new blocks or
 * a larger size make reachable is handed to jbd2 with
 * vexfs_journal_inode_data(), so the transaction that logs them commits
 * only after the data is on disk.  Large extending writes allocate their
 * blocks in batches, and overwrites inside i_size need no handle at all
 * (see "Buffered writes" below).  Direct reads use iomap.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/buffer_head.h>
#include <linux/mpage.h>
#include <linux/pagemap.h>
#include <linux/falloc.h>
#include <linux/blkdev.h>
#include <linux/uio.h>
#include <linux/iomap.h>

#include "vexfs.h"

static int vexfs_read_folio(struct file *file, vexfs_read_page_t *folio)
{
	return vexfs_mpage_read(folio, vexfs_get_block);
}

static void vexfs_readahead(struct readahead_control *rac)
{
	mpage_readahead(rac, vexfs_get_block);
}

static int vexfs_writepages(struct address_space *mapping,
			    struct writeback_control *wbc)
{
	/*
	 * After a shutdown nothing reaches the disk (the pages stay dirty
	 * until eviction drops them, as in ext4).
	 */
	if (vexfs_forced_shutdown(mapping->host->i_sb))
		return -EIO;
	return mpage_writepages(mapping, wbc, vexfs_get_block);
}

/* ------------------------------------------------------------------ */
/* Buffered writes                                                     */
/* ------------------------------------------------------------------ */

/*
 * A buffered write takes one of three paths for each page.
 *
 * Allocating (the general case): a handle from ->write_begin to
 * ->write_end, blocks allocated one page at a time by vexfs_get_block(),
 * the written range ordered before the commit, and the new size logged.
 *
 * Overwrite: a page whose blocks are all allocated, inside i_size, needs
 * no metadata change, so it runs without a handle and is not ordered:
 * after a crash the block holds the old or the new data of this file,
 * never another file's (this is what ext4 does too).
 *
 * Batched: a write that extends the file by at least VEXFS_BATCH_MIN
 * blocks allocates them all first (vexfs_batch_begin()): a few large
 * extents in one handle, with the inode on the orphan list.  Its pages
 * then go through ->write_begin and ->write_end with no handle and no
 * metadata work, as the "window" of blocks just allocated
 * (vi->i_win_start, i_win_end) says they are new.  The size that is
 * logged meanwhile is capped at the old size (vi->i_size_cap), so no
 * commit can make a block reachable whose data is still only in memory.
 * vexfs_batch_end() then orders the written range, logs the new size,
 * frees blocks the write did not reach, and takes the inode off the
 * orphan list, in one handle.  A crash in between leaves the file at
 * its old size on the orphan list: the next mount (or fsck) frees the
 * blocks past the size, so no stale block is ever exposed.
 */
#define VEXFS_BATCH_CHUNK	(4 << 20)	/* bytes per batch */
#define VEXFS_BATCH_MIN		16	/* blocks worth a batch */
#define VEXFS_BATCH_RUNS	16	/* allocator calls per batch */

/* ->write_begin tells ->write_end which path a page took (fsdata). */
#define VEXFS_WRITE_WINDOW	((void *)1)
#define VEXFS_WRITE_OVERWRITE	((void *)2)

/**
 * struct vexfs_batch - a batched write in progress (see above)
 * @on: blocks were allocated for the batch, the size is capped
 * @orphaned: the batch put the inode on the orphan list
 * @old_size: i_size when the batch began
 */
struct vexfs_batch {
	bool on;
	bool orphaned;
	loff_t old_size;
};

/* Are all the blocks of the page at @pos in the batch's window? */
static bool vexfs_in_window(struct inode *inode, loff_t pos)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 first = (u64)(pos & PAGE_MASK) >> inode->i_blkbits;

	return first >= vi->i_win_start &&
	       first + (PAGE_SIZE >> inode->i_blkbits) <= vi->i_win_end;
}

/* The window's blocks are allocated and new: map them as such. */
static int vexfs_get_block_window(struct inode *inode, sector_t iblock,
				  struct buffer_head *bh, int create)
{
	int err = vexfs_get_block(inode, iblock, bh, 0);

	if (err)
		return err;
	/* The window only holds allocated blocks (vexfs_write_failed()). */
	if (!buffer_mapped(bh))
		return -EIO;
	set_buffer_new(bh);
	return 0;
}

/*
 * Is @iblock a block of the batch's window that no write has reached
 * yet?  It is allocated, but holds whatever its last owner (a file
 * truncated, unlinked or punched) left on the disk.  The window's
 * blocks all lie at or past the size the batch began with, and the
 * batch writes them in order, raising the size as it goes: those still
 * past the size have never been written.
 */
static bool vexfs_window_unwritten(struct inode *inode, sector_t iblock)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);

	return iblock >= vi->i_win_start && iblock < vi->i_win_end &&
	       iblock >= DIV_ROUND_UP_ULL(i_size_read(inode),
					  i_blocksize(inode));
}

/*
 * Map a block for the allocating path.  With blocks smaller than a page
 * a batch's window need not start or end on a page boundary (it starts
 * at the block of the write's first byte), so the page at either end
 * comes here, not to vexfs_get_block_window(), and finds window blocks
 * already mapped.  A mapped block that is not new would be read from
 * the disk for the part the write does not cover, exposing the stale
 * data in the file: mark unwritten window blocks new, so that
 * __block_write_begin() zeroes that part instead.
 */
static int vexfs_get_block_write(struct inode *inode, sector_t iblock,
				 struct buffer_head *bh, int create)
{
	int err = vexfs_get_block(inode, iblock, bh, create);

	if (!err && buffer_mapped(bh) && vexfs_window_unwritten(inode, iblock))
		set_buffer_new(bh);
	return err;
}

/* Map an overwrite; a hole must be allocated with a handle instead. */
static int vexfs_get_block_overwrite(struct inode *inode, sector_t iblock,
				     struct buffer_head *bh, int create)
{
	int err = vexfs_get_block(inode, iblock, bh, 0);

	if (!err && !buffer_mapped(bh))
		err = -EAGAIN;
	return err;
}

/*
 * A failed write may have allocated blocks past the end of the file;
 * give them back so that nothing is left beyond i_size.  Blocks of a
 * batch's window past the size go too, and leave the window.
 */
static void vexfs_write_failed(struct address_space *mapping, loff_t to)
{
	struct inode *inode = mapping->host;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 keep;

	if (to > inode->i_size) {
		keep = DIV_ROUND_UP_ULL(inode->i_size, i_blocksize(inode));
		truncate_pagecache(inode, inode->i_size);
		vexfs_truncate_blocks(inode, keep);
		if (vi->i_win_end > keep)
			vi->i_win_end = max(keep, vi->i_win_start);
	}
}

static int vexfs_write_begin(vexfs_write_file_t *file,
			     struct address_space *mapping,
			     loff_t pos, unsigned int len,
			     VEXFS_WRITE_BEGIN_FLAGS(flags)
			     vexfs_write_page_t **pagep, void **fsdata)
{
	struct inode *inode = mapping->host;
	handle_t *handle;
	int retries = 0, err;

	if (vexfs_in_window(inode, pos)) {
		*fsdata = VEXFS_WRITE_WINDOW;
		return vexfs_block_write_begin(mapping, pos, len, pagep,
					       vexfs_get_block_window);
	}
	if (VEXFS_SB(inode->i_sb)->journal &&
	    pos + len <= i_size_read(inode)) {
		*fsdata = VEXFS_WRITE_OVERWRITE;
		err = vexfs_block_write_begin(mapping, pos, len, pagep,
					      vexfs_get_block_overwrite);
		if (err != -EAGAIN)
			return err;
	}
	*fsdata = NULL;
retry:
	/* The handle before the page lock: see journal.c. */
	handle = vexfs_journal_start(inode->i_sb,
				     VEXFS_DATA_CREDITS(inode->i_sb), 0);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	err = vexfs_block_write_begin(mapping, pos, len, pagep,
				      vexfs_get_block_write);
	if (err) {
		vexfs_write_failed(mapping, pos + len);
		vexfs_journal_stop(handle);
		if (err == -ENOSPC &&
		    vexfs_should_retry_alloc(inode->i_sb, &retries))
			goto retry;
	}
	return err;
}

/*
 * ->write_end of a page in a batch's window: the new size is set in
 * memory only; vexfs_batch_end() logs it once the data is ordered.  A
 * short copy leaves the blocks allocated for the retry, and the batch
 * frees what is still past the size at its end.
 */
static int vexfs_write_end_window(vexfs_write_file_t *file,
				  struct address_space *mapping, loff_t pos,
				  unsigned int len, unsigned int copied,
				  vexfs_write_page_t *page, void *fsdata)
{
	struct inode *inode = mapping->host;
	loff_t old_size = inode->i_size;
	int ret;

	ret = vexfs_block_write_end(file, mapping, pos, len, copied, page,
				    fsdata);
	if (ret > 0 && pos + ret > old_size)
		i_size_write(inode, pos + ret);
	vexfs_write_page_release(page);
	if (old_size < pos)
		pagecache_isize_extended(inode, old_size, pos);
	return ret;
}

static int vexfs_write_end(vexfs_write_file_t *file,
			   struct address_space *mapping,
			   loff_t pos, unsigned int len, unsigned int copied,
			   vexfs_write_page_t *page, void *fsdata)
{
	struct inode *inode = mapping->host;
	handle_t *handle;
	int ret, err;

	if (fsdata == VEXFS_WRITE_WINDOW)
		return vexfs_write_end_window(file, mapping, pos, len, copied,
					      page, fsdata);
	if (fsdata == VEXFS_WRITE_OVERWRITE)
		/* Inside i_size: no size change, nothing to free. */
		return generic_write_end(file, mapping, pos, len, copied,
					 page, fsdata);

	handle = vexfs_handle(inode->i_sb);
	ret = generic_write_end(file, mapping, pos, len, copied, page, fsdata);
	if (ret > 0) {
		err = vexfs_journal_inode_data(inode, pos, ret);
		if (err)
			ret = err;
	}
	if (ret < (int)len)
		vexfs_write_failed(mapping, pos + len);
	if (handle) {
		err = vexfs_journal_stop(handle);
		if (err && ret >= 0)
			ret = err;
	}
	return ret;
}

/*
 * Allocate the blocks of [@pos, @pos + @count) from the end of the file
 * on, if there are enough of them to be worth a batch, and open the
 * window over those that are new.  Failing here only means no batch: the
 * pages are then written the usual way, which reports ENOSPC and errors.
 *
 * Context: i_rwsem held; no handle, no page lock.
 */
static void vexfs_batch_begin(struct inode *inode, loff_t pos, size_t count,
			      struct vexfs_batch *b)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	unsigned int bits = inode->i_blkbits;
	u64 start, lblk, end;
	handle_t *handle;
	int n;

	b->on = false;
	start = max_t(u64, pos >> bits,
		      DIV_ROUND_UP_ULL(inode->i_size, 1ULL << bits));
	end = min_t(u64, DIV_ROUND_UP_ULL(pos + count, 1ULL << bits),
		    VEXFS_MAX_LBLK + 1);
	if (end < start + VEXFS_BATCH_MIN)
		return;

	handle = vexfs_journal_start(sb, VEXFS_ORPHAN_CREDITS +
				     VEXFS_EXT_INSERT_CREDITS + 4 +
				     2 * VEXFS_INODE_CREDITS, 0);
	if (IS_ERR_OR_NULL(handle))
		return;
	/* An unlinked file is on the list already, and stays there. */
	b->orphaned = !(vi->i_flags & VEXFS_INODE_ORPHAN);
	if (b->orphaned && vexfs_orphan_add(inode))
		goto out_stop;

	for (lblk = start, n = 0; lblk < end && n < VEXFS_BATCH_RUNS; n++) {
		unsigned int len;
		bool is_new;
		u64 pblk;

		/* The extent, its bitmap block and the inode. */
		if (vexfs_journal_ensure(sb, VEXFS_EXT_INSERT_CREDITS + 4 +
					 VEXFS_INODE_CREDITS, 0))
			break;
		if (vexfs_map_blocks(inode, lblk,
				     min_t(u64, end - lblk, VEXFS_EXT_MAX_LEN),
				     true, &pblk, &len, &is_new) || !is_new)
			break;
		lblk += len;
	}
	if (lblk == start) {
		/* Nothing new (ENOSPC, or preallocated blocks): no batch. */
		if (b->orphaned)
			vexfs_orphan_del(inode);
		goto out_stop;
	}
	b->old_size = inode->i_size;
	WRITE_ONCE(vi->i_size_cap, b->old_size);
	vi->i_win_start = start;
	vi->i_win_end = lblk;
	b->on = true;
out_stop:
	vexfs_journal_stop(handle);
}

/*
 * Close a batch: free what it allocated past the size, order the data it
 * wrote before the commit that logs the new size, and leave the orphan
 * list.  If no handle can be had, the data is written and waited for
 * instead, so that the size may be logged later.
 *
 * Context: i_rwsem held; no handle, no page lock.
 * Return: 0 or a negative errno.
 */
static int vexfs_batch_end(struct inode *inode, struct vexfs_batch *b)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 keep = DIV_ROUND_UP_ULL(inode->i_size, i_blocksize(inode));
	bool trim = keep < vi->i_win_end;
	handle_t *handle;
	int err = 0, err2;

	if (!b->on)
		return 0;
	vi->i_win_start = 0;
	vi->i_win_end = 0;
	handle = vexfs_journal_start(inode->i_sb, VEXFS_ORPHAN_CREDITS +
				     2 * VEXFS_INODE_CREDITS +
				     (trim ? VEXFS_TRUNC_CREDITS : 0),
				     trim ? VEXFS_TRUNC_REVOKES : 0);
	if (IS_ERR(handle)) {
		filemap_write_and_wait_range(inode->i_mapping, b->old_size,
					     LLONG_MAX);
		WRITE_ONCE(vi->i_size_cap, LLONG_MAX);
		return PTR_ERR(handle);
	}
	if (trim) {
		truncate_pagecache(inode, inode->i_size);
		err = vexfs_truncate_blocks(inode, keep);
	}
	if (inode->i_size > b->old_size &&
	    vexfs_journal_inode_data(inode, b->old_size,
				     inode->i_size - b->old_size))
		filemap_write_and_wait_range(inode->i_mapping, b->old_size,
					     LLONG_MAX);
	WRITE_ONCE(vi->i_size_cap, LLONG_MAX);
	err2 = vexfs_journal_write_inode(inode);
	if (!err)
		err = err2;
	if (b->orphaned) {
		err2 = vexfs_orphan_del(inode);
		if (!err)
			err = err2;
	}
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

/* Buffered writes, in batches of at most VEXFS_BATCH_CHUNK bytes. */
static ssize_t vexfs_buffered_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t written = 0, n;

	while (iov_iter_count(from)) {
		size_t left = iov_iter_count(from), chunk;
		loff_t pos = iocb->ki_pos;
		struct vexfs_batch b;
		int err;

		/* End chunks on a boundary, so pages never straddle two. */
		chunk = min_t(u64, left, VEXFS_BATCH_CHUNK -
			      (pos & (VEXFS_BATCH_CHUNK - 1)));
		vexfs_batch_begin(inode, pos, chunk, &b);
		iov_iter_truncate(from, chunk);
		n = vexfs_perform_write(iocb, from);
		iov_iter_reexpand(from, iov_iter_count(from) + left - chunk);
		/* Since 6.4 generic_perform_write() moves ki_pos itself. */
		if (n > 0 && iocb->ki_pos == pos)
			iocb->ki_pos += n;
		err = vexfs_batch_end(inode, &b);
		if (n < 0)
			return written ? written : n;
		written += n;
		if (err)
			return written ? written : err;
		if ((size_t)n < chunk)
			break;
	}
	return written;
}

/*
 * ->write_iter: generic_file_write_iter() for direct I/O and without a
 * journal; buffered writes with a journal go in batches (see above).
 */
static ssize_t vexfs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	ssize_t ret;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	/* Through a file opened before chattr +i (fileattr.c). */
	ret = vexfs_may_modify(inode);
	if (ret)
		return ret;
	if ((iocb->ki_flags & (IOCB_DIRECT | IOCB_NOWAIT)) ||
	    !VEXFS_SB(inode->i_sb)->journal)
		return generic_file_write_iter(iocb, from);

	inode_lock(inode);
	ret = generic_write_checks(iocb, from);
	if (ret > 0) {
		int err = file_modified(file);

		ret = err ? err : vexfs_buffered_write(iocb, from);
	}
	inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Direct I/O                                                          */
/* ------------------------------------------------------------------ */

/*
 * Direct writes go through the kernel's generic block-device helper
 * (blockdev_direct_IO(), with its DIO_LOCKING | DIO_SKIP_HOLES flags),
 * mapping blocks with vexfs_get_block() but never allocating; direct
 * reads go through iomap (below).
 *
 * Writes go direct only when they overwrite blocks that are already
 * allocated, inside i_size.  Anything else - a write that reaches past
 * i_size, or that meets a hole - is done through the page cache: the
 * write that extends the file is refused here (we return 0), and a hole
 * makes the helper stop with -ENOTBLK, which it turns into a short count.
 * The VFS (generic_file_write_iter()) then writes the rest buffered and
 * writes back and invalidates that range before returning, so the caller
 * still gets O_DIRECT's "on its way to the disk" semantics.  Buffered
 * writes allocate in a handle and order their data before the commit
 * (data=ordered), so a crash can never expose a block allocated for a
 * direct write whose data did not reach the disk: a direct write never
 * allocates, and never changes i_size.  This is what fat and the old
 * ext2/ext3 did for the same reason; unwritten extents would let
 * allocating writes go direct too, but the format has none (fallocate
 * zeroes blocks on disk instead, so a preallocated file is written
 * direct).  The VFS writes back and invalidates cached pages over the
 * range of a direct write before and after it.
 */
static int vexfs_get_block_dio(struct inode *inode, sector_t iblock,
			       struct buffer_head *bh, int create)
{
	return vexfs_get_block(inode, iblock, bh, 0);
}

static ssize_t vexfs_direct_IO(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	if (iov_iter_rw(iter) == WRITE &&
	    iocb->ki_pos + iov_iter_count(iter) > i_size_read(inode))
		return 0;	/* extends the file: buffered */
	return blockdev_direct_IO(iocb, inode, iter, vexfs_get_block_dio);
}

/*
 * Direct reads go through iomap (vexfs_file_read_iter()): it maps
 * a whole extent per call and builds bios straight from the caller's
 * pages, where the helper above works a page at a time.  The reader holds
 * i_rwsem shared, so no truncation or extending write runs meanwhile;
 * iomap writes back cached pages of the range first and counts the I/O
 * for inode_dio_wait() as the helper does.
 */
static int vexfs_iomap_begin(struct inode *inode, loff_t offset, loff_t length,
			     unsigned int flags, struct iomap *iomap,
			     struct iomap *srcmap)
{
	unsigned int bits = inode->i_blkbits, len;
	u64 lblk = offset >> bits;
	u64 last = (offset + length - 1) >> bits;
	bool is_new;
	u64 pblk;
	int err;

	/* Only reads come here: writes use vexfs_direct_IO(). */
	if (flags & (IOMAP_WRITE | IOMAP_ZERO))
		return -EIO;
	err = vexfs_map_blocks(inode, lblk,
			       min_t(u64, last - lblk + 1, UINT_MAX), false,
			       &pblk, &len, &is_new);
	if (err)
		return err;
	iomap->bdev = inode->i_sb->s_bdev;
	iomap->offset = (loff_t)lblk << bits;
	iomap->length = (u64)len << bits;
	iomap->flags = 0;
	if (pblk) {
		iomap->type = IOMAP_MAPPED;
		iomap->addr = pblk << bits;
	} else {
		iomap->type = IOMAP_HOLE;
		iomap->addr = IOMAP_NULL_ADDR;
	}
	return 0;
}

static const struct iomap_ops vexfs_iomap_ops = {
	.iomap_begin	= vexfs_iomap_begin,
};

static ssize_t vexfs_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	if (!(iocb->ki_flags & IOCB_DIRECT))
		return generic_file_read_iter(iocb, to);
	if (!iov_iter_count(to))
		return 0;
	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!inode_trylock_shared(inode))
			return -EAGAIN;
	} else {
		inode_lock_shared(inode);
	}
	ret = vexfs_iomap_dio_read(iocb, to, &vexfs_iomap_ops);
	inode_unlock_shared(inode);
	file_accessed(iocb->ki_filp);
	return ret;
}

static sector_t vexfs_bmap(struct address_space *mapping, sector_t block)
{
	return generic_block_bmap(mapping, block, vexfs_get_block);
}

const struct address_space_operations vexfs_file_aops = {
	VEXFS_AOPS_READ(vexfs_read_folio),
	.readahead		= vexfs_readahead,
	.writepages		= vexfs_writepages,
	.write_begin		= vexfs_write_begin,
	.write_end		= vexfs_write_end,
	.bmap			= vexfs_bmap,
	.direct_IO		= vexfs_direct_IO,
	VEXFS_AOPS_BUFFERS,
	.is_partially_uptodate	= block_is_partially_uptodate,
};

/* ------------------------------------------------------------------ */
/* mmap                                                                */
/* ------------------------------------------------------------------ */

/*
 * Allocate the blocks behind a page when it is first written through a
 * shared mapping, so that a full filesystem is reported to the writer
 * (SIGBUS) instead of losing the data at writeback.
 */
static vm_fault_t vexfs_page_mkwrite(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	handle_t *handle;
	int err;

	/* A mapping made before chattr +i may not write any more. */
	if (vexfs_may_modify(inode))
		return VM_FAULT_SIGBUS;
	sb_start_pagefault(inode->i_sb);
	file_update_time(vmf->vma->vm_file);
	/* No block mapped for the page while a punch frees blocks. */
	vexfs_invalidate_lock_shared(inode->i_mapping, &VEXFS_I(inode)->i_mmap_sem);
	handle = vexfs_journal_start(inode->i_sb,
				     VEXFS_DATA_CREDITS(inode->i_sb), 0);
	if (IS_ERR(handle)) {
		err = PTR_ERR(handle);
	} else {
		err = block_page_mkwrite(vmf->vma, vmf, vexfs_get_block);
		if (!err) {
			/* Ordered: the page is written before the commit. */
			err = vexfs_journal_inode_data(inode,
					page_offset(vmf->page), PAGE_SIZE);
			if (err)
				unlock_page(vmf->page);
		}
		vexfs_journal_stop(handle);
	}
	vexfs_invalidate_unlock_shared(inode->i_mapping,
				       &VEXFS_I(inode)->i_mmap_sem);
	sb_end_pagefault(inode->i_sb);

	if (!err)
		return VM_FAULT_LOCKED;
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	if (err == -EAGAIN || err == -EFAULT)
		return VM_FAULT_NOPAGE;	/* truncated under us: retry */
	return VM_FAULT_SIGBUS;
}

/* Faults wait for a punch in progress (see compat.h). */
static vm_fault_t vexfs_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);

	return vexfs_filemap_fault(vmf, &VEXFS_I(inode)->i_mmap_sem);
}

static const struct vm_operations_struct vexfs_file_vm_ops = {
	.fault		= vexfs_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= vexfs_page_mkwrite,
};

static int vexfs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vexfs_forced_shutdown(file_inode(file)->i_sb))
		return -EIO;
	file_accessed(file);
	vma->vm_ops = &vexfs_file_vm_ops;
	return 0;
}

/* ------------------------------------------------------------------ */
/* fallocate                                                           */
/* ------------------------------------------------------------------ */

/*
 * The blocks just mapped could not be zeroed: an I/O error on the device.
 * The mapping is in the running transaction and there is no way to take
 * a range out of the middle of a file's tree, so abort the journal: the
 * transaction then never commits, and the file never reaches the disk
 * pointing at blocks that hold another file's old data.  Without a
 * journal there is nothing to abort, and no ordering of metadata to
 * begin with.
 */
static void vexfs_prealloc_failed(struct inode *inode, u64 pblk,
				  unsigned int len, int err)
{
	struct super_block *sb = inode->i_sb;

	vexfs_error(sb, "inode %llu: cannot zero blocks %llu-%llu (error %d)",
		    (unsigned long long)inode->i_ino, pblk, pblk + len - 1, err);
	if (VEXFS_SB(sb)->journal)
		jbd2_journal_abort(VEXFS_SB(sb)->journal, err);
}

/*
 * Allocate and zero the blocks of [lblk, lblk + count).  Blocks are zeroed
 * on disk rather than marked unwritten, so preallocated space always reads
 * back as zeros, whatever crashes in between.  The zeroing is done before
 * the handle that maps the blocks is stopped: the transaction cannot
 * commit while a handle is open, so no crash can leave a committed extent
 * over blocks that still hold another file's old data (a hole inside
 * i_size that fallocate fills would otherwise expose them).
 */
int vexfs_prealloc(struct inode *inode, u64 lblk, u64 count)
{
	struct super_block *sb = inode->i_sb;

	while (count) {
		unsigned int max = min_t(u64, count, VEXFS_EXT_MAX_LEN), len;
		handle_t *handle;
		bool is_new;
		u64 pblk;
		int err;

		/* One extent per handle: its bitmap blocks and the tree. */
		handle = vexfs_journal_start(sb, VEXFS_EXT_INSERT_CREDITS + 4 +
					     VEXFS_INODE_CREDITS, 0);
		if (IS_ERR(handle))
			return PTR_ERR(handle);
		err = vexfs_map_blocks(inode, lblk, max, true, &pblk, &len,
				       &is_new);
		if (!err && is_new) {
			clean_bdev_aliases(sb->s_bdev, pblk, len);
			err = sb_issue_zeroout(sb, pblk, len, GFP_NOFS);
			if (err)
				vexfs_prealloc_failed(inode, pblk, len, err);
		}
		vexfs_journal_stop(handle);
		if (err)
			return err;
		lblk += len;
		count -= len;
	}
	return 0;
}

static long vexfs_fallocate(struct file *file, int mode, loff_t offset,
			    loff_t len)
{
	struct inode *inode = file_inode(file);
	unsigned int bits = inode->i_blkbits;
	loff_t end;
	int err;

	/*
	 * PUNCH_HOLE and ZERO_RANGE (punch.c); a punch must keep the size,
	 * as the VFS also checks.  No COLLAPSE_RANGE or INSERT_RANGE.
	 */
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |
		     FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) &&
	    (!(mode & FALLOC_FL_KEEP_SIZE) || (mode & FALLOC_FL_ZERO_RANGE)))
		return -EOPNOTSUPP;
	if (!S_ISREG(inode->i_mode))
		return -ENODEV;
	if (check_add_overflow(offset, len, &end) ||
	    end > inode->i_sb->s_maxbytes)
		return -EFBIG;

	inode_lock(inode);
	err = file_modified(file);
	if (err)
		goto out;
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		err = vexfs_fallocate_range(file, mode, offset, end);
		goto out;
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE)) {
		err = inode_newsize_ok(inode, end);
		if (err)
			goto out;
	}
	err = vexfs_prealloc(inode, offset >> bits,
			     ((end + (1 << bits) - 1) >> bits) - (offset >> bits));
	/* Keep what was allocated, even on ENOSPC, as ext4 does. */
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > inode->i_size && !err)
		i_size_write(inode, end);
	inode_set_ctime_current(inode);
	mark_inode_dirty(inode);
	/* The extents went to disk zeroed: no data to order. */
out:
	inode_unlock(inode);
	return err;
}

/* ------------------------------------------------------------------ */
/* Size changes                                                        */
/* ------------------------------------------------------------------ */

/**
 * vexfs_setsize() - change the size of a regular file
 * @inode: the file; the caller holds i_rwsem
 * @size: the new size
 * @force: free every block past @size even if the size does not change
 *	(finishing a truncation the orphan list says was interrupted)
 *
 * Shrinking zeroes the tail of the last block and frees every block past
 * it; growing leaves a hole.  With a journal the file is on the orphan
 * list while its blocks are freed, which may take several transactions.
 *
 * Context: process context, i_rwsem held; may sleep.
 * Return: 0 or a negative errno.
 */
int vexfs_setsize(struct inode *inode, loff_t size, bool force)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(inode->i_sb);
	unsigned int bits = inode->i_blkbits;
	bool shrink = size < inode->i_size || force;
	handle_t *handle;
	int err, err2;

	inode_dio_wait(inode);
	if (shrink && sbi->journal)
		jbd2_journal_begin_ordered_truncate(sbi->journal,
						    &VEXFS_I(inode)->jinode,
						    size);
	handle = vexfs_journal_start(inode->i_sb, VEXFS_TRUNC_CREDITS +
				     VEXFS_DATA_CREDITS(inode->i_sb),
				     VEXFS_TRUNC_REVOKES);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	if (shrink) {
		err = block_truncate_page(inode->i_mapping, size,
					  vexfs_get_block);
		if (!err && (size & ((1ULL << bits) - 1)))
			/* The zeroed tail reaches the disk before the size. */
			err = vexfs_journal_inode_data(inode, size,
					(1ULL << bits) - (size & ((1ULL << bits) - 1)));
		if (!err)
			err = vexfs_orphan_add(inode);
		if (err)
			goto out_stop;
	}
	/*
	 * Growing leaves a hole and keeps blocks preallocated past the old
	 * size (FALLOC_FL_KEEP_SIZE); shrinking frees everything past the
	 * new last block.
	 */
	truncate_setsize(inode, size);
	if (shrink)
		err = vexfs_truncate_blocks(inode,
					    DIV_ROUND_UP_ULL(size, 1ULL << bits));
	/*
	 * Finishing a truncation a crash interrupted (@force, at mount) is
	 * recovery, not a change of the file: its times stay what the
	 * journal left, as fsck.vexfs's recovery leaves them.
	 */
	if (!force)
		inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	mark_inode_dirty(inode);
	if (shrink && !err)
		err = vexfs_orphan_del(inode);
out_stop:
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

static int vexfs_file_open(struct inode *inode, struct file *file)
{
	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	vexfs_allow_odirect(file);
	return generic_file_open(inode, file);
}

const struct file_operations vexfs_file_operations = {
	.llseek		= vexfs_file_llseek,
	.read_iter	= vexfs_file_read_iter,
	.write_iter	= vexfs_file_write_iter,
	.mmap		= vexfs_file_mmap,
	.open		= vexfs_file_open,
	.fsync		= vexfs_fsync,
	.splice_read	= vexfs_splice_read,
	.splice_write	= iter_file_splice_write,
	.fallocate	= vexfs_fallocate,
	.unlocked_ioctl	= vexfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

const struct inode_operations vexfs_file_inode_operations = {
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
	.fiemap		= vexfs_fiemap,
	VEXFS_FILEATTR_INODE_OPS
	VEXFS_ACL_INODE_OPS,
};
