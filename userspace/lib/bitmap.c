// SPDX-License-Identifier: GPL-2.0
/*
 * bitmap.c - metadata block headers, and the inode and block bitmaps.
 *
 * A bitmap is an array of blocks, each a struct vexfs_block_header and
 * then VEXFS_BITMAP_BITS(bs) bits, LSB first within each byte.  In memory
 * the bits of all its blocks are kept back to back, so bit n of the
 * in-memory map is inode or block n.  The exported functions are
 * documented in libvexfs.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"

uint64_t vexfs_bitmap_count_clear(const uint8_t *map, uint64_t nbits)
{
	uint64_t n, clear = 0;

	for (n = 0; n + 8 <= nbits; n += 8)
		clear += 8 - (uint64_t)__builtin_popcount(map[n / 8]);
	for (; n < nbits; n++)
		clear += !vexfs_test_bit(map, n);
	return clear;
}

void vexfs_meta_block_init(void *block, uint32_t bs, uint32_t magic,
			   uint64_t blocknr, uint64_t owner)
{
	struct vexfs_block_header *bh = block;

	memset(block, 0, bs);
	bh->bh_magic = cpu_le32(magic);
	bh->bh_blocknr = cpu_le64(blocknr);
	bh->bh_owner = cpu_le64(owner);
}

void vexfs_meta_block_seal(uint32_t seed, void *block, uint32_t bs)
{
	struct vexfs_block_header *bh = block;

	bh->bh_checksum = cpu_le32(vexfs_block_csum(seed, block, bs));
}

int vexfs_meta_block_check(uint32_t seed, const void *block, uint32_t bs,
			   uint32_t magic, uint64_t blocknr, uint64_t owner)
{
	const struct vexfs_block_header *bh = block;

	/* A wrong header is a misdirected write; report that first. */
	if (vexfs_block_header_check(block, magic, blocknr, owner))
		return -EUCLEAN;
	if (le32(bh->bh_checksum) != vexfs_block_csum(seed, block, bs))
		return -EBADMSG;
	return 0;
}

int vexfs_bitmap_init(struct vexfs_bitmap *map,
		      const struct vexfs_super_block *sb,
		      enum vexfs_bitmap_kind kind)
{
	uint64_t bits = VEXFS_BITMAP_BITS(le32(sb->s_block_size));

	memset(map, 0, sizeof(*map));
	if (kind == VEXFS_INODE_BITMAP) {
		map->nbits = le64(sb->s_inodes_count);
		map->start = le64(sb->s_inode_bitmap_start);
		map->nblocks = le64(sb->s_inode_bitmap_blocks);
		map->magic = VEXFS_IBITMAP_MAGIC;
	} else {
		map->nbits = le64(sb->s_blocks_count);
		map->start = le64(sb->s_block_bitmap_start);
		map->nblocks = le64(sb->s_block_bitmap_blocks);
		map->magic = VEXFS_BBITMAP_MAGIC;
	}
	map->bits = calloc(map->nblocks, bits / 8);
	return map->bits ? 0 : -ENOMEM;
}

int vexfs_bitmap_load(struct vexfs_fs *fs, struct vexfs_bitmap *map,
		      bool verify, struct vexfs_err *err)
{
	const size_t hdr = sizeof(struct vexfs_block_header);
	size_t body = fs->bs - hdr;
	uint8_t *blk = malloc(fs->bs);
	uint64_t k;
	int ret = 0;

	if (!blk)
		return vexfs_errf(err, ENOMEM, "out of memory");
	for (k = 0; k < map->nblocks && !ret; k++) {
		uint64_t nr = map->start + k;

		ret = vexfs_read_block(&fs->dev, nr, blk, err);
		if (!ret && verify)
			ret = vexfs_meta_block_check(fs->seed, blk, fs->bs,
						     map->magic, nr, 0);
		if (ret == -EUCLEAN || ret == -EBADMSG)
			vexfs_errf(err, -ret, "bitmap block %llu: %s",
				   (unsigned long long)nr,
				   ret == -EBADMSG ? "checksum mismatch" :
				   "bad header");
		if (!ret)
			memcpy(map->bits + k * body, blk + hdr, body);
	}
	free(blk);
	return ret;
}

int vexfs_bitmap_store(struct vexfs_fs *fs, struct vexfs_bitmap *map,
		       struct vexfs_err *err)
{
	const size_t hdr = sizeof(struct vexfs_block_header);
	uint64_t bits = VEXFS_BITMAP_BITS(fs->bs), n, k;
	size_t body = fs->bs - hdr;
	uint8_t *blk = malloc(fs->bs);
	int ret = 0;

	if (!blk)
		return vexfs_errf(err, ENOMEM, "out of memory");
	/* Bits past the end stand for nothing; set, they are never used. */
	for (n = map->nbits; n < map->nblocks * bits; n++)
		vexfs_set_bit(map->bits, n);
	for (k = 0; k < map->nblocks && !ret; k++) {
		uint64_t nr = map->start + k;

		vexfs_meta_block_init(blk, fs->bs, map->magic, nr, 0);
		memcpy(blk + hdr, map->bits + k * body, body);
		vexfs_meta_block_seal(fs->seed, blk, fs->bs);
		ret = vexfs_write_block(&fs->dev, nr, blk, err);
	}
	free(blk);
	return ret;
}

void vexfs_bitmap_release(struct vexfs_bitmap *map)
{
	free(map->bits);
	map->bits = NULL;
}
