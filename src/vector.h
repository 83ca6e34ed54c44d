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

#include "vexfs_vecmath.h"
#include "vexfs_uapi.h"

/**
 * struct vexfs_coll - a collection in memory
 * @id: 1-based collection id
 * @dim: elements per vector
 * @metric: VEXFS_METRIC_*
 * @root_ino: the collection's top directory
 * @store_ino: the hidden inode of the vector store
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
 */
struct vexfs_coll {
	u32 id;
	u32 dim;
	u8 metric;
	u64 root_ino;
	u64 store_ino;
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
int vexfs_coll_create(struct inode *dir, u32 dim, u32 metric, bool adopt,
		      struct vexfs_coll **out);
void vexfs_slot_pos(const struct vexfs_coll *c, u64 slot, u64 *lblk,
		    unsigned int *off);
u32 vexfs_slot_csum(struct super_block *sb, const struct vexfs_coll *c,
		    const void *img);
int vexfs_vec_check(const u32 *vec, u32 dim);
int vexfs_embedding_set(struct inode *inode, const u32 *vec, u32 dim);
int vexfs_embedding_get(struct inode *inode, u32 *vec, u32 *dim);
int vexfs_embedding_remove(struct inode *inode);

/* vecadopt.c */
int vexfs_coll_adopt(struct inode *root, struct vexfs_coll *c);

/* vecsearch.c */
int vexfs_vec_query(struct file *dirf, struct vexfs_query *q);

#endif /* _VEXFS_VECTOR_H */
