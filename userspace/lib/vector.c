// SPDX-License-Identifier: GPL-2.0
/*
 * vector.c - the arithmetic of vector collections: slot geometry,
 * descriptor and slot checksums, and the embedding xattr's value.  The
 * same rules as the kernel's src/vector.c, which the on-disk format
 * (include/vexfs_format.h, "Vector collections") describes.  Used by
 * mkfs -d (populate.c) and fsck (userspace/fsck/pass6.c).  Documented
 * in libvexfs.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "libvexfs.h"
#include "vexfs_vecmath.h"

void vexfs_coll_geom(struct vexfs_coll_geom *g, uint32_t bs, uint32_t dim)
{
	g->slot_size = (uint32_t)VEXFS_VEC_SLOT_SIZE(dim);
	g->per_block = bs / g->slot_size;
	g->blocks_per_slot = g->per_block ? 1 :
			     (g->slot_size + bs - 1) / bs;
	g->max_slots = g->per_block ?
		       (uint64_t)VEXFS_MAX_LBLK * g->per_block :
		       VEXFS_MAX_LBLK / g->blocks_per_slot;
	g->bs = bs;
}

void vexfs_slot_pos(const struct vexfs_coll_geom *g, uint64_t slot,
		    uint64_t *lblk, uint32_t *off)
{
	uint64_t idx = slot - 1;

	if (g->per_block) {
		*lblk = idx / g->per_block;
		*off = (uint32_t)(idx % g->per_block) * g->slot_size;
	} else {
		*lblk = idx * g->blocks_per_slot;
		*off = 0;
	}
}

uint64_t vexfs_store_blocks(const struct vexfs_coll_geom *g, uint64_t slots)
{
	return g->per_block ? (slots + g->per_block - 1) / g->per_block :
			      slots * g->blocks_per_slot;
}

uint64_t vexfs_store_capacity(const struct vexfs_coll_geom *g,
			      uint64_t blocks)
{
	return g->per_block ? blocks * g->per_block :
			      blocks / g->blocks_per_slot;
}

uint32_t vexfs_slot_csum(uint32_t seed, const void *img, uint32_t slot_size)
{
	return vexfs_vec_slot_csum(seed, img, slot_size);
}

int vexfs_slot_fill(uint32_t seed, const struct vexfs_coll_geom *g,
		    uint32_t dim, void *img, uint64_t ino, uint32_t generation,
		    const void *value, size_t size, struct vexfs_err *err)
{
	struct vexfs_vec_slot *hdr = img;
	const uint8_t *v = value;
	uint32_t i;

	if (size != (size_t)dim * 4)
		return vexfs_errf(err, EINVAL,
				  "expected %u values, got %zu bytes (%zu values)",
				  dim, size, size / 4);
	memset(img, 0, g->slot_size);
	for (i = 0; i < dim; i++) {
		uint32_t bits = (uint32_t)v[4 * i] |
				(uint32_t)v[4 * i + 1] << 8 |
				(uint32_t)v[4 * i + 2] << 16 |
				(uint32_t)v[4 * i + 3] << 24;

		hdr->vs_data[i] = cpu_le32(bits);
	}
	/* the kernel's check (little-endian host: the slot is CPU order) */
	i = vec_first_nonfinite((const u32 *)hdr->vs_data, dim);
	if (i < dim) {
		memset(img, 0, g->slot_size);
		return vexfs_errf(err, EINVAL,
				  "value %u is a NaN or an infinity", i + 1);
	}
	hdr->vs_ino = cpu_le64(ino);
	hdr->vs_generation = cpu_le32(generation);
	hdr->vs_checksum = cpu_le32(vexfs_slot_csum(seed, img, g->slot_size));
	return 0;
}

int vexfs_metric_parse(const char *name)
{
	if (!strcmp(name, "l2"))
		return VEXFS_METRIC_L2;
	if (!strcmp(name, "cosine"))
		return VEXFS_METRIC_COSINE;
	if (!strcmp(name, "ip"))
		return VEXFS_METRIC_IP;
	return -EINVAL;
}
