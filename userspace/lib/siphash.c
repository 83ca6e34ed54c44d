// SPDX-License-Identifier: GPL-2.0
/*
 * siphash.c - SipHash-2-4 and the directory name hash built on it.
 *
 * The kernel hashes names with siphash() from lib/siphash.c, keyed by
 * s_hash_seed; this is the same function (the reference algorithm by
 * Aumasson and Bernstein), so that the tools compute exactly the hashes
 * the kernel stores.  Documented in libvexfs.h.
 */
#include <string.h>

#include "libvexfs.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND					\
	do {						\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0;	\
		v0 = ROTL(v0, 32);			\
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;	\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;	\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2;	\
		v2 = ROTL(v2, 32);			\
	} while (0)

uint64_t vexfs_siphash(const void *data, size_t len, uint64_t k0, uint64_t k1)
{
	const uint8_t *p = data, *end = p + (len & ~(size_t)7);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t left = len & 7;

	for (; p != end; p += 8) {
		memcpy(&m, p, 8);
		m = le64toh(m);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	while (left--)
		b |= (uint64_t)p[left] << (8 * left);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t vexfs_name_hash(const struct vexfs_super_block *sb, const void *name,
			 size_t len)
{
	uint64_t k0 = le32(sb->s_hash_seed[0]) |
		      (uint64_t)le32(sb->s_hash_seed[1]) << 32;
	uint64_t k1 = le32(sb->s_hash_seed[2]) |
		      (uint64_t)le32(sb->s_hash_seed[3]) << 32;
	uint64_t hash = vexfs_siphash(name, len, k0, k1) >> 1;

	return hash > VEXFS_DIR_HASH_MAX ? VEXFS_DIR_HASH_MAX : hash;
}
