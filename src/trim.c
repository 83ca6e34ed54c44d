// SPDX-License-Identifier: GPL-2.0
/*
 * trim.c - FITRIM (fstrim): discard the free blocks of a filesystem.
 *
 * The block bitmap is walked one bitmap block at a time (at most
 * sbi->bitmap_bits blocks, 128 MiB with 4 KiB blocks), under the
 * allocator's lock, and every run of free blocks of at least minlen
 * inside the range is discarded with sb_issue_discard().  The lock is
 * held across the discards of that bitmap block: a block handed out and
 * written while its discard was still in flight would lose the data, and
 * holding the lock is what keeps it free until the discard completes
 * (ext4 marks the extent used in its buddy cache instead).  Allocations
 * wait for at most one bitmap block's discards.
 *
 * Blocks freed by a transaction that has not committed are not free on
 * disk: after a crash the journal (or the in-place bitmap) still gives
 * them to their old owner, and a discard would have destroyed its data.
 * Such a block is clear in the bitmap buffer but set in the copy of the
 * last committed bitmap that jbd2 keeps (b_committed_data, taken with
 * undo access whenever bits are cleared): vexfs_block_allocatable() says
 * no, and it is skipped here exactly as the allocator skips it.  To
 * discard what was freed just before the call, the running transaction
 * is committed first.  A filesystem without a journal writes its bitmap
 * in place and needs fsck after a crash anyway: there the bits are used
 * as they are.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/bitops.h>
#include <linux/uaccess.h>

#include "vexfs.h"

/**
 * struct vexfs_trim - one FITRIM request, in blocks
 * @first: the first block of the range
 * @end: the block after the range
 * @minlen: the shortest run worth a discard
 * @trimmed: blocks discarded so far
 */
struct vexfs_trim {
	u64 first;
	u64 end;
	u64 minlen;
	u64 trimmed;
};

/* Is bit @off of bitmap block @bh free and free in the committed bitmap? */
static bool vexfs_trim_free(struct buffer_head *bh, unsigned long *addr,
			    u64 off)
{
	return !test_bit_le(off, addr) && vexfs_block_allocatable(bh, off);
}

/*
 * Discard the free runs of bitmap block @index inside the request.
 *
 * Context: takes sbi->alloc_lock; may sleep for I/O.
 */
static int vexfs_trim_group(struct super_block *sb, u64 index,
			    struct vexfs_trim *t)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 base = index * sbi->bitmap_bits;
	u64 lo = max(t->first, base) - base;
	u64 hi = min(t->end, base + sbi->bitmap_bits) - base;
	struct buffer_head *bh;
	unsigned long *addr;
	int err = 0;
	u64 off;

	mutex_lock(&sbi->alloc_lock);
	bh = vexfs_read_block_bitmap(sb, index);
	if (IS_ERR(bh)) {
		err = PTR_ERR(bh);
		goto out_unlock;
	}
	addr = (unsigned long *)(bh->b_data + sizeof(struct vexfs_block_header));
	for (off = lo; off < hi; ) {
		u64 run;

		off = find_next_zero_bit_le(addr, hi, off);
		if (off >= hi)
			break;
		if (!vexfs_block_allocatable(bh, off)) {
			off++;
			continue;
		}
		for (run = 1; off + run < hi &&
		     vexfs_trim_free(bh, addr, off + run); run++)
			;
		if (run >= t->minlen) {
			err = sb_issue_discard(sb, base + off, run, GFP_NOFS, 0);
			if (err)
				break;
			t->trimmed += run;
		}
		off += run;
	}
	brelse(bh);
out_unlock:
	mutex_unlock(&sbi->alloc_lock);
	return err;
}

/**
 * vexfs_trim_fs() - discard the free blocks in a byte range
 * @sb: the filesystem
 * @range: the range and the shortest run, in bytes; on return, range->len
 *	is the number of bytes discarded
 *
 * Context: process context, no handle, no VexFS lock; may sleep.
 * Return: 0, -EOPNOTSUPP when the device cannot discard, -EINVAL for a
 * range outside the filesystem or a minlen larger than it, or another
 * negative errno (range->len then counts what was discarded before).
 */
int vexfs_trim_fs(struct super_block *sb, struct fstrim_range *range)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	unsigned int bits = sb->s_blocksize_bits;
	unsigned int gran = vexfs_bdev_discard_granularity(sb->s_bdev);
	struct vexfs_trim t = { .trimmed = 0 };
	u64 index, last;
	int err = 0;

	if (!gran)
		return -EOPNOTSUPP;
	if (vexfs_forced_shutdown(sb))
		return -EIO;
	if (range->start >> bits >= sbi->blocks_count ||
	    range->len < sb->s_blocksize ||
	    range->minlen >> bits > sbi->blocks_count)
		return -EINVAL;

	t.first = max(range->start >> bits, sbi->data_start);
	t.end = range->len >> bits >= sbi->blocks_count - (range->start >> bits) ?
		sbi->blocks_count : (range->start >> bits) + (range->len >> bits);
	/* A run shorter than the device's granularity discards nothing. */
	t.minlen = max3(range->minlen >> bits,
			(u64)DIV_ROUND_UP(gran, sb->s_blocksize), 1ULL);
	range->len = 0;
	if (t.first >= t.end)
		return 0;

	/* Make what was freed before the call committed, hence trimmable. */
	if (sbi->journal && !sb_rdonly(sb))
		jbd2_journal_force_commit(sbi->journal);

	last = (t.end - 1) / sbi->bitmap_bits;
	for (index = t.first / sbi->bitmap_bits; index <= last; index++) {
		err = vexfs_trim_group(sb, index, &t);
		if (err)
			break;
		if (fatal_signal_pending(current)) {
			err = -ERESTARTSYS;
			break;
		}
		cond_resched();
	}
	range->len = t.trimmed << bits;
	return err;
}

/**
 * vexfs_ioc_fitrim() - the FITRIM ioctl
 * @file: any open file of the filesystem
 * @arg: the caller's struct fstrim_range
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno.
 */
int vexfs_ioc_fitrim(struct file *file, void __user *arg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct fstrim_range range;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&range, arg, sizeof(range)))
		return -EFAULT;
	err = vexfs_trim_fs(sb, &range);
	if (err && err != -ERESTARTSYS)
		return err;
	if (copy_to_user(arg, &range, sizeof(range)))
		return -EFAULT;
	return err;
}
