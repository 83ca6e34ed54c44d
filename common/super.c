// SPDX-License-Identifier: GPL-2.0
/*
 * super.c - the rules of the superblock: identity, features, geometry and
 * counts, for the kernel's mount and for libvexfs and fsck.
 */
#include "vexfs_rules.h"

/**
 * vexfs_super_identity_check() - can this code read the superblock at all?
 * @raw: the superblock (its magic and checksum already verified)
 *
 * Return: NULL, or why the format version, block size, inode size or
 * checksum type is not one this code reads.
 */
const char *vexfs_super_identity_check(const struct vexfs_super_block *raw)
{
	u32 bs = le32_to_cpu(raw->s_block_size);

	if (le16_to_cpu(raw->s_version_major) != VEXFS_VERSION_MAJOR)
		return "unsupported format version";
	if (bs < VEXFS_MIN_BLOCK_SIZE || bs > VEXFS_MAX_BLOCK_SIZE ||
	    (bs & (bs - 1)))
		return "unsupported block size";
	if (le16_to_cpu(raw->s_inode_size) != VEXFS_INODE_SIZE ||
	    le16_to_cpu(raw->s_checksum_type) != VEXFS_CSUM_CRC32C)
		return "unsupported inode size or checksum type";
	return NULL;
}

/**
 * vexfs_super_features_check() - may the filesystem be used, and how?
 * @raw: the superblock
 * @rdonly: the caller will only read it
 *
 * An unknown incompat bit refuses any use; an unknown ro_compat bit
 * refuses writing only (the meaning of the two sets).  EXTENTS and
 * DIR_TREE are set by every mkfs: without them the superblock is damaged,
 * not older, since no other layout exists.  RECOVER without a journal
 * cannot be honoured.
 *
 * Return: NULL, or why the features forbid this use.
 */
const char *vexfs_super_features_check(const struct vexfs_super_block *raw,
				       bool rdonly)
{
	u32 compat = le32_to_cpu(raw->s_feature_compat);
	u32 ro_compat = le32_to_cpu(raw->s_feature_ro_compat);
	u32 incompat = le32_to_cpu(raw->s_feature_incompat);

	if (incompat & ~VEXFS_FEATURE_INCOMPAT_ALL)
		return "unsupported incompatible features";
	if ((incompat & VEXFS_FEATURE_INCOMPAT_REQUIRED) !=
	    VEXFS_FEATURE_INCOMPAT_REQUIRED)
		return "required incompatible features (extents, dir_tree) are missing";
	if ((incompat & VEXFS_FEATURE_INCOMPAT_RECOVER) &&
	    !(compat & VEXFS_FEATURE_COMPAT_HAS_JOURNAL))
		return "needs journal recovery but has no journal";
	if ((ro_compat & ~VEXFS_FEATURE_RO_COMPAT_ALL) && !rdonly)
		return "unsupported read-only-compatible features; only reading is allowed";
	return NULL;
}

/* The end of region [start, start + len), or 0 if it wraps around. */
static u64 vexfs_region_end(u64 start, u64 len)
{
	u64 end = start + len;

	return end < start ? 0 : end;
}

/*
 * Check that a region lies after @prev_end and inside the filesystem, and
 * advance @prev_end past it.  The regions are laid out in a fixed order,
 * so ordering them also proves that they do not overlap.
 */
static bool vexfs_region_ok(u64 start, u64 len, u64 blocks, u64 *prev_end)
{
	u64 end = vexfs_region_end(start, len);

	if (!len || start < *prev_end || !end || end > blocks)
		return false;
	*prev_end = end;
	return true;
}

/**
 * vexfs_super_geometry_check() - do the regions fit the filesystem?
 * @raw: the superblock (vexfs_super_identity_check() passed)
 * @dev_blocks: blocks of s_block_size the device holds
 *
 * Checks the size against the device, the regions (journal, bitmaps,
 * inode table, data) for order, overlap and bounds, and the bitmaps and
 * the inode table against the counts.  Nothing else can be trusted
 * before these hold: fsck stops on a failure too.
 *
 * Return: NULL, or what is wrong.
 */
const char *vexfs_super_geometry_check(const struct vexfs_super_block *raw,
				       u64 dev_blocks)
{
	u32 bs = le32_to_cpu(raw->s_block_size);
	u64 blocks = le64_to_cpu(raw->s_blocks_count);
	u64 inodes = le64_to_cpu(raw->s_inodes_count);
	u64 bits = VEXFS_BITMAP_BITS(bs);
	u64 ipb = bs / VEXFS_INODE_SIZE;
	u64 end = (VEXFS_SUPER_OFFSET + VEXFS_SUPER_SIZE + bs - 1) / bs;
	u64 data = le64_to_cpu(raw->s_data_start);

	if (blocks < VEXFS_MIN_BLOCKS || blocks > dev_blocks)
		return "block count is below the minimum or beyond the device";
	/* The journal, if any, comes first: jbd2 numbers it from block 0. */
	if (le64_to_cpu(raw->s_journal_start) &&
	    !vexfs_region_ok(le64_to_cpu(raw->s_journal_start),
			     le64_to_cpu(raw->s_journal_blocks), blocks, &end))
		return "journal region overlaps or is outside the filesystem";
	if (!vexfs_region_ok(le64_to_cpu(raw->s_inode_bitmap_start),
			     le64_to_cpu(raw->s_inode_bitmap_blocks), blocks,
			     &end))
		return "inode bitmap region overlaps or is outside the filesystem";
	if (!vexfs_region_ok(le64_to_cpu(raw->s_block_bitmap_start),
			     le64_to_cpu(raw->s_block_bitmap_blocks), blocks,
			     &end))
		return "block bitmap region overlaps or is outside the filesystem";
	if (!vexfs_region_ok(le64_to_cpu(raw->s_inode_table_start),
			     le64_to_cpu(raw->s_inode_table_blocks), blocks,
			     &end))
		return "inode table region overlaps or is outside the filesystem";
	if (data < end || data >= blocks)
		return "data starts inside the metadata or past the end";
	/*
	 * Multiply the region lengths (each within the device, so no
	 * overflow) rather than divide the counts: rounding a count near
	 * 2^64 up wraps to 0 and would let any count pass.
	 */
	if (inodes <= VEXFS_FIRST_INO ||
	    le64_to_cpu(raw->s_inode_bitmap_blocks) * bits < inodes ||
	    le64_to_cpu(raw->s_block_bitmap_blocks) * bits < blocks ||
	    le64_to_cpu(raw->s_inode_table_blocks) * ipb < inodes)
		return "the inode and block counts do not fit the bitmaps or the inode table";
	return NULL;
}

/**
 * vexfs_super_fields_check() - the reserved inodes and the free counts
 * @raw: the superblock (vexfs_super_geometry_check() passed)
 *
 * The kernel trusts these fields (the root's number, statfs, allocation)
 * and refuses the mount when they are impossible; so does a libvexfs
 * program that opens the filesystem.  fsck repairs them in place instead
 * (PR_0_SB_ROOT_INO, and pass 5 recounts the free counts), so it checks
 * them on its own terms.
 *
 * Return: NULL, or what is wrong.
 */
const char *vexfs_super_fields_check(const struct vexfs_super_block *raw)
{
	u64 blocks = le64_to_cpu(raw->s_blocks_count);
	u64 data = le64_to_cpu(raw->s_data_start);

	if (le64_to_cpu(raw->s_root_ino) != VEXFS_ROOT_INO ||
	    le64_to_cpu(raw->s_first_ino) != VEXFS_FIRST_INO)
		return "unexpected root inode or first inode";
	if (le64_to_cpu(raw->s_free_blocks) > blocks - data ||
	    le64_to_cpu(raw->s_free_inodes) > le64_to_cpu(raw->s_inodes_count))
		return "free counts exceed the filesystem size";
	return NULL;
}

/**
 * vexfs_super_errors_check() - is s_errors one of VEXFS_ERRORS_*?
 * @raw: the superblock
 *
 * s_errors is advice (the errors= mount option decides, as its default),
 * so a bad value refuses nothing: the kernel warns and fsck repairs it.
 *
 * Return: NULL, or what is wrong.
 */
const char *vexfs_super_errors_check(const struct vexfs_super_block *raw)
{
	u16 errors = le16_to_cpu(raw->s_errors);

	if (errors < VEXFS_ERRORS_CONTINUE || errors > VEXFS_ERRORS_PANIC)
		return "s_errors is not a known error behaviour";
	return NULL;
}
