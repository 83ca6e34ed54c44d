// SPDX-License-Identifier: GPL-2.0
/*
 * checksum.c - crc32c checksums of VexFS metadata.
 *
 * The seeds, the skips and the header rule are common/csum.c, shared with
 * libvexfs; this file wraps them with the superblock's seed, buffer heads
 * and the error log.
 */
#include <linux/buffer_head.h>
#include <linux/crc32c.h>
#include <linux/stddef.h>

#include "vexfs.h"

/**
 * vexfs_inode_csum_ok() - verify the checksum of an on-disk inode
 * @sbi: the filesystem
 * @raw: the inode
 *
 * Return: true if i_checksum matches the contents.
 */
bool vexfs_inode_csum_ok(struct vexfs_sb_info *sbi,
			 const struct vexfs_inode *raw)
{
	return le32_to_cpu(raw->i_checksum) ==
	       vexfs_inode_csum(sbi->csum_seed, raw);
}

/**
 * vexfs_inode_csum_set() - store the checksum of an on-disk inode
 * @sbi: the filesystem
 * @raw: the inode, updated in place
 */
void vexfs_inode_csum_set(struct vexfs_sb_info *sbi, struct vexfs_inode *raw)
{
	raw->i_checksum = cpu_to_le32(vexfs_inode_csum(sbi->csum_seed, raw));
}

/**
 * vexfs_block_init() - start a new metadata block
 * @sb: the filesystem
 * @buf: the block, sb->s_blocksize bytes; zeroed here
 * @magic: the block type, VEXFS_*_MAGIC
 * @blocknr: the block's own physical number
 * @owner: the owning inode, 0 for global metadata
 */
void vexfs_block_init(struct super_block *sb, void *buf, u32 magic,
		      u64 blocknr, u64 owner)
{
	struct vexfs_block_header *hdr = buf;

	memset(buf, 0, sb->s_blocksize);
	hdr->bh_magic = cpu_to_le32(magic);
	hdr->bh_blocknr = cpu_to_le64(blocknr);
	hdr->bh_owner = cpu_to_le64(owner);
}

static u32 vexfs_sb_block_csum(struct super_block *sb, const void *buf)
{
	return vexfs_block_csum(VEXFS_SB(sb)->csum_seed, buf, sb->s_blocksize);
}

/**
 * vexfs_block_csum_set() - checksum a metadata block before writing it
 * @sb: the filesystem
 * @buf: the block
 */
void vexfs_block_csum_set(struct super_block *sb, void *buf)
{
	struct vexfs_block_header *hdr = buf;

	hdr->bh_checksum = cpu_to_le32(vexfs_sb_block_csum(sb, buf));
}

/**
 * vexfs_block_csum_set_seed() - checksum a metadata block, given the seed
 * @seed: the filesystem's checksum seed (sbi->csum_seed)
 * @buf: the block
 * @size: its size
 *
 * For callers that have no superblock at hand (jbd2 triggers).
 */
void vexfs_block_csum_set_seed(u32 seed, void *buf, size_t size)
{
	struct vexfs_block_header *hdr = buf;

	hdr->bh_checksum = cpu_to_le32(vexfs_block_csum(seed, buf, size));
}

/**
 * vexfs_block_verify() - check a metadata block read from disk
 * @sb: the filesystem
 * @buf: the block
 * @magic: the expected block type
 * @blocknr: where the block was read from
 * @owner: the inode expected to own it, 0 for global metadata
 *
 * Reports a mismatch through vexfs_error(), naming the block.
 *
 * Return: 0, -EFSBADCRC for a checksum mismatch, or -EFSCORRUPTED for a
 * block of the wrong type, place or owner.
 */
int vexfs_block_verify(struct super_block *sb, const void *buf, u32 magic,
		       u64 blocknr, u64 owner)
{
	const struct vexfs_block_header *hdr = buf;
	const char *why;

	if (le32_to_cpu(hdr->bh_checksum) != vexfs_sb_block_csum(sb, buf)) {
		vexfs_error(sb, "block %llu: checksum mismatch", blocknr);
		return -EFSBADCRC;
	}
	why = vexfs_block_header_check(buf, magic, blocknr, owner);
	if (why) {
		vexfs_error(sb, "block %llu: %s: type 0x%08x, location %llu, owner %llu (expected 0x%08x, inode %llu)",
			    blocknr, why, le32_to_cpu(hdr->bh_magic),
			    le64_to_cpu(hdr->bh_blocknr),
			    le64_to_cpu(hdr->bh_owner), magic, owner);
		return -EFSCORRUPTED;
	}
	return 0;
}

/**
 * vexfs_bh_verify() - check a metadata block, once per read from disk
 * @sb: the filesystem
 * @bh: the block, from vexfs_sb_bread()
 * @magic: the expected block type
 * @owner: the inode expected to own it, 0 for global metadata
 *
 * The header (type, place, owner) is checked every time: it is cheap, and
 * it catches a block reached through a pointer of the wrong kind.  The
 * checksum is checked only while the buffer is not marked verified; the
 * caller marks it with set_buffer_vexfs_verified() once the structure of
 * the block checked out too.
 *
 * Return: 0, -EFSBADCRC or -EFSCORRUPTED (reported as vexfs_block_verify()
 * does).
 */
int vexfs_bh_verify(struct super_block *sb, struct buffer_head *bh,
		    u32 magic, u64 owner)
{
	if (!buffer_vexfs_verified(bh))
		return vexfs_block_verify(sb, bh->b_data, magic, bh->b_blocknr,
					  owner);
	if (!vexfs_block_header_check(bh->b_data, magic, bh->b_blocknr, owner))
		return 0;
	/* The full check reports what is wrong. */
	return vexfs_block_verify(sb, bh->b_data, magic, bh->b_blocknr, owner);
}

/**
 * vexfs_sb_bread() - read a metadata block
 * @sb: the filesystem
 * @blocknr: the block
 *
 * Like sb_bread(), but a buffer whose contents come from disk loses the
 * verified bit (a write error may have left a verified buffer not
 * up to date, so the bit alone does not say the contents are ours).
 *
 * Context: process context; may sleep for I/O.
 * Return: the buffer, or NULL on I/O error or lack of memory.
 */
struct buffer_head *vexfs_sb_bread(struct super_block *sb, u64 blocknr)
{
	struct buffer_head *bh = sb_getblk(sb, blocknr);

	if (!bh || bh_uptodate_or_lock(bh))
		return bh;
	clear_buffer_vexfs_verified(bh);
	if (__bh_read(bh, REQ_META, true)) {
		brelse(bh);
		return NULL;
	}
	return bh;
}
