// SPDX-License-Identifier: GPL-2.0
/*
 * crc32c.c - the Castagnoli CRC, as the kernel's crc32c() computes it:
 * reflected, polynomial 0x82F63B78, no final inversion.  Checksums of
 * VexFS structures are taken with their checksum field read as zero.
 *
 * The exported functions are documented in libvexfs.h.
 */
#include <stddef.h>

#include "libvexfs.h"

static uint32_t table[8][256];
static bool table_ready;

/* Slicing-by-8 tables: table[0] is the classic byte table. */
static void crc32c_init(void)
{
	uint32_t i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78 : c >> 1;
		table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			table[k][i] = (table[k - 1][i] >> 8) ^
				      table[0][table[k - 1][i] & 0xff];
	table_ready = true;
}

uint32_t vexfs_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!table_ready)
		crc32c_init();
	while (len >= 8) {
		uint32_t lo = crc ^ (p[0] | p[1] << 8 | p[2] << 16 |
				     (uint32_t)p[3] << 24);

		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		      table[3][p[4]] ^ table[2][p[5]] ^ table[1][p[6]] ^
		      table[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* crc32c of @len bytes with the 4-byte field at @off read as zero */
static uint32_t csum_skip(uint32_t seed, const void *buf, size_t len,
			  size_t off)
{
	static const uint8_t zero[4];
	uint32_t crc;

	crc = vexfs_crc32c(seed, buf, off);
	crc = vexfs_crc32c(crc, zero, sizeof(zero));
	return vexfs_crc32c(crc, (const uint8_t *)buf + off + 4,
			    len - off - 4);
}

uint32_t vexfs_super_csum(const struct vexfs_super_block *sb)
{
	return csum_skip(~0U, sb, sizeof(*sb),
			 offsetof(struct vexfs_super_block, s_checksum));
}

uint32_t vexfs_csum_seed(const struct vexfs_super_block *sb)
{
	return vexfs_crc32c(~0U, sb->s_uuid, sizeof(sb->s_uuid));
}

uint32_t vexfs_inode_csum(uint32_t seed, const struct vexfs_inode *ino)
{
	return csum_skip(seed, ino, sizeof(*ino),
			 offsetof(struct vexfs_inode, i_checksum));
}

uint32_t vexfs_block_csum(uint32_t seed, const void *block, uint32_t bs)
{
	return csum_skip(seed, block, bs,
			 offsetof(struct vexfs_block_header, bh_checksum));
}
