// SPDX-License-Identifier: GPL-2.0
/*
 * crc32c.c - the Castagnoli CRC, as the kernel's crc32c() computes it:
 * reflected, polynomial 0x82F63B78, no final inversion.  Checksums of
 * It is libvexfs's vexfs_crc32c(), which the checksums of common/csum.c
 * call; in the kernel module the same name is the kernel's crc32c().
 *
 * The exported function is documented in libvexfs.h.
 */

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
