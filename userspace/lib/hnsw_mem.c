// SPDX-License-Identifier: GPL-2.0
/*
 * hnsw_mem.c - in-memory storage for the HNSW core (see hnsw_mem.h).
 *
 * Copyright (C) 2026 The VexFS developers
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "hnsw_mem.h"

#define NO_RECORD 0xff

static int mem_check(const struct hnsw_mem *hm, u32 slot)
{
	if (slot == HNSW_NONE || slot > hm->cap)
		return -EFSCORRUPTED;
	if (hm->info[slot].level == NO_RECORD)
		return -ENOENT;
	return 0;
}

static int mem_code_get(void *ctx, u32 slot, const u8 **code,
			struct hnsw_nodeinfo *info, void **cookie)
{
	struct hnsw_mem *hm = ctx;
	int err = mem_check(hm, slot);

	if (err)
		return err;
	*code = hnsw_mem_code(hm, slot);
	*info = hm->info[slot];
	*cookie = NULL;
	return 0;
}

static void mem_put(void *ctx, void *cookie)
{
	(void)ctx;
	(void)cookie;
}

static u32 *mem_list(struct hnsw_mem *hm, u32 slot, u32 level)
{
	if (!level)
		return hnsw_mem_links0(hm, slot);
	return hm->upper[slot] + (size_t)(level - 1) * (hm->ix.m + 1);
}

static int mem_links_read(void *ctx, u32 slot, u32 level, u32 *out, u32 max)
{
	struct hnsw_mem *hm = ctx;
	int err = mem_check(hm, slot);
	const u32 *l;

	if (err)
		return err == -ENOENT ? -EFSCORRUPTED : err;
	if (level > hm->info[slot].level)
		return -EFSCORRUPTED;
	l = mem_list(hm, slot, level);
	if (l[0] > max)
		return -EFSCORRUPTED;
	memcpy(out, l + 1, l[0] * sizeof(u32));
	return (int)l[0];
}

static int mem_links_write(void *ctx, u32 slot, u32 level, const u32 *in,
			   u32 n)
{
	struct hnsw_mem *hm = ctx;
	int err = mem_check(hm, slot);
	u32 *l;

	if (err)
		return err;
	if (level > hm->info[slot].level || n > (level ? hm->ix.m : hm->ix.m0))
		return -EINVAL;
	l = mem_list(hm, slot, level);
	l[0] = n;
	memmove(l + 1, in, n * sizeof(u32));
	return 0;
}

static int mem_node_write(void *ctx, u32 slot,
			  const struct hnsw_nodeinfo *info, const u8 *code)
{
	struct hnsw_mem *hm = ctx;
	u32 *up = NULL;

	if (slot == HNSW_NONE || slot > hm->cap || info->level > HNSW_MAX_LEVEL)
		return -EINVAL;
	if (info->level) {
		up = calloc((size_t)info->level * (hm->ix.m + 1), sizeof(u32));
		if (!up)
			return -ENOMEM;
	}
	free(hm->upper[slot]);
	hm->upper[slot] = up;
	memcpy(hnsw_mem_code(hm, slot), code, hm->ix.dim);
	hm->info[slot].level = info->level;
	hm->info[slot].flags = info->flags;
	hnsw_mem_links0(hm, slot)[0] = 0;
	return 0;
}

static int mem_node_set_flags(void *ctx, u32 slot, u8 flags)
{
	struct hnsw_mem *hm = ctx;
	int err = mem_check(hm, slot);

	if (err)
		return err;
	hm->info[slot].flags = flags;
	return 0;
}

static int mem_node_free(void *ctx, u32 slot)
{
	struct hnsw_mem *hm = ctx;
	int err = mem_check(hm, slot);

	if (err)
		return err;
	free(hm->upper[slot]);
	hm->upper[slot] = NULL;
	hm->info[slot].level = NO_RECORD;
	hm->info[slot].flags = 0;
	return 0;
}

static int mem_vec_get(void *ctx, u32 slot, const u32 **vec, void **cookie)
{
	struct hnsw_mem *hm = ctx;

	if (slot == HNSW_NONE || slot > hm->cap)
		return -EFSCORRUPTED;
	*vec = hm->vecs + (size_t)(slot - 1) * hm->ix.dim;
	*cookie = NULL;
	return 0;
}

/*
 * The code's cache lines (up to four: the hardware prefetcher follows a
 * longer one); a hint only.  The list is not prefetched: most neighbours
 * are only measured, never expanded.
 */
static void mem_prefetch(void *ctx, u32 slot)
{
	struct hnsw_mem *hm = ctx;
	const u8 *c;
	u32 off;

	if (slot > hm->cap)
		return;
	c = hnsw_mem_code(hm, slot);
	for (off = 0; off < hm->ix.dim && off < 256; off += 64)
		__builtin_prefetch(c + off);
	__builtin_prefetch(hnsw_mem_links0(hm, slot));
}

static const struct hnsw_ops mem_ops = {
	.code_get = mem_code_get,
	.code_put = mem_put,
	.links_read = mem_links_read,
	.links_write = mem_links_write,
	.node_write = mem_node_write,
	.node_set_flags = mem_node_set_flags,
	.node_free = mem_node_free,
	.vec_get = mem_vec_get,
	.vec_put = mem_put,
	.prefetch = mem_prefetch,
};

/**
 * hnsw_mem_create_metric() - an empty in-memory index for slots 1..@cap
 * @hm: filled in
 * @dim, @metric, @m, @ef_construction, @seed: as hnsw_init()
 * @cap: highest slot
 * @vecs: the float32 originals (bits), slot s at (s - 1) * dim
 * @ef_max: the largest ef searches will use (sizes the scratch)
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int hnsw_mem_create_metric(struct hnsw_mem *hm, u32 dim, u32 metric, u32 m,
			   u32 ef_construction, u64 seed, u32 cap,
			   const u32 *vecs, u32 ef_max)
{
	u32 s;
	int err;

	memset(hm, 0, sizeof(*hm));
	hm->q_lo = calloc(dim ? dim : 1, sizeof(s64));
	if (!hm->q_lo)
		return -ENOMEM;
	err = hnsw_init(&hm->ix, dim, metric, m, ef_construction, seed,
			hm->q_lo, &mem_ops, hm);
	if (err) {
		free(hm->q_lo);
		hm->q_lo = NULL;
		return err;
	}
	hm->cap = cap;
	hm->vecs = vecs;
	hm->ef_max = ef_max < HNSW_MAX_EF ? ef_max : HNSW_MAX_EF;
	/*
	 * The code first, at the start of a cache line, so that a distance
	 * touches ceil(dim / 64) lines; the list follows.
	 */
	hm->links_off = (dim + 3) & ~(size_t)3;
	hm->rec_size = (hm->links_off + (hm->ix.m0 + 1) * sizeof(u32) + 63) &
		       ~(size_t)63;
	hm->rec = aligned_alloc(64, ((size_t)cap + 1) * hm->rec_size);
	hm->info = malloc(((size_t)cap + 1) * sizeof(*hm->info));
	hm->upper = calloc((size_t)cap + 1, sizeof(u32 *));
	hm->scratch_size = hnsw_scratch_size(&hm->ix, hm->ef_max);
	hm->scratch = malloc(hm->scratch_size);
	if (!hm->rec || !hm->info ||
	    !hm->upper || !hm->scratch) {
		hnsw_mem_destroy(hm);
		return -ENOMEM;
	}
	for (s = 0; s <= cap; s++) {
		hm->info[s].level = NO_RECORD;
		hm->info[s].flags = 0;
	}
	return 0;
}

/* hnsw_mem_create_metric() for VEC_METRIC_L2. */
int hnsw_mem_create(struct hnsw_mem *hm, u32 dim, u32 m, u32 ef_construction,
		    u64 seed, u32 cap, const u32 *vecs, u32 ef_max)
{
	return hnsw_mem_create_metric(hm, dim, VEC_METRIC_L2, m,
				      ef_construction, seed, cap, vecs, ef_max);
}

void hnsw_mem_destroy(struct hnsw_mem *hm)
{
	u32 s;

	if (hm->upper)
		for (s = 0; s <= hm->cap; s++)
			free(hm->upper[s]);
	free(hm->upper);
	free(hm->rec);
	free(hm->info);
	free(hm->scratch);
	free(hm->q_lo);
	memset(hm, 0, sizeof(*hm));
}

int hnsw_mem_insert(struct hnsw_mem *hm, u32 slot)
{
	if (slot == HNSW_NONE || slot > hm->cap)
		return -EINVAL;
	return hnsw_insert(&hm->ix, slot,
			   hm->vecs + (size_t)(slot - 1) * hm->ix.dim,
			   hm->scratch);
}

int hnsw_mem_delete(struct hnsw_mem *hm, u32 slot)
{
	if (slot == HNSW_NONE || slot > hm->cap)
		return -EINVAL;
	return hnsw_delete(&hm->ix, slot, hm->scratch);
}

int hnsw_mem_search(struct hnsw_mem *hm, const u32 *query, u32 k, u32 ef,
		    u32 rerank, struct hnsw_hit *hits, u32 *nhits)
{
	if (ef > hm->ef_max || k > hm->ef_max)	/* the scratch's size */
		return -EINVAL;
	return hnsw_search(&hm->ix, query, k, ef, rerank, hits, nhits,
			   hm->scratch);
}

/* Upper-level lists allocated (one per node and level above 0). */
u64 hnsw_mem_upper_lists(const struct hnsw_mem *hm)
{
	u64 n = 0;
	u32 s;

	for (s = 1; s <= hm->cap; s++)
		if (hm->info[s].level != NO_RECORD)
			n += hm->info[s].level;
	return n;
}

/* Bytes this in-memory index holds (not counting the float originals). */
size_t hnsw_mem_bytes(const struct hnsw_mem *hm)
{
	size_t n = ((size_t)hm->cap + 1) * (hm->rec_size + 2 + sizeof(u32 *));

	return n + hnsw_mem_upper_lists(hm) * (hm->ix.m + 1) * sizeof(u32);
}

/*
 * Bytes the index inode will take with the layout of docs/ann.md: a
 * header block and the quantizer, then code blocks, level-0 record blocks
 * and upper-list blocks, each packed with whole records per block after
 * a 32-byte block header.
 */
size_t hnsw_disk_bytes(u32 dim, u32 m, u64 nodes, u64 upper_lists,
		       u32 block_size)
{
	u64 usable = block_size - 32, blocks = 1;
	u64 rec0 = 8 + 8 * (u64)m, recu = 4 + 4 * (u64)m, per;

	blocks += (8 * (u64)dim + usable - 1) / usable;
	if (dim <= usable) {
		per = usable / dim;
		blocks += (nodes + per - 1) / per;
	} else {
		blocks += nodes * ((dim + usable - 1) / usable);
	}
	per = usable / rec0;
	blocks += (nodes + per - 1) / per;
	per = usable / recu;
	blocks += (upper_lists + per - 1) / per;
	return blocks * block_size;
}
