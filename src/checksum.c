// SPDX-License-Identifier: GPL-2.0
/*
 * checksum.c - crc32c checksums of VexFS metadata.
 *
 * The superblock is seeded with ~0 (it holds the UUID that seeds the
 * rest); everything else is seeded with crc32c(~0, uuid) so that metadata
 * copied from another VexFS does not verify.  The checksum field itself is
 * treated as zero.
 */
#include <linux/buffer_head.h>
#include <linux/crc32c.h>
#include <linux/stddef.h>

#include "vexfs.h"

static const u32 zero_csum;

/* crc32c over @len bytes of @buf, with the 4-byte field at @csum_off zeroed */
static u32 vexfs_csum_skip(u32 seed, const void *buf, size_t len,
			   size_t csum_off)
{
	u32 crc;

	crc = crc32c(seed, buf, csum_off);
	crc = crc32c(crc, &zero_csum, sizeof(zero_csum));
	return crc32c(crc, buf + csum_off + sizeof(zero_csum),
		      len - csum_off - sizeof(zero_csum));
}

/**
 * vexfs_super_csum() - checksum of an on-disk superblock
 * @raw: the superblock
 *
 * Return: crc32c of the superblock with s_checksum taken as zero.
 */
u32 vexfs_super_csum(const struct vexfs_super_block *raw)
{
	return vexfs_csum_skip(~0U, raw, sizeof(*raw),
			       offsetof(struct vexfs_super_block, s_checksum));
}

/**
 * vexfs_inode_csum() - checksum of an on-disk inode
 * @sbi: the filesystem, for the UUID seed
 * @raw: the inode
 *
 * Return: crc32c of the inode with i_checksum taken as zero.
 */
u32 vexfs_inode_csum(struct vexfs_sb_info *sbi, const struct vexfs_inode *raw)
{
	return vexfs_csum_skip(sbi->csum_seed, raw, sizeof(*raw),
			       offsetof(struct vexfs_inode, i_checksum));
}

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
	return le32_to_cpu(raw->i_checksum) == vexfs_inode_csum(sbi, raw);
}

/**
 * vexfs_inode_csum_set() - store the checksum of an on-disk inode
 * @sbi: the filesystem
 * @raw: the inode, updated in place
 */
void vexfs_inode_csum_set(struct vexfs_sb_info *sbi, struct vexfs_inode *raw)
{
	raw->i_checksum = cpu_to_le32(vexfs_inode_csum(sbi, raw));
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

static u32 vexfs_block_csum(struct super_block *sb, const void *buf)
{
	return vexfs_csum_skip(VEXFS_SB(sb)->csum_seed, buf, sb->s_blocksize,
			       offsetof(struct vexfs_block_header,
					bh_checksum));
}

/**
 * vexfs_block_csum_set() - checksum a metadata block before writing it
 * @sb: the filesystem
 * @buf: the block
 */
void vexfs_block_csum_set(struct super_block *sb, void *buf)
{
	struct vexfs_block_header *hdr = buf;

	hdr->bh_checksum = cpu_to_le32(vexfs_block_csum(sb, buf));
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

	hdr->bh_checksum = cpu_to_le32(vexfs_csum_skip(seed, buf, size,
			offsetof(struct vexfs_block_header, bh_checksum)));
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

	if (le32_to_cpu(hdr->bh_checksum) != vexfs_block_csum(sb, buf)) {
		vexfs_error(sb, "block %llu: checksum mismatch", blocknr);
		return -EFSBADCRC;
	}
	if (le32_to_cpu(hdr->bh_magic) != magic ||
	    le64_to_cpu(hdr->bh_blocknr) != blocknr ||
	    le64_to_cpu(hdr->bh_owner) != owner) {
		vexfs_error(sb, "block %llu: wrong type 0x%08x, location %llu or owner %llu (expected 0x%08x, inode %llu)",
			    blocknr, le32_to_cpu(hdr->bh_magic),
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
	const struct vexfs_block_header *hdr = (const void *)bh->b_data;

	if (!buffer_vexfs_verified(bh))
		return vexfs_block_verify(sb, bh->b_data, magic, bh->b_blocknr,
					  owner);
	if (le32_to_cpu(hdr->bh_magic) == magic &&
	    le64_to_cpu(hdr->bh_blocknr) == bh->b_blocknr &&
	    le64_to_cpu(hdr->bh_owner) == owner)
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
