// SPDX-License-Identifier: GPL-2.0
/*
 * layout.c - where mkfs puts each region.
 *
 * Regions follow the superblock in a fixed order: the jbd2 journal (if
 * any), inode bitmap, block bitmap, inode table, then data.
 * The inode table gets one inode per 16 KiB of device by default, as
 * mke2fs does, rounded up to whole blocks: a partial last block would only
 * waste the slots it cannot use.  See docs/format.md.
 */
#include <errno.h>
#include <string.h>

#include "libvexfs.h"

/* At most this many inodes: plenty, and keeps the bitmap below 512 MiB. */
#define MAX_INODES	(1ULL << 32)

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + !!(a % b);
}

static int pick_inodes(struct vexfs_layout *lay, uint64_t dev_bytes,
		       uint64_t wanted, struct vexfs_err *err)
{
	uint64_t ipb = lay->block_size / VEXFS_INODE_SIZE;
	uint64_t slots = wanted;

	if (wanted && wanted <= VEXFS_FIRST_INO)
		return vexfs_errf(err, EINVAL,
				  "too few inodes: %llu (more than %u needed: inodes below %u are reserved)",
				  (unsigned long long)wanted, VEXFS_FIRST_INO,
				  VEXFS_FIRST_INO);
	if (wanted > MAX_INODES)
		return vexfs_errf(err, EINVAL, "too many inodes: %llu (at most %llu)",
				  (unsigned long long)wanted, MAX_INODES);
	if (!wanted) {
		slots = dev_bytes / VEXFS_DEFAULT_BYTES_PER_INODE;
		if (slots < VEXFS_MIN_INODES)
			slots = VEXFS_MIN_INODES;
		if (slots > MAX_INODES)
			slots = MAX_INODES;
	}
	lay->inodes = div_up(slots, ipb) * ipb;
	return 0;
}

static void place_regions(struct vexfs_layout *lay)
{
	uint64_t bits = VEXFS_BITMAP_BITS(lay->block_size);
	uint64_t ipb = lay->block_size / VEXFS_INODE_SIZE;

	/* the superblock is at byte 1024: block 0, or blocks 0-1 for 1 KiB */
	uint64_t first = div_up(VEXFS_SUPER_OFFSET + VEXFS_SUPER_SIZE,
				lay->block_size);

	/*
	 * The journal comes right after the superblock: jbd2 numbers its
	 * log from block 0 of the device (see write_journal() in mkfs.c)
	 * and sizes its transactions from the end of the log, so the log
	 * must start near block 0 for those sizes to match the log's.
	 */
	lay->journal_start = lay->journal_blocks ? first : 0;
	lay->inode_bitmap_start = first + lay->journal_blocks;
	lay->inode_bitmap_blocks = div_up(lay->inodes, bits);
	lay->block_bitmap_start = lay->inode_bitmap_start +
				  lay->inode_bitmap_blocks;
	lay->block_bitmap_blocks = div_up(lay->blocks, bits);
	lay->inode_table_start = lay->block_bitmap_start +
				 lay->block_bitmap_blocks;
	lay->inode_table_blocks = lay->inodes / ipb;
	lay->data_start = lay->inode_table_start + lay->inode_table_blocks;
}

/*
 * The same steps as mke2fs's ext2fs_default_journal_size(): a journal of
 * 1024 blocks up to 128 MiB (4 KiB blocks), growing to 1 GiB for large
 * filesystems.
 */
uint64_t vexfs_default_journal_blocks(uint64_t fs_blocks)
{
	if (fs_blocks < VEXFS_JOURNAL_MIN_FS_BLOCKS)
		return 0;
	if (fs_blocks < 32768)
		return 1024;
	if (fs_blocks < 256 * 1024)
		return 4096;
	if (fs_blocks < 512 * 1024)
		return 8192;
	if (fs_blocks < 4096 * 1024)
		return 16384;
	if (fs_blocks < 8192 * 1024)
		return 32768;
	if (fs_blocks < 16384 * 1024)
		return 65536;
	if (fs_blocks < 32768 * 1024)
		return 131072;
	return 262144;
}

int vexfs_layout_compute(struct vexfs_layout *lay, uint64_t dev_bytes,
			 uint32_t block_size, uint64_t inodes,
			 struct vexfs_err *err)
{
	return vexfs_layout_compute_journal(lay, dev_bytes, block_size, inodes,
					    0, err);
}

int vexfs_layout_compute_journal(struct vexfs_layout *lay, uint64_t dev_bytes,
				 uint32_t block_size, uint64_t inodes,
				 uint64_t journal_blocks,
				 struct vexfs_err *err)
{
	int ret;

	memset(lay, 0, sizeof(*lay));
	if (block_size != 1024 && block_size != 2048 && block_size != 4096)
		return vexfs_errf(err, EINVAL,
				  "invalid block size %u (use 1024, 2048 or 4096)",
				  block_size);
	lay->block_size = block_size;
	lay->blocks = dev_bytes / block_size;
	if (lay->blocks < VEXFS_MIN_BLOCKS)
		return vexfs_errf(err, ENOSPC,
				  "device too small: %llu bytes, at least %u needed with %u-byte blocks",
				  (unsigned long long)dev_bytes,
				  VEXFS_MIN_BLOCKS * block_size, block_size);
	ret = pick_inodes(lay, dev_bytes, inodes, err);
	if (ret)
		return ret;
	if (journal_blocks == VEXFS_JOURNAL_DEFAULT)
		journal_blocks = vexfs_default_journal_blocks(lay->blocks);
	else if (journal_blocks && (journal_blocks < VEXFS_JOURNAL_MIN_BLOCKS ||
				    journal_blocks > lay->blocks / 2 ||
				    journal_blocks > UINT32_MAX))
		return vexfs_errf(err, EINVAL,
				  "invalid journal size: %llu blocks (at least %u, at most half of the %llu blocks)",
				  (unsigned long long)journal_blocks,
				  VEXFS_JOURNAL_MIN_BLOCKS,
				  (unsigned long long)lay->blocks);
	lay->journal_blocks = journal_blocks;
	place_regions(lay);
	/* jbd2 numbers the log from the device start, in 32 bits. */
	if (lay->journal_start + lay->journal_blocks > INT32_MAX)
		return vexfs_errf(err, EINVAL,
				  "the journal would end beyond block %d", INT32_MAX);
	if (lay->data_start + VEXFS_MIN_DATA_BLOCKS > lay->blocks)
		return vexfs_errf(err, ENOSPC,
				  "device too small for %llu inodes: the metadata needs %llu of its %llu blocks",
				  (unsigned long long)lay->inodes,
				  (unsigned long long)lay->data_start,
				  (unsigned long long)lay->blocks);
	return 0;
}
