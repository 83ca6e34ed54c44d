/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hnsw_mem.h - an HNSW index (common/hnsw.c) kept in memory.
 *
 * The userspace storage for the index core: one record per slot holding
 * the level-0 list and the code together (one region of memory to fetch
 * per node, as hnswlib does), upper-level lists allocated per node.  The
 * float32 originals are the caller's (slot s at vecs + (s - 1) * dim), as
 * the vector store is the kernel's.  Used by the unit tests and bench/ann;
 * fsck's rebuild will use an image-backed variant.
 */
#ifndef _VEXFS_HNSW_MEM_H
#define _VEXFS_HNSW_MEM_H

#include "vexfs_hnsw.h"

struct hnsw_mem {
	struct hnsw_index ix;
	u32 cap;		/* slots 1..cap */
	const u32 *vecs;	/* float32 bits, slot s at (s - 1) * dim */
	u8 *rec;		/* (cap + 1) records of rec_size bytes: */
	size_t rec_size;	/* the code, then count and m0 links (u32) */
	size_t links_off;	/* where the count is: dim rounded up to 4 */
	struct hnsw_nodeinfo *info;	/* (cap + 1); level 0xff: none */
	u32 **upper;		/* (cap + 1): levels 1.. of (m + 1) each */
	s64 *q_lo;
	void *scratch;
	size_t scratch_size;
	u32 ef_max;
};

int hnsw_mem_create(struct hnsw_mem *hm, u32 dim, u32 m, u32 ef_construction,
		    u64 seed, u32 cap, const u32 *vecs, u32 ef_max);
int hnsw_mem_create_metric(struct hnsw_mem *hm, u32 dim, u32 metric, u32 m,
			   u32 ef_construction, u64 seed, u32 cap,
			   const u32 *vecs, u32 ef_max);
void hnsw_mem_destroy(struct hnsw_mem *hm);
int hnsw_mem_insert(struct hnsw_mem *hm, u32 slot);
int hnsw_mem_delete(struct hnsw_mem *hm, u32 slot);
int hnsw_mem_search(struct hnsw_mem *hm, const u32 *query, u32 k, u32 ef,
		    u32 rerank, struct hnsw_hit *hits, u32 *nhits);
size_t hnsw_mem_bytes(const struct hnsw_mem *hm);
size_t hnsw_disk_bytes(u32 dim, u32 m, u64 nodes, u64 upper_lists,
		       u32 block_size);
u64 hnsw_mem_upper_lists(const struct hnsw_mem *hm);

/* The level-0 list of @slot: count, then m0 slots. */
static inline u32 *hnsw_mem_links0(const struct hnsw_mem *hm, u32 slot)
{
	return (u32 *)(hm->rec + (size_t)slot * hm->rec_size + hm->links_off);
}

static inline u8 *hnsw_mem_code(const struct hnsw_mem *hm, u32 slot)
{
	return hm->rec + (size_t)slot * hm->rec_size;
}

#endif /* _VEXFS_HNSW_MEM_H */
