// SPDX-License-Identifier: GPL-2.0
/*
 * file.c - regular files: the page cache path, mmap, fallocate, truncate.
 *
 * Data goes through the page cache with buffer heads mapped by
 * vexfs_get_block(); reads and writeback use the mpage helpers, which
 * build large bios from contiguous extents.
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

#include "vexfs.h"

static int vexfs_read_folio(struct file *file, struct folio *folio)
{
	return mpage_read_folio(folio, vexfs_get_block);
}

static void vexfs_readahead(struct readahead_control *rac)
{
	mpage_readahead(rac, vexfs_get_block);
}

static int vexfs_writepages(struct address_space *mapping,
			    struct writeback_control *wbc)
{
	return mpage_writepages(mapping, wbc, vexfs_get_block);
}

/*
 * A failed write may have allocated blocks past the end of the file;
 * give them back so that nothing is left beyond i_size.
 */
static void vexfs_write_failed(struct address_space *mapping, loff_t to)
{
	struct inode *inode = mapping->host;

	if (to > inode->i_size) {
		truncate_pagecache(inode, inode->i_size);
		vexfs_truncate_blocks(inode, DIV_ROUND_UP_ULL(inode->i_size,
						i_blocksize(inode)));
	}
}

static int vexfs_write_begin(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len,
			     vexfs_write_page_t **pagep, void **fsdata)
{
	int err;

	err = block_write_begin(mapping, pos, len, pagep, vexfs_get_block);
	if (err)
		vexfs_write_failed(mapping, pos + len);
	return err;
}

static int vexfs_write_end(struct file *file, struct address_space *mapping,
			   loff_t pos, unsigned int len, unsigned int copied,
			   vexfs_write_page_t *page, void *fsdata)
{
	int ret;

	ret = generic_write_end(file, mapping, pos, len, copied, page, fsdata);
	if (ret < len)
		vexfs_write_failed(mapping, pos + len);
	return ret;
}

static sector_t vexfs_bmap(struct address_space *mapping, sector_t block)
{
	return generic_block_bmap(mapping, block, vexfs_get_block);
}

const struct address_space_operations vexfs_file_aops = {
	.read_folio		= vexfs_read_folio,
	.readahead		= vexfs_readahead,
	.writepages		= vexfs_writepages,
	.write_begin		= vexfs_write_begin,
	.write_end		= vexfs_write_end,
	.bmap			= vexfs_bmap,
	.dirty_folio		= block_dirty_folio,
	.invalidate_folio	= block_invalidate_folio,
	.migrate_folio		= buffer_migrate_folio,
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
	int err;

	sb_start_pagefault(inode->i_sb);
	file_update_time(vmf->vma->vm_file);
	err = block_page_mkwrite(vmf->vma, vmf, vexfs_get_block);
	sb_end_pagefault(inode->i_sb);

	if (!err)
		return VM_FAULT_LOCKED;
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	if (err == -EAGAIN || err == -EFAULT)
		return VM_FAULT_NOPAGE;	/* truncated under us: retry */
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct vexfs_file_vm_ops = {
	.fault		= filemap_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= vexfs_page_mkwrite,
};

static int vexfs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	file_accessed(file);
	vma->vm_ops = &vexfs_file_vm_ops;
	return 0;
}

/* ------------------------------------------------------------------ */
/* fallocate                                                           */
/* ------------------------------------------------------------------ */

/*
 * Allocate and zero the blocks of [lblk, lblk + count).  Blocks are zeroed
 * on disk rather than marked unwritten, so preallocated space always reads
 * back as zeros, whatever crashes in between.
 */
static int vexfs_prealloc(struct inode *inode, u64 lblk, u64 count)
{
	struct super_block *sb = inode->i_sb;

	while (count) {
		unsigned int max = min_t(u64, count, VEXFS_EXT_MAX_LEN), len;
		bool is_new;
		u64 pblk;
		int err;

		err = vexfs_map_blocks(inode, lblk, max, true, &pblk, &len,
				       &is_new);
		if (err)
			return err;
		if (is_new) {
			clean_bdev_aliases(sb->s_bdev, pblk, len);
			err = sb_issue_zeroout(sb, pblk, len, GFP_NOFS);
			if (err)
				return err;
		}
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

	if (mode & ~FALLOC_FL_KEEP_SIZE)
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
 *
 * Shrinking zeroes the tail of the last block and frees every block past
 * it; growing leaves a hole.
 *
 * Context: process context, i_rwsem held; may sleep.
 * Return: 0 or a negative errno.
 */
int vexfs_setsize(struct inode *inode, loff_t size)
{
	unsigned int bits = inode->i_blkbits;
	int err;

	inode_dio_wait(inode);
	if (size < inode->i_size) {
		err = block_truncate_page(inode->i_mapping, size,
					  vexfs_get_block);
		if (err)
			return err;
	}
	/*
	 * Growing leaves a hole and keeps blocks preallocated past the old
	 * size (FALLOC_FL_KEEP_SIZE); shrinking frees everything past the
	 * new last block.
	 */
	err = 0;
	if (size < inode->i_size) {
		truncate_setsize(inode, size);
		err = vexfs_truncate_blocks(inode,
					    DIV_ROUND_UP_ULL(size, 1ULL << bits));
	} else {
		truncate_setsize(inode, size);
	}
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	mark_inode_dirty(inode);
	return err;
}

const struct file_operations vexfs_file_operations = {
	.llseek		= generic_file_llseek,
	.read_iter	= generic_file_read_iter,
	.write_iter	= generic_file_write_iter,
	.mmap		= vexfs_file_mmap,
	.open		= generic_file_open,
	.fsync		= generic_file_fsync,
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
	VEXFS_ACL_INODE_OPS,
};
