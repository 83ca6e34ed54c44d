/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_hnsw.h - the HNSW approximate-nearest-neighbour index core.
 *
 * One portable C file (common/hnsw.c) implements the index for both worlds:
 * the kernel module (src/vecindex.c) and userspace (libvexfs's offline
 * build for fsck and mkfs -d, the unit tests and bench/ann).  It uses
 * integer arithmetic only, calls nothing but memset/memcpy, and allocates
 * nothing: the caller hands it a scratch buffer of hnsw_scratch_size()
 * bytes and a table of storage callbacks.
 *
 * Nodes are addressed by their vector store slot (1-based, as i_vec_slot;
 * 0 is "none").  The graph is searched over 8-bit scalar-quantized copies
 * of the vectors ("codes": per-dimension offset, one step for all
 * dimensions, so that the squared L2 distance of two codes is a plain sum
 * of squared byte differences in a u32); the best candidates are then
 * re-ranked on the float32 originals with the exact integer distance of
 * vexfs_vecmath.h, so reported distances are exact.
 *
 * Metrics: L2 as above; cosine quantizes the unit vector (computed in
 * fixed point) and ranks by L2 of those codes; inner product uses codes
 * symmetric around 128 (offset -128 steps) and ranks by minus their dot
 * product (searches use a wide signed 16-bit code of the query).  All
 * three rerank with vec_distance() of that metric.
 *
 * Storage is the caller's: the core reads and writes a node's code, level,
 * flags and per-level neighbour lists only through struct hnsw_ops, so the
 * same core serves a disk and memory.  The kernel backs them with the
 * buffer cache blocks of the collection's hidden index inode
 * (src/vecindex.c), in the layout of include/vexfs_format.h ("Vector
 * index", docs/format.md); userspace with memory
 * (userspace/lib/hnsw_mem.c), which libvexfs then writes in that layout.
 *
 * Concurrency: the core has no locks, so that each caller can choose its
 * own.  Searches only read; insert, delete and compaction write.  The
 * caller serializes writers against each other and against searches (the
 * kernel with one rw_semaphore per index: see the top of src/vecindex.c).
 */
#ifndef _VEXFS_HNSW_H
#define _VEXFS_HNSW_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef int16_t s16;
#endif
#include "vexfs_vecmath.h"

#ifndef EFSCORRUPTED
#define EFSCORRUPTED	EUCLEAN
#endif

#define HNSW_NONE		0	/* no node (slots are 1-based) */
#define HNSW_MAX_LEVEL		15	/* levels 0..15 */
#define HNSW_MIN_M		2
#define HNSW_MAX_M		64	/* links per node above level 0 */
#define HNSW_MAX_EF		1024	/* ef and ef_construction */
#define HNSW_MAX_DIM		4096
#define HNSW_MAX_K		1024

#define HNSW_DEFAULT_M		16
#define HNSW_DEFAULT_EF_CONSTRUCTION 200
#define HNSW_DEFAULT_EF		64
#define HNSW_DEFAULT_RERANK_FACTOR 2	/* exact distances: 2k candidates */

/* struct hnsw_nodeinfo.flags */
#define HNSW_NODE_DELETED	0x01	/* tombstone: routes, never returned */

/**
 * struct hnsw_nodeinfo - what a node record says besides its code and links
 * @level: the node's top level (0..HNSW_MAX_LEVEL)
 * @flags: HNSW_NODE_*
 */
struct hnsw_nodeinfo {
	u8 level;
	u8 flags;
};

/**
 * struct hnsw_ops - the storage of an index
 *
 * Every callback returns 0 or a negative errno, which the core passes up
 * unchanged; -EFSCORRUPTED is right for a record that does not verify.
 * A callback must refuse (-EFSCORRUPTED) a slot that is out of range or
 * has no node record; the core checks what it reads back (counts, slot
 * numbers, levels) before using it.
 *
 * @code_get: give the node's code (dim bytes) and info; the pointer stays
 *	valid until @code_put with the same cookie.  The core holds at most
 *	two codes at a time.
 * @code_put: release what @code_get returned.
 * @links_read: copy the node's neighbour list at @level into @out (room
 *	for @max) and return the count (0..max), or a negative errno.
 * @links_write: replace the node's neighbour list at @level.
 * @node_write: create or replace the record of @slot with @info and
 *	@code; its neighbour lists become empty at every level.
 * @node_set_flags: change the flags of an existing record.
 * @node_free: forget the record of @slot (compaction); may be NULL.
 * @vec_get: give the float32 original (dim little-endian values, as u32
 *	bits) of @slot, valid until @vec_put; -ENOENT if the slot holds no
 *	vector.  The core holds at most two at a time, nested: the rerank
 *	takes and releases the next candidate's (to prefetch it) while it
 *	holds the current one's, so releases come in reverse order.
 * @vec_put: release what @vec_get returned.
 * @prefetch: optional (may be NULL): a hint that @slot's code and level-0
 *	list will be read soon; must not fail or sleep.  A search calls it
 *	for the not yet visited nodes of a neighbour list before computing
 *	their distances, so that the cache misses overlap, as hnswlib does.
 *	(The core calls it as (ops->prefetch)(...), so that the kernel's
 *	function-like prefetch() macro cannot capture the call.)
 */
struct hnsw_ops {
	int (*code_get)(void *ctx, u32 slot, const u8 **code,
			struct hnsw_nodeinfo *info, void **cookie);
	void (*code_put)(void *ctx, void *cookie);
	int (*links_read)(void *ctx, u32 slot, u32 level, u32 *out, u32 max);
	int (*links_write)(void *ctx, u32 slot, u32 level, const u32 *in,
			   u32 n);
	int (*node_write)(void *ctx, u32 slot, const struct hnsw_nodeinfo *info,
			  const u8 *code);
	int (*node_set_flags)(void *ctx, u32 slot, u8 flags);
	int (*node_free)(void *ctx, u32 slot);
	int (*vec_get)(void *ctx, u32 slot, const u32 **vec, void **cookie);
	void (*vec_put)(void *ctx, void *cookie);
	void (*prefetch)(void *ctx, u32 slot);
};

/**
 * struct hnsw_index - an index: configuration, quantizer, entry point
 *
 * Everything but @ops, @ctx and the statistics is what the index header
 * persists.  Fill it with hnsw_init(), then train the quantizer
 * (hnsw_train_begin/add/end) before the first insert.
 *
 * @q_lo: caller-provided array of @dim values: the per-dimension offset
 *	in fixed point (units of 2^@q_exp); during training it holds the
 *	running minimum and maximum instead.
 */
struct hnsw_index {
	u32 dim;
	u16 m;			/* links per node at levels >= 1 */
	u16 m0;			/* links per node at level 0 (2m) */
	u16 ef_construction;
	u8 metric;		/* VEC_METRIC_L2, _COSINE or _IP */
	u8 trained;
	u64 seed;		/* level assignment */
	u64 level_cut;		/* U64_MAX / m: a draw below it climbs */

	/*
	 * quantizer: code = clamp(round((x * 2^-q_exp - q_lo[d]) / q_step)),
	 * x being the element (cosine: of the unit vector, q_exp = -30; IP:
	 * q_lo[d] = -128 q_step in every dimension)
	 */
	s32 q_exp;
	u64 q_step;
	s64 *q_lo;

	/* graph */
	u32 entry;		/* slot of the entry point, or HNSW_NONE */
	u32 max_level;		/* the entry point's level */
	u64 live;		/* nodes without a tombstone */
	u64 deleted;		/* tombstones not yet compacted */

	const struct hnsw_ops *ops;
	void *ctx;

	/* statistics, not persisted */
	u64 n_dist;		/* quantized distances computed */
	u64 n_exact;		/* exact (reranking) distances computed */
	u64 n_saturated;	/* code bytes clamped at 0 or 255 */
	u64 n_budget;		/* searches stopped by the visit budget */
};

/**
 * struct hnsw_hit - one result of hnsw_search()
 * @d: the exact distance (vexfs_vecmath.h), smaller is nearer
 * @slot: the node
 */
struct hnsw_hit {
	struct vec_num d;
	u32 slot;
};

int hnsw_init(struct hnsw_index *ix, u32 dim, u32 metric, u32 m,
	      u32 ef_construction, u64 seed, s64 *q_lo,
	      const struct hnsw_ops *ops, void *ctx);

void hnsw_train_begin(struct hnsw_index *ix);
void hnsw_train_add(struct hnsw_index *ix, const u32 *vec);
void hnsw_train_end(struct hnsw_index *ix);
void hnsw_quantize(struct hnsw_index *ix, const u32 *vec, u8 *code);

u32 hnsw_level_of(const struct hnsw_index *ix, u32 slot);

size_t hnsw_scratch_size(const struct hnsw_index *ix, u32 ef);

int hnsw_insert(struct hnsw_index *ix, u32 slot, const u32 *vec,
		void *scratch);
int hnsw_delete(struct hnsw_index *ix, u32 slot, void *scratch);
int hnsw_search(struct hnsw_index *ix, const u32 *query, u32 k, u32 ef,
		u32 rerank, struct hnsw_hit *hits, u32 *nhits, void *scratch);
int hnsw_compact(struct hnsw_index *ix, u32 nslots, void *scratch);

#endif /* _VEXFS_HNSW_H */
