// SPDX-License-Identifier: GPL-2.0
/*
 * csum.c - the checksum seeds and skips of VexFS metadata, for the kernel
 * module and libvexfs alike.
 *
 * The superblock is seeded with ~0 (it holds the UUID that seeds the
 * rest); everything else is seeded with crc32c(~0, s_uuid), so that
 * metadata copied from another VexFS does not verify.  Each structure is
 * summed with its own checksum field read as zero.  "crc32c" is the
 * kernel's crc32c(): reflected, polynomial 0x82F63B78, no final inversion
 * (vexfs_crc32c() in vexfs_types.h).
 */
#include "vexfs_rules.h"

/**
 * vexfs_csum_skip() - crc32c of a buffer with one 4-byte field read as zero
 * @seed: the starting value
 * @buf: the structure
 * @len: its size in bytes
 * @csum_off: offset of the 4-byte checksum field inside it
 *
 * Context: any.
 * Return: the checksum.
 */
u32 vexfs_csum_skip(u32 seed, const void *buf, size_t len, size_t csum_off)
{
	static const __le32 zero;
	u32 crc;

	crc = vexfs_crc32c(seed, buf, csum_off);
	crc = vexfs_crc32c(crc, &zero, sizeof(zero));
	return vexfs_crc32c(crc, (const u8 *)buf + csum_off + sizeof(zero),
			    len - csum_off - sizeof(zero));
}

/**
 * vexfs_csum_seed() - the seed of every checksum but the superblock's
 * @raw: the superblock
 *
 * Return: crc32c(~0, s_uuid).
 */
u32 vexfs_csum_seed(const struct vexfs_super_block *raw)
{
	return vexfs_crc32c(~0U, raw->s_uuid, sizeof(raw->s_uuid));
}

/**
 * vexfs_super_csum() - the checksum a superblock must carry
 * @raw: the superblock
 *
 * Return: crc32c(~0, superblock with s_checksum read as zero).
 */
u32 vexfs_super_csum(const struct vexfs_super_block *raw)
{
	return vexfs_csum_skip(~0U, raw, sizeof(*raw),
			       offsetof(struct vexfs_super_block, s_checksum));
}

/**
 * vexfs_inode_csum() - the checksum an inode must carry
 * @seed: from vexfs_csum_seed()
 * @raw: the inode
 *
 * Return: crc32c(seed, inode with i_checksum read as zero).
 */
u32 vexfs_inode_csum(u32 seed, const struct vexfs_inode *raw)
{
	return vexfs_csum_skip(seed, raw, sizeof(*raw),
			       offsetof(struct vexfs_inode, i_checksum));
}

/**
 * vexfs_block_csum() - the checksum a metadata block must carry
 * @seed: from vexfs_csum_seed()
 * @block: the block, starting with struct vexfs_block_header
 * @bs: the block size
 *
 * Return: crc32c(seed, block with bh_checksum read as zero).
 */
u32 vexfs_block_csum(u32 seed, const void *block, u32 bs)
{
	return vexfs_csum_skip(seed, block, bs,
			       offsetof(struct vexfs_block_header,
					bh_checksum));
}

/**
 * vexfs_desc_csum() - the checksum a collection descriptor must carry
 * @seed: from vexfs_csum_seed()
 * @d: the descriptor
 *
 * Return: crc32c(seed, descriptor with c_checksum read as zero).
 */
u32 vexfs_desc_csum(u32 seed, const struct vexfs_collection *d)
{
	return vexfs_csum_skip(seed, d, sizeof(*d),
			       offsetof(struct vexfs_collection, c_checksum));
}

/**
 * vexfs_vec_slot_csum() - the checksum a used vector slot must carry
 * @seed: from vexfs_csum_seed()
 * @img: the slot, header then vector
 * @slot_size: VEXFS_VEC_SLOT_SIZE() of the collection's dimension
 *
 * Return: crc32c(seed, slot with vs_checksum read as zero).
 */
u32 vexfs_vec_slot_csum(u32 seed, const void *img, u32 slot_size)
{
	return vexfs_csum_skip(seed, img, slot_size,
			       offsetof(struct vexfs_vec_slot, vs_checksum));
}

/**
 * vexfs_vindex_rec_csum() - the checksum an index node or upper record
 * must carry
 * @seed: from vexfs_csum_seed()
 * @rec: the record; its checksum is its first 4 bytes
 * @size: vh_node_size or vh_upper_size
 *
 * Return: crc32c(seed, record with the checksum read as zero).
 */
u32 vexfs_vindex_rec_csum(u32 seed, const void *rec, u32 size)
{
	return vexfs_csum_skip(seed, rec, size, 0);
}

/**
 * vexfs_block_header_check() - does a metadata block's header name it?
 * @blk: the block, starting with struct vexfs_block_header
 * @magic: the expected block type, VEXFS_*_MAGIC
 * @blocknr: where the block was read from
 * @owner: the inode expected to own it, 0 for global metadata
 *
 * A block of the wrong type, place or owner is a misdirected write or a
 * cross-linked pointer.  bh_reserved is zero in every block written (the
 * kernel's vexfs_block_init() and libvexfs clear the whole block).  The
 * checksum is checked apart (vexfs_block_csum()), so that callers may tell
 * a torn block from a misplaced one.
 *
 * Return: NULL, or why the header is wrong.
 */
const char *vexfs_block_header_check(const void *blk, u32 magic, u64 blocknr,
				     u64 owner)
{
	const struct vexfs_block_header *hdr = blk;

	if (le32_to_cpu(hdr->bh_magic) != magic)
		return "wrong block type";
	if (le64_to_cpu(hdr->bh_blocknr) != blocknr)
		return "wrong block location";
	if (le64_to_cpu(hdr->bh_owner) != owner)
		return "wrong block owner";
	if (hdr->bh_reserved)
		return "reserved header field is not zero";
	return NULL;
}
