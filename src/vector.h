/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vector.h - in-memory vector collections, shared by vector.c (the table,
 * the stores and embeddings), vecsearch.c (exact search) and ioctl.c.
 */
#ifndef _VEXFS_VECTOR_H
#define _VEXFS_VECTOR_H

#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/atomic.h>

#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "vexfs_vecmath.h"
#include "vexfs_hnsw.h"
#include "vexfs_uapi.h"

#define VX_RUNS		8		/* cached block runs per index */
#define VX_UNLOADED	0xff		/* state: header not read yet */

struct vexfs_vx_run {
	u32 lblk;
	u32 len;
	u64 pblk;
};

/**
 * struct vexfs_vindex - the ANN index of a collection in memory
 * (vecindex.c; the locking is explained there)
 * @rw: the graph: shared for queries, exclusive for writers and builds
 * @map_lock: @runs
 * @runs: recently mapped runs of the index inode (its blocks never move)
 * @run_next: the entry @runs replaces next
 * @ix: the core's state (parameters, quantizer, entry point, counts)
 * @q_lo: the quantizer offsets @ix points to (dim entries)
 * @wscratch: the writers' scratch (@wscratch_size bytes)
 * @qlock: @qscratch is in use (taken with mutex_trylock() only)
 * @qscratch: a query scratch kept for the next query (@qscratch_size
 *	bytes), so that a stream of queries allocates nothing
 * @sb: the filesystem
 * @work: the build worker
 * @state: VEXFS_INDEX_* or VX_UNLOADED
 * @queued: a build is queued or running
 * @stop: builds must stop (unmount, remount read-only)
 * @dirty_ours: this mount set VEXFS_COLL_INDEX_DIRTY (so the index it
 *	loaded, or built, is current)
 * @epoch, @upper_used: as the header's vh_epoch, vh_upper_used
 * @covered: store slots the last build covered (vh_slots)
 * @cursor: while BUILDING, slots below it are in the graph
 * @node_size, @node_per_block, @upper_size, @upper_per_block, @q_blocks,
 * @node_start: the layout (include/vexfs_format.h)
 * @pin_node: the pin table of the node records' region: entry i holds a
 *	reference to the buffer of logical block @node_start + i, or NULL
 *	(@pin_node_len entries); a search reads a pinned block without a
 *	buffer cache lookup or a reference count of its own
 * @pin_upper: the same for the upper lists' region, from logical block
 *	VEXFS_VINDEX_UPPER_LBLK (@pin_upper_len entries)
 * @pinned: buffers the pin tables hold
 * @queries: queries the index answered since mount
 */
struct vexfs_vindex {
	struct rw_semaphore rw;
	spinlock_t map_lock;
	struct vexfs_vx_run runs[VX_RUNS];
	u32 run_next;
	struct hnsw_index ix;
	s64 *q_lo;
	void *wscratch;
	size_t wscratch_size;
	struct mutex qlock;
	void *qscratch;
	size_t qscratch_size;
	struct super_block *sb;
	struct work_struct work;
	u32 state;
	bool queued;
	bool stop;
	bool dirty_ours;
	u32 epoch;
	u32 upper_used;
	u64 covered;
	u64 cursor;
	u32 node_size;
	u32 node_per_block;
	u32 upper_size;
	u32 upper_per_block;
	u32 q_blocks;
	u32 node_start;
	struct buffer_head **pin_node;
	struct buffer_head **pin_upper;
	u32 pin_node_len;
	u32 pin_upper_len;
	atomic_t pinned;
	atomic64_t queries;
};

/**
 * struct vexfs_coll - a collection in memory
 * @id: 1-based collection id
 * @dim: elements per vector
 * @metric: VEXFS_METRIC_*
 * @root_ino: the collection's top directory
 * @store_ino: the hidden inode of the vector store
 * @index_ino: the hidden inode of the ANN index, 0 until the first build
 * @hnsw_m: index tunable M (c_hnsw_m)
 * @hnsw_ef_construction: index tunable (c_hnsw_ef_construction)
 * @flags: c_flags (VEXFS_COLL_*), under @lock
 * @count: vectors stored (c_count)
 * @slots: slots up to the highest used (c_slots)
 * @slot_size: bytes per slot
 * @per_block: slots per store block, 0 if a slot spans blocks
 * @blocks_per_slot: blocks per slot when @per_block is 0, else 1
 * @max_slots: the most slots the store may address
 * @lock: slot allocation, @count, @slots, the free list, the descriptor
 * @rw: the bytes of the slots (shared to read, exclusive to write)
 * @free: free slot numbers below @slots, when @free_known
 * @nfree: entries in @free
 * @free_cap: room in @free
 * @free_known: @free lists every free slot
 * @dead: the collection was deleted with its root directory
 * @dead_link: on vexfs_vecs.dead once replaced by a new collection
 * @queries: queries served since mount
 * @scanned: vectors compared by those queries
 * @vx: the ANN index
 */
struct vexfs_coll {
	u32 id;
	u32 dim;
	u8 metric;
	u64 root_ino;
	u64 store_ino;
	u64 index_ino;
	u16 hnsw_m;
	u16 hnsw_ef_construction;
	u32 flags;
	u64 count;
	u64 slots;
	unsigned int slot_size;
	unsigned int per_block;
	unsigned int blocks_per_slot;
	u64 max_slots;
	struct mutex lock;
	struct rw_semaphore rw;
	u64 *free;
	u64 nfree;
	u64 free_cap;
	bool free_known;
	bool dead;
	struct list_head dead_link;
	atomic64_t queries;
	atomic64_t scanned;
	struct vexfs_vindex vx;
};

/**
 * struct vexfs_vecs - the collections of a mounted filesystem
 * @lock: the table and @colls
 * @loaded: @colls reflects the on-disk table
 * @colls: by id - 1
 * @dead: replaced dead collections, freed at unmount
 * @table_lock: the table inode's size (innermost)
 */
struct vexfs_vecs {
	struct mutex lock;
	struct mutex table_lock;
	bool loaded;
	struct vexfs_coll *colls[VEXFS_MAX_COLLECTIONS];
	struct list_head dead;
};

/* Bytes of store that c->slots slots occupy. */
static inline loff_t vexfs_store_bytes(const struct vexfs_coll *c,
				       unsigned int bs)
{
	u64 blocks = c->per_block ? DIV_ROUND_UP_ULL(c->slots, c->per_block) :
				    c->slots * c->blocks_per_slot;

	return (loff_t)blocks * bs;
}

/* vector.c */
struct vexfs_coll *vexfs_coll_get(struct inode *inode);
int vexfs_coll_for_each(struct super_block *sb,
			int (*fn)(struct vexfs_coll *c, void *arg), void *arg);
int vexfs_coll_create(struct inode *dir, u32 dim, u32 metric, u32 m, u32 efc,
		      bool adopt, struct vexfs_coll **out);
void vexfs_coll_visit_all(struct super_block *sb,
			  void (*fn)(struct vexfs_coll *c));
int vexfs_coll_write_desc(struct super_block *sb, struct vexfs_coll *c);
struct inode *vexfs_vec_hidden_iget(struct super_block *sb, u64 ino,
				    const char *what);
void vexfs_slot_pos(const struct vexfs_coll *c, u64 slot, u64 *lblk,
		    unsigned int *off);
u32 vexfs_slot_csum(struct super_block *sb, const struct vexfs_coll *c,
		    const void *img);
int vexfs_vec_check(const u32 *vec, u32 dim);
int vexfs_embedding_set(struct inode *inode, const u32 *vec, u32 dim);
int vexfs_embedding_get(struct inode *inode, u32 *vec, u32 *dim);
int vexfs_embedding_remove(struct inode *inode);

/* vecbuild.c (the index; its design is explained in vecindex.c) */
void vexfs_vindex_init(struct vexfs_coll *c, struct super_block *sb);
void vexfs_vindex_free(struct vexfs_coll *c);
void vexfs_vindex_forget(struct vexfs_coll *c);
void vexfs_vindex_set(struct vexfs_coll *c, u64 slot, const u32 *vec);
void vexfs_vindex_del(struct vexfs_coll *c, u64 slot);
void vexfs_vindex_build_work(struct work_struct *work);

/* vecquery.c */
int vexfs_vindex_query(struct vexfs_coll *c, const u32 *qv, u32 k, u32 ef,
		       struct hnsw_hit *hits, u32 *nhits);
void vexfs_vindex_fill_stats(struct vexfs_coll *c, u32 *state, u64 *live,
			     u64 *deleted, u64 *bytes, u64 *queries);
u32 vexfs_vindex_peek_state(struct vexfs_coll *c);
int vexfs_vindex_ctl(struct vexfs_coll *c, u32 op, u32 *state);
void vexfs_vindex_mount(struct super_block *sb);
void vexfs_vindex_stop(struct super_block *sb);
void vexfs_vindex_unmount(struct super_block *sb);

/* vecadopt.c */
int vexfs_coll_adopt(struct inode *root, struct vexfs_coll *c);

/* vecsearch.c */
int vexfs_vec_query(struct file *dirf, struct vexfs_coll *c,
		    struct vexfs_query *q, const u32 *qv,
		    struct vexfs_query_hit *hits,
		    int (*put_path)(const struct vexfs_query *q, u32 i,
				    const char *path));

#endif /* _VEXFS_VECTOR_H */
