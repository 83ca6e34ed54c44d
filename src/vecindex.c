// SPDX-License-Identifier: GPL-2.0
/*
 * vecindex.c - the ANN index (HNSW) of a vector collection.
 *
 * The graph algorithm is src/hnsw.c; this file gives it storage (the
 * hidden index inode, read and written through the buffer cache with the
 * layout of include/vexfs_format.h), keeps it in step with the vector
 * store, builds and rebuilds it in the background, and answers queries
 * with it.
 *
 * The index is derived data.  Its blocks are written back like file data,
 * outside the journal (journaling them would log tens of blocks per
 * vector), and VEXFS_COLL_INDEX_DIRTY in the collection descriptor says
 * whether they can be trusted: a read-write mount sets the flag and
 * commits it before it changes any index block (vexfs_vindex_mount()),
 * and a clean unmount writes the index blocks out, waits for them, and
 * only then clears it (vexfs_vindex_unmount()).  After a crash the flag
 * is still set, so the index is rebuilt from the store in the background
 * and queries search exactly until it is ready: a crash costs time, never
 * a wrong or missing answer.  Allocating index blocks is journaled like
 * any allocation, so the block maps and bitmaps stay consistent.
 *
 * States (vx->state): VEXFS_INDEX_NONE until the collection holds
 * VEXFS_INDEX_MIN_VECTORS vectors (an exact scan of fewer is fast, and the
 * quantizer needs a sample to train on); then BUILDING while the worker
 * trains the quantizer on every stored vector and inserts them slot by
 * slot; READY once it has caught up.  STALE (a dirty index on a read-only
 * mount), FAILED (damage found, or no space) and UNSUPPORTED (a node
 * record larger than a block, or a metric the core lacks) answer exactly.
 * A damaged index found at run time is rebuilt as after a crash.
 *
 * Locking, outermost first (see vector.c for the locks around it):
 *   the jbd2 handle: writers start theirs before any lock below, and the
 *	build worker starts one per vector before taking vx->rw, so that
 *	nobody holding vx->rw ever waits for a commit that waits for it;
 *   c->lock: held by the embedding paths around vexfs_vindex_set/_del;
 *	never taken under vx->rw (the worker reads c->slots with READ_ONCE);
 *   vx->rw: the graph.  Queries take it shared and run concurrently with
 *	each other; inserts, deletes, the build steps and compaction take
 *	it exclusive, one vector at a time, so a query waits at most one
 *	insert;
 *   c->rw: the store's slots, taken shared inside vx->rw to read the
 *	float originals (queries' rerank, the build);
 *   the index inode's i_map_lock and the allocator, inside
 *	vexfs_map_blocks(); vx->map_lock (a spinlock over the run cache).
 * Nothing is acquired in the other direction: the journal never calls
 * back into the index, and neither does the page cache.  So there is no
 * cycle, hence no deadlock.
 *
 * The pin tables (vx->pin_node, vx->pin_upper) hold a reference to the
 * buffer of each node-record and upper-list block a search or a build
 * has read and verified, by logical block, so that the next visit is an
 * array lookup: no buffer cache lookup, no reference counted.  An entry
 * is filled under vx->rw, shared or exclusive, with cmpxchg() (queries
 * fill them concurrently); the tables are resized and emptied only under
 * vx->rw exclusive, so a block lent out under vx->rw stays valid until
 * vx->rw is released.  Index blocks never move while the index inode
 * lives; the tables are emptied before a deleted collection's inode is
 * freed (vexfs_vindex_forget()) and when the collection is freed at
 * unmount.  A pinned buffer is used only while it is uptodate and
 * verified; otherwise it is read and checked again as usual.
 *
 * Memory: per index, the quantizer (8 * dim bytes), the writers' scratch
 * (hnsw_scratch_size() at ef_construction: 160 KiB at M = 16, ef 200,
 * dim 768), a few run-cache entries, and the pin tables (8 bytes per
 * index block); per query, one scratch buffer of hnsw_scratch_size() at
 * the query's ef (at most 3.6 MiB at the limits ef 1024, M 64, dim 4096)
 * and three slot images, and, only when it reads blocks the pin tables
 * do not hold, a 4 KiB table of buffers (the bcache).  The graph lives
 * in the block device's buffers: those the pin tables hold (together,
 * for every mounted index, at most a sixteenth of RAM: vx_pin_limit())
 * stay in memory until unmount; the rest is reclaimable as any.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32c.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/buffer_head.h>
#include <linux/workqueue.h>
#include <linux/random.h>
#include <linux/delay.h>
#include <linux/sched/mm.h>
#include <linux/hash.h>

#include "vexfs.h"
#include "vector.h"

/* Blocks allocated at once when the index file grows. */
#define VX_GROW_BLOCKS		16
/* Highest slot the index can address (the core's slots are u32). */
#define VX_MAX_SLOT		0xfffffffeU
/*
 * Buffers an operation keeps referenced, by logical block: a search or
 * an insert reads the same blocks many times (a block holds several
 * nodes, and a node's list and code are read apart), and a hit here
 * saves the buffer cache lookup.  Bounded: 256 references at most.
 */
#define VX_BCACHE_BITS		8
#define VX_BCACHE		(1U << VX_BCACHE_BITS)

static const struct hnsw_ops vx_ops;

struct vx_bcache {
	u32 lblk;
	struct buffer_head *bh;
};

/**
 * struct vx_io - one operation's view of the index storage (hnsw ctx)
 * @vx: the index
 * @sb: its filesystem
 * @ixi: the index inode
 * @store: the vector store inode
 * @img: one slot image, for the build's reads of the store
 * @vimg: two slot images for vec_get (the core holds up to two originals,
 *	nested)
 * @vslot: the slot whose original each of @vimg holds (0: none), so that
 *	the rerank's second vec_get of a candidate copies nothing
 * @vbusy: which of @vimg are handed out
 * @bcache: VX_BCACHE referenced buffers, direct-mapped by logical block,
 *	for blocks the pin tables do not hold; allocated at the first such
 *	block
 * @no_bcache: allocating @bcache failed: do without
 */
struct vx_io {
	struct vexfs_vindex *vx;
	struct super_block *sb;
	struct inode *ixi;
	struct inode *store;
	void *img;
	void *vimg[2];
	u32 vslot[2];
	u32 vbusy;
	struct vx_bcache *bcache;
	bool no_bcache;
};

static inline struct vexfs_coll *vx_coll(struct vexfs_vindex *vx)
{
	return container_of(vx, struct vexfs_coll, vx);
}

/* ------------------------------------------------------------------ */
/* Block mapping, with a small cache of runs                           */
/* ------------------------------------------------------------------ */

static u64 vx_run_lookup(struct vexfs_vindex *vx, u32 lblk)
{
	u64 pblk = 0;
	int i;

	spin_lock(&vx->map_lock);
	for (i = 0; i < VX_RUNS; i++) {
		struct vexfs_vx_run *r = &vx->runs[i];

		if (r->len && lblk >= r->lblk && lblk - r->lblk < r->len) {
			pblk = r->pblk + (lblk - r->lblk);
			break;
		}
	}
	spin_unlock(&vx->map_lock);
	return pblk;
}

static void vx_run_add(struct vexfs_vindex *vx, u32 lblk, u64 pblk, u32 len)
{
	spin_lock(&vx->map_lock);
	vx->runs[vx->run_next] = (struct vexfs_vx_run){ lblk, len, pblk };
	vx->run_next = (vx->run_next + 1) % VX_RUNS;
	spin_unlock(&vx->map_lock);
}

/* Zero freshly allocated blocks; the caller's handle covers their map. */
static int vx_zero_new(struct vx_io *io, u32 lblk, u64 pblk, u32 len)
{
	struct super_block *sb = io->sb;
	loff_t end;
	u32 i;

	for (i = 0; i < len; i++) {
		struct buffer_head *bh = sb_getblk(sb, pblk + i);

		if (!bh)
			return -ENOMEM;
		lock_buffer(bh);
		memset(bh->b_data, 0, sb->s_blocksize);
		set_buffer_uptodate(bh);
		/* All-zero records are "no node": nothing to check. */
		set_buffer_vexfs_verified(bh);
		unlock_buffer(bh);
		mark_buffer_dirty(bh);
		brelse(bh);
	}
	end = ((loff_t)lblk + len) << sb->s_blocksize_bits;
	if (i_size_read(io->ixi) < end) {
		i_size_write(io->ixi, end);
		mark_inode_dirty(io->ixi);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The pin tables                                                      */
/* ------------------------------------------------------------------ */

/*
 * Bytes of index blocks the pin tables of every mounted index may hold:
 * a sixteenth of RAM.  Blocks past it are read through the buffer cache
 * as usual (and an operation's bcache), only slower.
 */
static atomic_long_t vx_pin_bytes = ATOMIC_LONG_INIT(0);

static long vx_pin_limit(void)
{
	return (long)(totalram_pages() / 16) << PAGE_SHIFT;
}

/*
 * The pin table entry of logical block @lblk, or NULL when no table
 * reaches it.  Caller: vx->rw held, shared or exclusive (the tables are
 * resized and emptied only under vx->rw exclusive).
 */
static struct buffer_head **vx_pin_slot(struct vexfs_vindex *vx, u32 lblk)
{
	u32 i;

	if (lblk >= VEXFS_VINDEX_UPPER_LBLK) {
		i = lblk - VEXFS_VINDEX_UPPER_LBLK;
		return i < vx->pin_upper_len ? &vx->pin_upper[i] : NULL;
	}
	if (lblk < vx->node_start)
		return NULL;	/* header and quantizer: read at load only */
	i = lblk - vx->node_start;
	return i < vx->pin_node_len ? &vx->pin_node[i] : NULL;
}

/*
 * Make @tab reach @want entries (at least; it doubles).  A failure only
 * leaves the blocks past the table unpinned.  Caller: vx->rw exclusive.
 */
static void vx_pin_grow(struct super_block *sb, struct buffer_head ***tab,
			u32 *len, u64 want)
{
	u64 cap = vx_pin_limit() >> sb->s_blocksize_bits;
	struct buffer_head **n;
	unsigned int nofs;

	if (want <= *len || *len >= cap)
		return;
	want = min(max3(want, 2ULL * *len, 64ULL), cap);
	/* Writers run inside a handle: no reclaim into the filesystem. */
	nofs = memalloc_nofs_save();
	n = kvcalloc(want, sizeof(*n), GFP_KERNEL | __GFP_NOWARN);
	memalloc_nofs_restore(nofs);
	if (!n)
		return;
	if (*len)
		memcpy(n, *tab, *len * sizeof(*n));
	kvfree(*tab);
	*tab = n;
	*len = want;
}

/* Size the tables for the index as loaded.  Caller: vx->rw exclusive. */
static void vx_pin_size(struct vexfs_vindex *vx)
{
	u64 slots = READ_ONCE(vx_coll(vx)->slots);

	vx_pin_grow(vx->sb, &vx->pin_node, &vx->pin_node_len,
		    DIV_ROUND_UP_ULL(slots, vx->node_per_block));
	vx_pin_grow(vx->sb, &vx->pin_upper, &vx->pin_upper_len,
		    DIV_ROUND_UP(vx->upper_used, vx->upper_per_block));
}

/*
 * Hand the caller's reference to @bh over to the table entry @pin, if
 * the entry is free and the budget allows.  Queries do this under
 * vx->rw shared, concurrently: the entry is claimed with cmpxchg().
 * Return: true if the table took the reference.
 */
static bool vx_pin(struct vexfs_vindex *vx, struct buffer_head **pin,
		   struct buffer_head *bh)
{
	long size = bh->b_size;

	/* A deleted collection's blocks are being freed. */
	if (READ_ONCE(vx_coll(vx)->dead))
		return false;
	if (atomic_long_add_return(size, &vx_pin_bytes) > vx_pin_limit())
		goto out_unaccount;
	if (cmpxchg(pin, NULL, bh))
		goto out_unaccount;
	atomic_inc(&vx->pinned);
	return true;
out_unaccount:
	atomic_long_sub(size, &vx_pin_bytes);
	return false;
}

static void vx_unpin_tab(struct vexfs_vindex *vx, struct buffer_head ***tab,
			 u32 *len)
{
	u32 i;

	for (i = 0; i < *len; i++) {
		struct buffer_head *bh = (*tab)[i];

		if (!bh)
			continue;
		atomic_long_sub(bh->b_size, &vx_pin_bytes);
		atomic_dec(&vx->pinned);
		brelse(bh);
	}
	kvfree(*tab);
	*tab = NULL;
	*len = 0;
}

/*
 * Drop every pinned buffer.  Caller: vx->rw exclusive, or the index is
 * no longer used by anyone (collection freed at unmount).
 */
static void vx_unpin_all(struct vexfs_vindex *vx)
{
	vx_unpin_tab(vx, &vx->pin_node, &vx->pin_node_len);
	vx_unpin_tab(vx, &vx->pin_upper, &vx->pin_upper_len);
}

/* ------------------------------------------------------------------ */
/* Reading and creating index blocks                                   */
/* ------------------------------------------------------------------ */

static int vx_verify_block(struct vx_io *io, struct buffer_head *bh, u32 lblk);

/*
 * The buffer of logical block @lblk of the index, or NULL for a hole
 * (when !@create).  Blocks are verified record by record when they come
 * from disk (vx_verify_block()).
 *
 * With @held NULL the caller always gets a reference of its own.
 * Otherwise *@held says whether it did: a block of the pin tables is
 * lent, with no reference counted (the table's keeps it, and the tables
 * change only under vx->rw exclusive, which the caller's hold of vx->rw
 * excludes).  Release with vx_bput().  A block read from disk here is
 * pinned when its table entry is free and the budget allows.
 */
static struct buffer_head *vx_getblk(struct vx_io *io, u32 lblk, bool create,
				     bool *held)
{
	struct vexfs_vindex *vx = io->vx;
	struct buffer_head **pin = vx_pin_slot(vx, lblk);
	struct vx_bcache *bc = NULL;
	struct buffer_head *bh;
	unsigned int len;
	bool is_new;
	u64 pblk;
	int err;

	bh = pin ? READ_ONCE(*pin) : NULL;
	/* A write error clears uptodate: then read it again, below. */
	if (bh && buffer_uptodate(bh) && buffer_vexfs_verified(bh)) {
		if (held)
			*held = false;
		else
			get_bh(bh);
		return bh;
	}
	if (!pin && create && lblk >= vx->node_start) {
		/* A writer (vx->rw exclusive) extends a region. */
		if (lblk >= VEXFS_VINDEX_UPPER_LBLK)
			vx_pin_grow(io->sb, &vx->pin_upper, &vx->pin_upper_len,
				    (u64)lblk - VEXFS_VINDEX_UPPER_LBLK + 1);
		else
			vx_pin_grow(io->sb, &vx->pin_node, &vx->pin_node_len,
				    (u64)lblk - vx->node_start + 1);
		pin = vx_pin_slot(vx, lblk);
	}
	if (!io->bcache && !io->no_bcache) {
		/* Without it an operation only runs slower. */
		io->bcache = kcalloc(VX_BCACHE, sizeof(*io->bcache),
				     GFP_NOFS | __GFP_NOWARN);
		io->no_bcache = !io->bcache;
	}
	if (io->bcache) {
		bc = &io->bcache[hash_32(lblk, VX_BCACHE_BITS)];
		if (bc->bh && bc->lblk == lblk) {
			get_bh(bc->bh);
			if (held)
				*held = true;
			return bc->bh;
		}
	}
	pblk = vx_run_lookup(vx, lblk);
	if (!pblk) {
		u32 want = create ? VX_GROW_BLOCKS : 1;

		/* Grow within the region: never into the upper lists. */
		if (lblk < VEXFS_VINDEX_UPPER_LBLK)
			want = min_t(u32, want, VEXFS_VINDEX_UPPER_LBLK - lblk);
		err = vexfs_map_blocks(io->ixi, lblk, want, create, &pblk,
				       &len, &is_new);
		if (err)
			return ERR_PTR(err);
		if (!pblk)
			return NULL;
		if (is_new) {
			err = vx_zero_new(io, lblk, pblk, len);
			if (err)
				return ERR_PTR(err);
		}
		vx_run_add(vx, lblk, pblk, len);
	}
	bh = vexfs_sb_bread(io->sb, pblk);
	if (!bh)
		return ERR_PTR(-EIO);
	if (lblk && !buffer_vexfs_verified(bh)) {
		err = vx_verify_block(io, bh, lblk);
		if (err) {
			brelse(bh);
			return ERR_PTR(err);
		}
	}
	if (held && pin && vx_pin(vx, pin, bh)) {
		*held = false;
		return bh;
	}
	if (held)
		*held = true;
	if (bc) {
		brelse(bc->bh);
		bc->lblk = lblk;
		bc->bh = bh;
		get_bh(bh);
	}
	return bh;
}

/* Release a buffer of vx_getblk(): only a reference of the caller's. */
static inline void vx_bput(struct buffer_head *bh, bool held)
{
	if (held)
		brelse(bh);
}

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

static u32 vx_rec_csum(struct super_block *sb, const void *rec, u32 size)
{
	static const __le32 zero;
	u32 crc;

	crc = crc32c(VEXFS_SB(sb)->csum_seed, &zero, sizeof(zero));
	return crc32c(crc, rec + 4, size - 4);
}

static void vx_rec_seal(struct super_block *sb, void *rec, u32 size)
{
	*(__le32 *)rec = cpu_to_le32(vx_rec_csum(sb, rec, size));
}

/*
 * Check every record of the current epoch in a block just read from
 * disk; quantizer blocks (1..q_blocks) are checked as a whole at load.
 */
static int vx_verify_block(struct vx_io *io, struct buffer_head *bh, u32 lblk)
{
	struct vexfs_vindex *vx = io->vx;
	u32 size, per, i;

	if (lblk < vx->node_start) {
		set_buffer_vexfs_verified(bh);
		return 0;
	}
	if (lblk >= VEXFS_VINDEX_UPPER_LBLK) {
		size = vx->upper_size;
		per = vx->upper_per_block;
	} else {
		size = vx->node_size;
		per = vx->node_per_block;
	}
	for (i = 0; i < per; i++) {
		const u8 *rec = bh->b_data + i * size;
		const struct vexfs_vindex_node *n = (const void *)rec;

		/* vn_epoch and vu_epoch sit at the same offset. */
		if (le32_to_cpu(n->vn_epoch) != vx->epoch)
			continue;
		if (le32_to_cpu(n->vn_checksum) != vx_rec_csum(io->sb, rec, size)) {
			vexfs_err(io->sb, "collection %u: index block %llu: record %u does not verify",
				  vx_coll(vx)->id, (u64)bh->b_blocknr, i);
			return -EFSBADCRC;
		}
	}
	set_buffer_vexfs_verified(bh);
	return 0;
}

static int vx_node_pos(struct vexfs_vindex *vx, u32 slot, u32 *lblk, u32 *off)
{
	u32 idx;

	if (slot == HNSW_NONE || slot > VX_MAX_SLOT)
		return -EFSCORRUPTED;
	idx = slot - 1;
	if ((u64)idx / vx->node_per_block + vx->node_start >=
	    VEXFS_VINDEX_UPPER_LBLK)
		return -EFSCORRUPTED;
	*lblk = vx->node_start + idx / vx->node_per_block;
	*off = (idx % vx->node_per_block) * vx->node_size;
	return 0;
}

/*
 * The buffer holding @slot's record (NULL: a hole, so no node), and the
 * record in it.  @create allocates the block.  @held as vx_getblk()'s.
 */
static struct buffer_head *vx_node_bh(struct vx_io *io, u32 slot, bool create,
				      struct vexfs_vindex_node **rec,
				      bool *held)
{
	struct buffer_head *bh;
	u32 lblk, off;
	int err;

	err = vx_node_pos(io->vx, slot, &lblk, &off);
	if (err)
		return ERR_PTR(err);
	bh = vx_getblk(io, lblk, create, held);
	if (!IS_ERR_OR_NULL(bh))
		*rec = (void *)(bh->b_data + off);
	return bh;
}

/* A record of the current epoch, checked: 0, -ENOENT (none), or error. */
static int vx_node_live(struct vexfs_vindex *vx, const struct vexfs_vindex_node *n)
{
	if (le32_to_cpu(n->vn_epoch) != vx->epoch)
		return -ENOENT;
	if (n->vn_level > HNSW_MAX_LEVEL ||
	    le16_to_cpu(n->vn_count) > vx->ix.m0 ||
	    (n->vn_flags & ~VEXFS_VNODE_FLAGS_ALL) ||
	    (!n->vn_level != !n->vn_upper))
		return -EFSCORRUPTED;
	return 0;
}

static inline u8 *vx_node_code(struct vexfs_vindex_node *n)
{
	return (u8 *)(n + 1);
}

static inline __le32 *vx_node_links(struct vexfs_vindex *vx,
				    struct vexfs_vindex_node *n)
{
	return (__le32 *)(vx_node_code(n) + ALIGN(vx->ix.dim, 4));
}

/* The buffer and record of upper record @r (1-based); @held as above. */
static struct buffer_head *vx_upper_bh(struct vx_io *io, u32 r, bool create,
				       struct vexfs_vindex_upper **rec,
				       bool *held)
{
	struct vexfs_vindex *vx = io->vx;
	struct buffer_head *bh;
	u32 idx = r - 1;

	if (!r || r > vx->upper_used)
		return ERR_PTR(-EFSCORRUPTED);
	if (idx / vx->upper_per_block >= VEXFS_MAX_LBLK - VEXFS_VINDEX_UPPER_LBLK)
		return ERR_PTR(-EFBIG);
	bh = vx_getblk(io, VEXFS_VINDEX_UPPER_LBLK + idx / vx->upper_per_block,
		       create, held);
	if (bh == NULL)
		return ERR_PTR(-EFSCORRUPTED);	/* allocated records exist */
	if (!IS_ERR(bh))
		*rec = (void *)(bh->b_data +
				(idx % vx->upper_per_block) * vx->upper_size);
	return bh;
}

/*
 * The upper record holding @slot's list at @level (>= 1), checked
 * against its node record @n; @held as vx_getblk()'s.
 */
static struct buffer_head *vx_list_upper(struct vx_io *io, u32 slot, u32 level,
					 const struct vexfs_vindex_node *n,
					 struct vexfs_vindex_upper **u,
					 bool *held)
{
	struct buffer_head *bh;

	if (level > n->vn_level)
		return ERR_PTR(-EFSCORRUPTED);
	bh = vx_upper_bh(io, le32_to_cpu(n->vn_upper) + level - 1, false, u,
			 held);
	if (IS_ERR(bh))
		return bh;
	if (le32_to_cpu((*u)->vu_epoch) != io->vx->epoch ||
	    le32_to_cpu((*u)->vu_slot) != slot || (*u)->vu_level != level ||
	    le16_to_cpu((*u)->vu_count) > io->vx->ix.m) {
		vx_bput(bh, !held || *held);
		return ERR_PTR(-EFSCORRUPTED);
	}
	return bh;
}

/* ------------------------------------------------------------------ */
/* struct hnsw_ops over the index inode                                */
/* ------------------------------------------------------------------ */

static int vx_code_get(void *ctx, u32 slot, const u8 **code,
		       struct hnsw_nodeinfo *info, void **cookie)
{
	struct vx_io *io = ctx;
	struct vexfs_vindex_node *n;
	struct buffer_head *bh;
	bool held;
	int err;

	bh = vx_node_bh(io, slot, false, &n, &held);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	if (!bh)
		return -ENOENT;
	err = vx_node_live(io->vx, n);
	if (err) {
		vx_bput(bh, held);
		return err;
	}
	*code = vx_node_code(n);
	info->level = n->vn_level;
	info->flags = n->vn_flags;
	*cookie = held ? bh : NULL;	/* a pinned block: nothing to put */
	return 0;
}

static void vx_put(void *ctx, void *cookie)
{
	brelse(cookie);
}

/* Where a neighbour list lives, to read or rewrite it. */
struct vx_list {
	struct buffer_head *bh;		/* holds the record */
	bool held;			/* @bh is referenced (vx_getblk()) */
	void *rec;			/* the record, to reseal */
	u32 rec_size;
	__le16 *count;
	__le32 *links;
	u32 room;
};

/*
 * Find @slot's list at @level; the caller releases l->bh with
 * vx_bput(l->bh, l->held).  With @lend, a pinned block comes unreferenced.
 */
static int vx_list_get(struct vx_io *io, u32 slot, u32 level,
		       struct vx_list *l, bool lend)
{
	struct vexfs_vindex *vx = io->vx;
	struct vexfs_vindex_node *n;
	struct vexfs_vindex_upper *u;
	struct buffer_head *bh, *ubh;
	bool held = true, uheld = true;
	int err;

	bh = vx_node_bh(io, slot, false, &n, lend ? &held : NULL);
	if (IS_ERR_OR_NULL(bh))
		return bh ? PTR_ERR(bh) : -EFSCORRUPTED;
	err = vx_node_live(vx, n);
	if (err) {
		vx_bput(bh, held);
		return err == -ENOENT ? -EFSCORRUPTED : err;
	}
	if (!level) {
		*l = (struct vx_list){ bh, held, n, vx->node_size,
				       &n->vn_count, vx_node_links(vx, n),
				       vx->ix.m0 };
		return 0;
	}
	ubh = vx_list_upper(io, slot, level, n, &u, lend ? &uheld : NULL);
	vx_bput(bh, held);
	if (IS_ERR(ubh))
		return PTR_ERR(ubh);
	*l = (struct vx_list){ ubh, uheld, u, vx->upper_size, &u->vu_count,
			       (__le32 *)(u + 1), vx->ix.m };
	return 0;
}

static int vx_links_read(void *ctx, u32 slot, u32 level, u32 *out, u32 max)
{
	struct vx_list l;
	u32 cnt, i;
	int err;

	err = vx_list_get(ctx, slot, level, &l, true);
	if (err)
		return err;
	cnt = le16_to_cpu(*l.count);
	err = -EFSCORRUPTED;
	if (cnt <= max && cnt <= l.room) {
		for (i = 0; i < cnt; i++)
			out[i] = le32_to_cpu(l.links[i]);
		err = cnt;
	}
	vx_bput(l.bh, l.held);
	return err;
}

static int vx_links_write(void *ctx, u32 slot, u32 level, const u32 *in,
			  u32 cnt)
{
	struct vx_io *io = ctx;
	struct vx_list l;
	u32 i;
	int err;

	err = vx_list_get(io, slot, level, &l, false);
	if (err)
		return err;
	err = -EINVAL;
	if (cnt <= l.room) {
		for (i = 0; i < cnt; i++)
			l.links[i] = cpu_to_le32(in[i]);
		*l.count = cpu_to_le16(cnt);
		vx_rec_seal(io->sb, l.rec, l.rec_size);
		mark_buffer_dirty(l.bh);
		err = 0;
	}
	brelse(l.bh);
	return err;
}

/* Give @slot's node of @level its upper records, reusing what it owns. */
static int vx_upper_alloc(struct vx_io *io, u32 slot, u32 level, u32 old,
			  u32 *first)
{
	struct vexfs_vindex *vx = io->vx;
	struct vexfs_vindex_upper *u;
	struct buffer_head *bh;
	u32 r, lev;

	/* A tombstone being replaced keeps its level, and its records. */
	if (old && old <= vx->upper_used && old + level - 1 <= vx->upper_used) {
		*first = old;
	} else {
		if (vx->upper_used > U32_MAX - level)
			return -ENOSPC;
		*first = vx->upper_used + 1;
		vx->upper_used += level;
	}
	for (lev = 1; lev <= level; lev++) {
		r = *first + lev - 1;
		bh = vx_upper_bh(io, r, true, &u, NULL);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
		memset(u, 0, vx->upper_size);
		u->vu_epoch = cpu_to_le32(vx->epoch);
		u->vu_slot = cpu_to_le32(slot);
		u->vu_level = lev;
		vx_rec_seal(io->sb, u, vx->upper_size);
		mark_buffer_dirty(bh);
		brelse(bh);
	}
	return 0;
}

static int vx_node_write(void *ctx, u32 slot, const struct hnsw_nodeinfo *info,
			 const u8 *code)
{
	struct vx_io *io = ctx;
	struct vexfs_vindex *vx = io->vx;
	struct vexfs_vindex_node *n;
	struct buffer_head *bh;
	u32 old = 0, first = 0;
	int err;

	if (info->level > HNSW_MAX_LEVEL)
		return -EINVAL;
	bh = vx_node_bh(io, slot, true, &n, NULL);
	if (IS_ERR_OR_NULL(bh))
		return bh ? PTR_ERR(bh) : -EIO;
	if (!vx_node_live(vx, n) && n->vn_level == info->level)
		old = le32_to_cpu(n->vn_upper);
	if (info->level) {
		err = vx_upper_alloc(io, slot, info->level, old, &first);
		if (err) {
			brelse(bh);
			return err;
		}
	}
	memset(n, 0, vx->node_size);
	n->vn_epoch = cpu_to_le32(vx->epoch);
	n->vn_level = info->level;
	n->vn_flags = info->flags;
	n->vn_upper = cpu_to_le32(first);
	memcpy(vx_node_code(n), code, vx->ix.dim);
	vx_rec_seal(io->sb, n, vx->node_size);
	mark_buffer_dirty(bh);
	brelse(bh);
	return 0;
}

static int vx_node_set_flags(void *ctx, u32 slot, u8 flags)
{
	struct vx_io *io = ctx;
	struct vexfs_vindex_node *n;
	struct buffer_head *bh;
	int err;

	bh = vx_node_bh(io, slot, false, &n, NULL);
	if (IS_ERR_OR_NULL(bh))
		return bh ? PTR_ERR(bh) : -EFSCORRUPTED;
	err = vx_node_live(io->vx, n);
	if (!err) {
		n->vn_flags = flags & VEXFS_VNODE_FLAGS_ALL;
		vx_rec_seal(io->sb, n, io->vx->node_size);
		mark_buffer_dirty(bh);
	}
	brelse(bh);
	return err == -ENOENT ? -EFSCORRUPTED : err;
}

/* Compaction drops a tombstone: its record and its upper records. */
static int vx_node_free(void *ctx, u32 slot)
{
	struct vx_io *io = ctx;
	struct vexfs_vindex *vx = io->vx;
	struct vexfs_vindex_node *n;
	struct vexfs_vindex_upper *u;
	struct buffer_head *bh, *ubh;
	u32 lev;
	int err;

	bh = vx_node_bh(io, slot, false, &n, NULL);
	if (IS_ERR_OR_NULL(bh))
		return bh ? PTR_ERR(bh) : -EFSCORRUPTED;
	err = vx_node_live(vx, n);
	for (lev = 1; !err && lev <= n->vn_level; lev++) {
		ubh = vx_list_upper(io, slot, lev, n, &u, NULL);
		if (IS_ERR(ubh)) {
			err = PTR_ERR(ubh);
			break;
		}
		memset(u, 0, vx->upper_size);
		mark_buffer_dirty(ubh);
		brelse(ubh);
	}
	if (!err) {
		memset(n, 0, vx->node_size);
		mark_buffer_dirty(bh);
	}
	brelse(bh);
	return err;
}

/*
 * The float32 original of @slot, copied out of the store under c->rw.
 * The copy is kept after vec_put: the rerank asks for each candidate
 * twice (once to prefetch it, once to measure it), and the second time
 * the copy serves.  It may be a moment old then, which is no different
 * from having been read a moment later than it was.
 */
static int vx_vec_get(void *ctx, u32 slot, const u32 **vec, void **cookie)
{
	struct vx_io *io = ctx;
	struct vexfs_coll *c = vx_coll(io->vx);
	struct vexfs_vec_slot *hdr;
	u32 b;
	int err;

	for (b = 0; b < 2; b++) {
		if (!(io->vbusy & (1U << b)) && io->vslot[b] == slot &&
		    slot != HNSW_NONE)
			goto out;
	}
	b = io->vbusy & 1 ? 1 : 0;
	if (io->vbusy & (1U << b))
		return -EINVAL;		/* a third at once: not the contract */
	if (slot == HNSW_NONE || slot > READ_ONCE(c->slots))
		return -ENOENT;		/* a node the store outgrew: skip */
	hdr = io->vimg[b];
	io->vslot[b] = 0;
	err = vexfs_slot_read(io->store, c, slot, hdr);
	if (err)
		return err;
	if (!hdr->vs_ino ||
	    le32_to_cpu(hdr->vs_checksum) != vexfs_slot_csum(io->sb, c, hdr))
		return -ENOENT;
	io->vslot[b] = slot;
out:
	hdr = io->vimg[b];
	io->vbusy |= 1U << b;
	*vec = (const u32 *)hdr->vs_data;
	*cookie = (void *)(uintptr_t)(b + 1);
	return 0;
}

static void vx_vec_put(void *ctx, void *cookie)
{
	struct vx_io *io = ctx;

	io->vbusy &= ~(1U << ((uintptr_t)cookie - 1));
}

static const struct hnsw_ops vx_ops = {
	.code_get	= vx_code_get,
	.code_put	= vx_put,
	.links_read	= vx_links_read,
	.links_write	= vx_links_write,
	.node_write	= vx_node_write,
	.node_set_flags	= vx_node_set_flags,
	.node_free	= vx_node_free,
	.vec_get	= vx_vec_get,
	.vec_put	= vx_vec_put,
};

/* ------------------------------------------------------------------ */
/* Opening and closing an operation                                    */
/* ------------------------------------------------------------------ */

static void vx_io_end(struct vx_io *io)
{
	u32 i;

	if (io->bcache) {
		for (i = 0; i < VX_BCACHE; i++)
			brelse(io->bcache[i].bh);
		kfree(io->bcache);
	}
	if (io->ixi)
		iput(io->ixi);
	if (io->store)
		iput(io->store);
	kfree(io->img);
}

static int vx_io_begin(struct vexfs_vindex *vx, struct super_block *sb,
		       struct vx_io *io)
{
	struct vexfs_coll *c = vx_coll(vx);
	int err;

	memset(io, 0, sizeof(*io));
	io->vx = vx;
	io->sb = sb;
	io->img = kmalloc_array(3, c->slot_size, GFP_NOFS);
	if (!io->img)
		return -ENOMEM;
	io->vimg[0] = io->img + c->slot_size;
	io->vimg[1] = io->img + 2 * c->slot_size;
	io->store = vexfs_vec_hidden_iget(sb, c->store_ino, "vector store");
	if (IS_ERR(io->store)) {
		err = PTR_ERR(io->store);
		io->store = NULL;
		goto out;
	}
	io->ixi = vexfs_vec_hidden_iget(sb, READ_ONCE(c->index_ino),
					"vector index");
	if (IS_ERR(io->ixi)) {
		err = PTR_ERR(io->ixi);
		io->ixi = NULL;
		goto out;
	}
	return 0;
out:
	vx_io_end(io);
	return err;
}

/* ------------------------------------------------------------------ */
/* The header and the quantizer                                        */
/* ------------------------------------------------------------------ */

/* Sizes that follow from the collection's dim and m. */
static int vx_geometry(struct super_block *sb, struct vexfs_vindex *vx,
		       u32 dim, u32 m)
{
	u32 bs = sb->s_blocksize;

	vx->node_size = VEXFS_VINDEX_NODE_SIZE(dim, m);
	vx->upper_size = VEXFS_VINDEX_UPPER_SIZE(m);
	if (vx->node_size > bs)
		return -EOPNOTSUPP;
	vx->node_per_block = bs / vx->node_size;
	vx->upper_per_block = bs / vx->upper_size;
	vx->q_blocks = DIV_ROUND_UP(dim * 8, bs);
	vx->node_start = 1 + vx->q_blocks;
	return 0;
}

static u32 vx_q_csum(struct super_block *sb, struct vexfs_vindex *vx)
{
	u32 crc = VEXFS_SB(sb)->csum_seed, d;

	for (d = 0; d < vx->ix.dim; d++) {
		__le64 v = cpu_to_le64(vx->q_lo[d]);

		crc = crc32c(crc, &v, sizeof(v));
	}
	return crc;
}

/* Write the header (and with @quantizer the offsets); vx->rw exclusive. */
static int vx_write_header(struct vx_io *io, bool quantizer)
{
	struct vexfs_vindex *vx = io->vx;
	struct super_block *sb = io->sb;
	struct vexfs_vindex_header *h;
	struct buffer_head *bh;
	u32 b, d, per = sb->s_blocksize / 8;

	if (quantizer) {
		for (b = 0; b < vx->q_blocks; b++) {
			__le64 *q;

			bh = vx_getblk(io, 1 + b, true, NULL);
			if (IS_ERR_OR_NULL(bh))
				return bh ? PTR_ERR(bh) : -EIO;
			q = (__le64 *)bh->b_data;
			lock_buffer(bh);
			memset(q, 0, sb->s_blocksize);
			for (d = b * per; d < vx->ix.dim && d < (b + 1) * per; d++)
				q[d - b * per] = cpu_to_le64(vx->q_lo[d]);
			unlock_buffer(bh);
			mark_buffer_dirty(bh);
			brelse(bh);
		}
	}
	bh = vx_getblk(io, 0, true, NULL);
	if (IS_ERR_OR_NULL(bh))
		return bh ? PTR_ERR(bh) : -EIO;
	lock_buffer(bh);
	vexfs_block_init(sb, bh->b_data, VEXFS_VINDEX_MAGIC, bh->b_blocknr,
			 io->ixi->i_ino);
	h = (void *)bh->b_data;
	h->vh_version = cpu_to_le32(VEXFS_VINDEX_VERSION);
	h->vh_dim = cpu_to_le32(vx->ix.dim);
	h->vh_metric = vx->ix.metric;
	h->vh_trained = vx->ix.trained;
	h->vh_m = cpu_to_le16(vx->ix.m);
	h->vh_ef_construction = cpu_to_le16(vx->ix.ef_construction);
	h->vh_node_size = cpu_to_le16(vx->node_size);
	h->vh_upper_size = cpu_to_le16(vx->upper_size);
	h->vh_max_level = cpu_to_le16(vx->ix.max_level);
	h->vh_epoch = cpu_to_le32(vx->epoch);
	h->vh_seed = cpu_to_le64(vx->ix.seed);
	h->vh_q_exp = cpu_to_le32((u32)vx->ix.q_exp);
	h->vh_q_blocks = cpu_to_le32(vx->q_blocks);
	h->vh_q_step = cpu_to_le64(vx->ix.q_step);
	h->vh_entry = cpu_to_le32(vx->ix.entry);
	h->vh_node_start = cpu_to_le32(vx->node_start);
	h->vh_upper_used = cpu_to_le32(vx->upper_used);
	h->vh_q_checksum = cpu_to_le32(vx_q_csum(sb, vx));
	h->vh_live = cpu_to_le64(vx->ix.live);
	h->vh_deleted = cpu_to_le64(vx->ix.deleted);
	h->vh_slots = cpu_to_le64(vx->covered);
	vexfs_block_csum_set(sb, bh->b_data);
	set_buffer_vexfs_verified(bh);
	unlock_buffer(bh);
	mark_buffer_dirty(bh);
	brelse(bh);
	return 0;
}

/* Set up vx->ix for the collection's parameters (graph empty). */
static int vx_init_ix(struct vexfs_vindex *vx, u64 seed)
{
	struct vexfs_coll *c = vx_coll(vx);

	return hnsw_init(&vx->ix, c->dim, c->metric, c->hnsw_m,
			 c->hnsw_ef_construction, seed, vx->q_lo, &vx_ops, NULL);
}

/*
 * Read and check the header and the quantizer.  Return: 1 for a usable
 * index, 0 for one that was never built, or a negative errno (the index
 * must be rebuilt).  Caller: vx->rw exclusive.
 */
static int vx_load(struct vx_io *io)
{
	struct vexfs_vindex *vx = io->vx;
	struct vexfs_coll *c = vx_coll(vx);
	struct super_block *sb = io->sb;
	const struct vexfs_vindex_header *h;
	struct buffer_head *bh;
	const char *why = NULL;
	u32 b, d, q_csum, per = sb->s_blocksize / 8;
	int err;

	bh = vx_getblk(io, 0, false, NULL);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	if (!bh)
		return 0;
	err = vexfs_bh_verify(sb, bh, VEXFS_VINDEX_MAGIC, io->ixi->i_ino);
	if (err)
		goto out;
	h = (const void *)bh->b_data;
	err = vx_init_ix(vx, le64_to_cpu(h->vh_seed));
	if (err)
		goto out;
	if (le32_to_cpu(h->vh_version) != VEXFS_VINDEX_VERSION)
		why = "unknown version";
	else if (le32_to_cpu(h->vh_dim) != c->dim || h->vh_metric != c->metric ||
		 le16_to_cpu(h->vh_m) != c->hnsw_m ||
		 le16_to_cpu(h->vh_ef_construction) != c->hnsw_ef_construction)
		why = "parameters differ from the collection's";
	else if (le16_to_cpu(h->vh_node_size) != vx->node_size ||
		 le16_to_cpu(h->vh_upper_size) != vx->upper_size ||
		 le32_to_cpu(h->vh_q_blocks) != vx->q_blocks ||
		 le32_to_cpu(h->vh_node_start) != vx->node_start)
		why = "bad geometry";
	else if (!le32_to_cpu(h->vh_epoch) || h->vh_trained > 1 ||
		 le16_to_cpu(h->vh_max_level) > HNSW_MAX_LEVEL ||
		 le32_to_cpu(h->vh_entry) > VX_MAX_SLOT ||
		 (h->vh_entry && !h->vh_trained))
		why = "bad fields";
	if (why) {
		vexfs_err(sb, "collection %u: index header: %s; rebuilding",
			  c->id, why);
		err = -EFSCORRUPTED;
		goto out;
	}
	vx->epoch = le32_to_cpu(h->vh_epoch);
	vx->upper_used = le32_to_cpu(h->vh_upper_used);
	vx->covered = le64_to_cpu(h->vh_slots);
	vx->ix.trained = h->vh_trained;
	vx->ix.q_exp = (s32)le32_to_cpu(h->vh_q_exp);
	vx->ix.q_step = le64_to_cpu(h->vh_q_step);
	vx->ix.entry = le32_to_cpu(h->vh_entry);
	vx->ix.max_level = le16_to_cpu(h->vh_max_level);
	vx->ix.live = le64_to_cpu(h->vh_live);
	vx->ix.deleted = le64_to_cpu(h->vh_deleted);
	q_csum = le32_to_cpu(h->vh_q_checksum);
	brelse(bh);
	bh = NULL;
	if (!vx->ix.trained)
		return 0;
	if (!vx->ix.q_step) {
		err = -EFSCORRUPTED;
		goto out;
	}
	for (b = 0; b < vx->q_blocks; b++) {
		const __le64 *q;

		bh = vx_getblk(io, 1 + b, false, NULL);
		if (IS_ERR_OR_NULL(bh)) {
			err = bh ? PTR_ERR(bh) : -EFSCORRUPTED;
			bh = NULL;
			goto out;
		}
		q = (const __le64 *)bh->b_data;
		for (d = b * per; d < c->dim && d < (b + 1) * per; d++)
			vx->q_lo[d] = (s64)le64_to_cpu(q[d - b * per]);
		brelse(bh);
	}
	bh = NULL;
	if (vx_q_csum(sb, vx) != q_csum) {
		vexfs_err(sb, "collection %u: index quantizer does not verify; rebuilding",
			  c->id);
		return -EFSBADCRC;
	}
	vx_pin_size(vx);
	return 1;
out:
	brelse(bh);
	return err;
}

/* ------------------------------------------------------------------ */
/* Reading the store without joining a handle                          */
/* ------------------------------------------------------------------ */

/*
 * Copy slot @slot of the store into io->img, under c->rw shared.  Unlike
 * vexfs_slot_read() this never takes journal access to the store's
 * blocks, so the build worker may call it inside its handle.
 * Return: 1 for a used slot that verifies, 0 for a free (or unreadable
 * as a vector) slot, or a negative errno.
 */
static int vx_slot_read(struct vx_io *io, u64 slot)
{
	struct vexfs_coll *c = vx_coll(io->vx);
	struct vexfs_vec_slot *hdr = io->img;
	unsigned int bs = io->sb->s_blocksize, off, done = 0;
	u64 lblk;
	int err = 0;

	vexfs_slot_pos(c, slot, &lblk, &off);
	down_read(&c->rw);
	while (done < c->slot_size) {
		unsigned int n = min(c->slot_size - done, bs - off), len;
		struct buffer_head *bh;
		bool is_new;
		u64 pblk;

		err = vexfs_map_blocks(io->store, lblk, 1, false, &pblk, &len,
				       &is_new);
		if (err)
			break;
		if (!pblk) {
			memset(io->img + done, 0, n);
		} else {
			bh = vexfs_sb_bread(io->sb, pblk);
			if (!bh) {
				err = -EIO;
				break;
			}
			memcpy(io->img + done, bh->b_data + off, n);
			brelse(bh);
		}
		done += n;
		off = 0;
		lblk++;
	}
	up_read(&c->rw);
	if (err)
		return err;
	if (!hdr->vs_ino ||
	    le32_to_cpu(hdr->vs_checksum) != vexfs_slot_csum(io->sb, c, io->img))
		return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* State                                                               */
/* ------------------------------------------------------------------ */

/**
 * vexfs_vindex_init() - set up the index state of a collection in memory
 * @c: a collection being loaded or created
 * @sb: its filesystem
 */
void vexfs_vindex_init(struct vexfs_coll *c, struct super_block *sb)
{
	struct vexfs_vindex *vx = &c->vx;

	init_rwsem(&vx->rw);
	mutex_init(&vx->qlock);
	spin_lock_init(&vx->map_lock);
	INIT_WORK(&vx->work, vexfs_vindex_build_work);
	vx->sb = sb;
	vx->state = VX_UNLOADED;
	if (!c->hnsw_m)
		c->hnsw_m = VEXFS_HNSW_DEFAULT_M;
	if (!c->hnsw_ef_construction)
		c->hnsw_ef_construction = VEXFS_HNSW_DEFAULT_EF_CONSTRUCTION;
}

/**
 * vexfs_vindex_free() - free the memory of a collection's index state
 * @c: the collection; no build may be queued or running
 */
void vexfs_vindex_free(struct vexfs_coll *c)
{
	vx_unpin_all(&c->vx);
	kvfree(c->vx.q_lo);
	kvfree(c->vx.wscratch);
	kvfree(c->vx.qscratch);
}

/**
 * vexfs_vindex_forget() - a deleted collection's index lets go of its blocks
 * @c: the collection, marked dead; its index inode is about to be freed
 *
 * Drops the pin tables, so that no reference outlives the blocks (and
 * vx_pin() pins nothing more for a dead collection).
 *
 * Context: process context; takes vx->rw exclusive.
 */
void vexfs_vindex_forget(struct vexfs_coll *c)
{
	down_write(&c->vx.rw);
	vx_unpin_all(&c->vx);
	up_write(&c->vx.rw);
}

/* The writers' scratch, allocated once; vx->rw exclusive. */
static int vx_wscratch(struct vexfs_vindex *vx)
{
	unsigned int nofs;
	size_t size;

	size = hnsw_scratch_size(&vx->ix, vx->ix.ef_construction);
	if (vx->wscratch && vx->wscratch_size >= size)
		return 0;
	kvfree(vx->wscratch);
	/* Writers run inside a handle: no reclaim into the filesystem. */
	nofs = memalloc_nofs_save();
	vx->wscratch = kvmalloc(size, GFP_KERNEL);
	memalloc_nofs_restore(nofs);
	vx->wscratch_size = vx->wscratch ? size : 0;
	return vx->wscratch ? 0 : -ENOMEM;
}

static bool vx_can_write(struct super_block *sb)
{
	return !sb_rdonly(sb);
}

/*
 * Queue a (re)build; the state stays what it is until the worker runs.
 * vx->queued stays set until the build ends, so that a build is never
 * queued twice.  Caller: vx->rw exclusive.
 */
static void vx_queue_build(struct vexfs_vindex *vx)
{
	if (vx->queued || vx->stop || !vx_can_write(vx->sb) ||
	    vx_coll(vx)->dead)
		return;
	vx->queued = true;
	queue_work(system_long_wq, &vx->work);
}

/*
 * The index met an error while in use: stop using it and rebuild it.
 * Caller: vx->rw exclusive.
 */
static void vx_fail(struct vexfs_vindex *vx, int err, const char *what)
{
	struct vexfs_coll *c = vx_coll(vx);

	if (err == -ENOMEM)
		vexfs_warn(vx->sb, "collection %u: index %s: out of memory; searching exactly until it is rebuilt",
			   c->id, what);
	else
		vexfs_err(vx->sb, "collection %u: index %s failed (error %d); searching exactly until it is rebuilt",
			  c->id, what, err);
	vx->state = VEXFS_INDEX_FAILED;
	vx_queue_build(vx);
}

/*
 * Layout and quantizer memory for the collection's parameters.
 * Return: 0, -EOPNOTSUPP (no index possible) or -ENOMEM.
 * Caller: vx->rw exclusive.
 */
static int vx_prepare(struct vexfs_vindex *vx)
{
	struct vexfs_coll *c = vx_coll(vx);
	struct hnsw_index probe;

	/* A probe: vx->ix may be serving queries (a rebuild of a ready index). */
	if (vx_geometry(vx->sb, vx, c->dim, c->hnsw_m) ||
	    hnsw_init(&probe, c->dim, c->metric, c->hnsw_m,
		      c->hnsw_ef_construction, 0, NULL, &vx_ops, NULL) ==
	    -EOPNOTSUPP)
		return -EOPNOTSUPP;
	if (!vx->q_lo)
		vx->q_lo = kvcalloc(c->dim, sizeof(s64), GFP_NOFS);
	return vx->q_lo ? 0 : -ENOMEM;
}

/*
 * Bring the state up to date with the disk the first time the index is
 * needed in this mount.  Caller: vx->rw exclusive.
 */
static void vx_open(struct vexfs_vindex *vx)
{
	struct vexfs_coll *c = vx_coll(vx);
	struct vx_io io;
	int err;

	if (vx->state != VX_UNLOADED)
		return;
	if (!c->index_ino) {
		vx->state = VEXFS_INDEX_NONE;
		return;
	}
	err = vx_prepare(vx);
	if (err) {
		vx->state = err == -EOPNOTSUPP ? VEXFS_INDEX_UNSUPPORTED :
			    VEXFS_INDEX_FAILED;
		return;
	}
	if ((c->flags & VEXFS_COLL_INDEX_DIRTY) && !vx->dirty_ours) {
		/* Not cleanly written back: only a rebuild can trust it. */
		vx->state = VEXFS_INDEX_STALE;
		return;
	}
	err = vx_io_begin(vx, vx->sb, &io);
	if (!err) {
		err = vx_load(&io);
		vx_io_end(&io);
	}
	if (err < 0) {
		vexfs_err(vx->sb, "collection %u: cannot load the index (error %d)",
			  c->id, err);
		vx->state = VEXFS_INDEX_FAILED;
	} else {
		vx->state = err ? VEXFS_INDEX_READY : VEXFS_INDEX_NONE;
	}
}

static u32 vx_state(struct vexfs_vindex *vx)
{
	u32 state = READ_ONCE(vx->state);

	if (state == VX_UNLOADED) {
		down_write(&vx->rw);
		vx_open(vx);
		state = vx->state;
		up_write(&vx->rw);
	}
	return state;
}

/* May the writer of @slot change the graph?  Caller: vx->rw exclusive. */
static bool vx_covers(struct vexfs_vindex *vx, u64 slot)
{
	return vx->state == VEXFS_INDEX_READY ||
	       (vx->state == VEXFS_INDEX_BUILDING && slot < vx->cursor);
}

/* ------------------------------------------------------------------ */
/* Keeping the index in step with the store                            */
/* ------------------------------------------------------------------ */

/**
 * vexfs_vindex_set() - slot @slot of @c now holds @vec
 * @c: the collection
 * @slot: the slot just written (new or replaced)
 * @vec: the vector, float32 bits in CPU order
 *
 * Inserts the vector (or replaces the node of the slot) when the index
 * covers the slot; starts the first build when the collection reaches
 * VEXFS_INDEX_MIN_VECTORS.  An error makes the index FAILED (queries
 * search exactly) and queues a rebuild; the store is already written, so
 * nothing is lost and the caller's operation still succeeds.
 *
 * Context: inside the writer's handle (VEXFS_VINDEX_CREDITS), c->lock
 * held; may sleep.
 */
void vexfs_vindex_set(struct vexfs_coll *c, u64 slot, const u32 *vec)
{
	struct vexfs_vindex *vx = &c->vx;
	struct vx_io io;
	int err;

	switch (vx_state(vx)) {
	case VEXFS_INDEX_NONE:
		if (c->count >= VEXFS_INDEX_MIN_VECTORS &&
		    !READ_ONCE(vx->queued)) {
			down_write(&vx->rw);
			if (vx->state == VEXFS_INDEX_NONE)
				vx_queue_build(vx);
			up_write(&vx->rw);
		}
		return;
	case VEXFS_INDEX_READY:
	case VEXFS_INDEX_BUILDING:
		break;
	default:
		return;
	}
	down_write(&vx->rw);
	if (!vx_covers(vx, slot))
		goto out;
	err = vx_wscratch(vx);
	if (!err)
		err = vx_io_begin(vx, vx->sb, &io);
	if (!err) {
		vx->ix.ctx = &io;
		err = slot > VX_MAX_SLOT ? -EFBIG :
		      hnsw_insert(&vx->ix, slot, vec, vx->wscratch);
		vx->ix.ctx = NULL;
		vx_io_end(&io);
	}
	if (err)
		vx_fail(vx, err, "insert");
out:
	up_write(&vx->rw);
}

/**
 * vexfs_vindex_del() - slot @slot of @c no longer holds a vector
 * @c: the collection
 * @slot: the slot just cleared
 *
 * Leaves a tombstone and repairs the neighbours' lists (src/hnsw.c).
 *
 * Context: inside the writer's handle, c->lock held; may sleep.
 */
void vexfs_vindex_del(struct vexfs_coll *c, u64 slot)
{
	struct vexfs_vindex *vx = &c->vx;
	u32 state = vx_state(vx);
	struct vx_io io;
	int err;

	if (state != VEXFS_INDEX_READY && state != VEXFS_INDEX_BUILDING)
		return;
	down_write(&vx->rw);
	if (!vx_covers(vx, slot) || slot > VX_MAX_SLOT)
		goto out;
	err = vx_wscratch(vx);
	if (!err)
		err = vx_io_begin(vx, vx->sb, &io);
	if (!err) {
		vx->ix.ctx = &io;
		err = hnsw_delete(&vx->ix, slot, vx->wscratch);
		vx->ix.ctx = NULL;
		vx_io_end(&io);
	}
	if (err && err != -ENOENT)
		vx_fail(vx, err, "delete");
out:
	up_write(&vx->rw);
}

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

/* Give @c an index inode (the first build, or an older collection). */
static int vx_make_inode(struct vexfs_coll *c, struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct inode *root, *ixi;
	handle_t *handle;
	int err, stop;

	root = vexfs_iget(sb, c->root_ino);
	if (IS_ERR(root))
		return PTR_ERR(root);
	handle = vexfs_journal_start(sb, VEXFS_HIDDEN_INODE_CREDITS +
				     VEXFS_DESC_CREDITS + 1, 0);
	if (IS_ERR(handle)) {
		iput(root);
		return PTR_ERR(handle);
	}
	ixi = vexfs_new_hidden_inode(root, S_IFREG | 0600);
	if (IS_ERR(ixi)) {
		err = PTR_ERR(ixi);
		goto out;
	}
	unlock_new_inode(ixi);
	err = vexfs_super_get_write(sb);
	if (!err) {
		lock_buffer(sbi->sbh);
		spin_lock(&sbi->lock);
		sbi->raw->s_feature_ro_compat |=
			cpu_to_le32(VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX);
		spin_unlock(&sbi->lock);
		unlock_buffer(sbi->sbh);
		err = vexfs_commit_super(sb);
	}
	if (!err) {
		mutex_lock(&c->lock);
		if (c->dead) {
			err = -ENOENT;
		} else {
			c->index_ino = ixi->i_ino;
			c->flags |= VEXFS_COLL_INDEX_DIRTY;
			c->vx.dirty_ours = true;
			err = vexfs_coll_write_desc(sb, c);
		}
		mutex_unlock(&c->lock);
	}
	if (err) {
		WRITE_ONCE(c->index_ino, 0);
		clear_nlink(ixi);	/* eviction frees it */
	}
	iput(ixi);
out:
	stop = vexfs_journal_stop(handle);
	iput(root);
	return err ?: stop;
}

/* The level seed of a collection: fixed, so that rebuilds are the same. */
static u64 vx_seed(struct vexfs_coll *c, struct super_block *sb)
{
	u64 uuid;

	memcpy(&uuid, VEXFS_SB(sb)->raw->s_uuid, sizeof(uuid));
	return le64_to_cpu((__force __le64)uuid) ^
	       ((u64)c->id * 0x9e3779b97f4a7c15ULL);
}

static bool vx_stopped(struct vexfs_vindex *vx)
{
	return READ_ONCE(vx->stop) || READ_ONCE(vx_coll(vx)->dead);
}

/* Train a quantizer on every vector of the store, into @q. */
static int vx_train(struct vx_io *io, struct hnsw_index *t)
{
	struct vexfs_coll *c = vx_coll(io->vx);
	u64 s, slots = READ_ONCE(c->slots);
	int r;

	hnsw_train_begin(t);
	for (s = 1; s <= slots; s++) {
		r = vx_slot_read(io, s);
		if (r < 0)
			return r;
		if (r)
			hnsw_train_add(t, ((struct vexfs_vec_slot *)io->img)->vs_data);
		if (vx_stopped(io->vx))
			return -ECANCELED;
		cond_resched();
	}
	hnsw_train_end(t);
	return 0;
}

/* Start a new epoch: an empty graph with the trained quantizer @t. */
static int vx_reset(struct vx_io *io, struct hnsw_index *t)
{
	struct vexfs_vindex *vx = io->vx;
	struct vexfs_coll *c = vx_coll(vx);
	handle_t *handle;
	int err, stop;
	u32 epoch;

	handle = vexfs_journal_start(io->sb, 4 * VEXFS_EXT_INSERT_CREDITS +
				     VEXFS_INODE_CREDITS, 0);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	down_write(&vx->rw);
	/* Records of any earlier build must read as "no node". */
	epoch = vx->epoch + 1;
	if (!vx->epoch || vx->state == VX_UNLOADED ||
	    vx->state == VEXFS_INDEX_FAILED ||
	    vx->state == VEXFS_INDEX_STALE || !epoch)
		epoch = get_random_u32() | 1;	/* the old one is unknown */
	err = vx_init_ix(vx, vx_seed(c, io->sb));
	if (!err) {
		memcpy(vx->q_lo, t->q_lo, c->dim * sizeof(s64));
		vx->ix.q_exp = t->q_exp;
		vx->ix.q_step = t->q_step;
		vx->ix.trained = 1;
		vx->epoch = epoch;
		vx->upper_used = 0;
		vx->covered = 0;
		vx->cursor = 1;
		vx->state = VEXFS_INDEX_BUILDING;
		err = vx_wscratch(vx);
	}
	if (!err)
		err = vx_write_header(io, true);
	up_write(&vx->rw);
	stop = vexfs_journal_stop(handle);
	return err ?: stop;
}

/* Insert every stored vector, one transaction and one lock hold each. */
static int vx_fill(struct vx_io *io)
{
	struct vexfs_vindex *vx = io->vx;
	struct vexfs_coll *c = vx_coll(vx);
	handle_t *handle;
	int err = 0, stop;

	for (;;) {
		u64 s;

		if (vx_stopped(vx))
			return -ECANCELED;
		handle = vexfs_journal_start(io->sb, VEXFS_VINDEX_CREDITS, 0);
		if (IS_ERR(handle))
			return PTR_ERR(handle);
		down_write(&vx->rw);
		s = vx->cursor;
		if (s > READ_ONCE(c->slots)) {
			/* Caught up; writers keep it current from now on. */
			vx->covered = s - 1;
			vx->state = VEXFS_INDEX_READY;
			up_write(&vx->rw);
			vexfs_journal_stop(handle);
			return 0;
		}
		err = s > VX_MAX_SLOT ? -EFBIG : vx_slot_read(io, s);
		if (err > 0) {
			vx->ix.ctx = io;
			err = hnsw_insert(&vx->ix, s,
				((struct vexfs_vec_slot *)io->img)->vs_data,
				vx->wscratch);
			vx->ix.ctx = NULL;
		}
		if (!err)
			vx->cursor = s + 1;
		up_write(&vx->rw);
		stop = vexfs_journal_stop(handle);
		if (err)
			return err;
		if (stop)
			return stop;
		cond_resched();
	}
}

static int vx_build(struct vexfs_vindex *vx)
{
	struct vexfs_coll *c = vx_coll(vx);
	struct super_block *sb = vx->sb;
	struct hnsw_index t;
	struct vx_io io;
	s64 *tq;
	int err;

	if (!READ_ONCE(c->index_ino)) {
		err = vx_make_inode(c, sb);
		if (err)
			return err;
	}
	down_write(&vx->rw);
	if (vx->state == VX_UNLOADED)
		vx_open(vx);
	err = vx_prepare(vx);
	up_write(&vx->rw);
	if (err)
		return err;

	tq = kvcalloc(c->dim, sizeof(s64), GFP_KERNEL);
	if (!tq)
		return -ENOMEM;
	err = hnsw_init(&t, c->dim, c->metric, c->hnsw_m,
			c->hnsw_ef_construction, 0, tq, &vx_ops, NULL);
	if (!err)
		err = vx_io_begin(vx, sb, &io);
	if (err)
		goto out_free;
	err = vx_train(&io, &t);
	if (!err)
		err = vx_reset(&io, &t);
	if (!err)
		err = vx_fill(&io);
	if (!err) {
		/* Record the counts now; unmount writes them again. */
		handle_t *handle = vexfs_journal_start(sb, VEXFS_VINDEX_CREDITS, 0);

		if (!IS_ERR(handle)) {
			down_write(&vx->rw);
			if (vx->state == VEXFS_INDEX_READY)
				err = vx_write_header(&io, false);
			up_write(&vx->rw);
			vexfs_journal_stop(handle);
		}
	}
	vx_io_end(&io);
out_free:
	kvfree(tq);
	return err;
}

/**
 * vexfs_vindex_build_work() - build or rebuild one collection's index
 * @work: the index's work item
 *
 * Context: a workqueue; stopped by vexfs_vindex_stop() before unmount.
 */
void vexfs_vindex_build_work(struct work_struct *work)
{
	struct vexfs_vindex *vx = container_of(work, struct vexfs_vindex, work);
	struct vexfs_coll *c = vx_coll(vx);
	int err;

	err = vx_build(vx);
	down_write(&vx->rw);
	vx->queued = false;
	if (err == -EOPNOTSUPP) {
		vx->state = VEXFS_INDEX_UNSUPPORTED;
	} else if (err == -ECANCELED) {
		/* Unmount or deletion: the flag stays set, so next mount. */
		vx->state = VEXFS_INDEX_STALE;
	} else if (err) {
		vexfs_err(vx->sb, "collection %u: cannot build the index (error %d); searching exactly",
			  c->id, err);
		vx->state = VEXFS_INDEX_FAILED;
	}
	up_write(&vx->rw);
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

/*
 * A query's scratch: the one the index keeps when no other query holds
 * it (no allocation, and no vmalloc, for a stream of queries), else a
 * fresh one.  Sized for the search's width alone, which is what
 * hnsw_search() carves.  Caller: vx->rw shared.
 */
static void *vx_qscratch_get(struct vexfs_vindex *vx, u32 ef, bool *pooled)
{
	struct hnsw_index sized = vx->ix;
	size_t size;

	sized.ef_construction = max_t(u32, ef, VEXFS_HNSW_DEFAULT_EF);
	size = hnsw_scratch_size(&sized, sized.ef_construction);
	*pooled = false;
	if (mutex_trylock(&vx->qlock)) {
		if (vx->qscratch_size < size) {
			kvfree(vx->qscratch);
			vx->qscratch = kvmalloc(size, GFP_KERNEL);
			vx->qscratch_size = vx->qscratch ? size : 0;
		}
		if (vx->qscratch) {
			*pooled = true;
			return vx->qscratch;
		}
		mutex_unlock(&vx->qlock);
	}
	return kvmalloc(size, GFP_KERNEL);
}

static void vx_qscratch_put(struct vexfs_vindex *vx, void *scratch,
			    bool pooled)
{
	if (pooled)
		mutex_unlock(&vx->qlock);
	else
		kvfree(scratch);
}

/**
 * vexfs_vindex_query() - the nearest slots of a collection, by the index
 * @c: the collection
 * @qv: the query, dim float32 bits (checked finite)
 * @k: results wanted, 1..HNSW_MAX_K
 * @ef: search width (>= @k after clamping), 1..HNSW_MAX_EF
 * @hits: room for @k hits, filled nearest first with exact distances
 * @nhits: out: hits written
 *
 * Context: process context, no locks held; may sleep.
 * Return: 0, -EAGAIN when the index cannot answer now (the caller then
 * searches exactly), or -ENOMEM.
 */
int vexfs_vindex_query(struct vexfs_coll *c, const u32 *qv, u32 k, u32 ef,
		       struct hnsw_hit *hits, u32 *nhits)
{
	struct vexfs_vindex *vx = &c->vx;
	struct hnsw_index qix;
	struct vx_io io;
	void *scratch;
	bool pooled;
	int err;

	*nhits = 0;
	if (vx_state(vx) != VEXFS_INDEX_READY)
		return -EAGAIN;
	if (ef < k)
		ef = k;
	err = vx_io_begin(vx, vx->sb, &io);
	if (err)
		return err;
	down_read(&vx->rw);
	err = -EAGAIN;
	if (vx->state == VEXFS_INDEX_READY) {
		scratch = vx_qscratch_get(vx, ef, &pooled);
		err = -ENOMEM;
		if (scratch) {
			/* The shared fields are read-only to a search: a copy. */
			qix = vx->ix;
			qix.ctx = &io;
			err = hnsw_search(&qix, qv, k, ef, k, hits, nhits,
					  scratch);
			vx_qscratch_put(vx, scratch, pooled);
		}
	}
	up_read(&vx->rw);
	vx_io_end(&io);
	if (err && err != -EAGAIN && err != -ENOMEM) {
		down_write(&vx->rw);
		if (vx->state == VEXFS_INDEX_READY)
			vx_fail(vx, err, "search");
		up_write(&vx->rw);
		err = -EAGAIN;
	}
	if (!err)
		atomic64_inc(&vx->queries);
	return err;
}

/**
 * vexfs_vindex_peek_state() - the index state, without reading the disk
 * @c: the collection
 *
 * Context: any, even under the table lock.
 * Return: VEXFS_INDEX_*; an index not yet loaded in this mount reports
 * what its descriptor predicts.
 */
u32 vexfs_vindex_peek_state(struct vexfs_coll *c)
{
	u32 state = READ_ONCE(c->vx.state);

	if (state != VX_UNLOADED)
		return state;
	if (!c->index_ino)
		return VEXFS_INDEX_NONE;
	return (c->flags & VEXFS_COLL_INDEX_DIRTY) && !c->vx.dirty_ours ?
	       VEXFS_INDEX_STALE : VEXFS_INDEX_READY;
}

/**
 * vexfs_vindex_fill_stats() - the index's side of the stats ioctl
 * @c: the collection
 * @state: out: VEXFS_INDEX_*
 * @live: out: nodes without a tombstone (NULL: not wanted)
 * @deleted: out: tombstones
 * @bytes: out: bytes the index inode occupies
 * @queries: out: queries answered by the index since mount
 */
void vexfs_vindex_fill_stats(struct vexfs_coll *c, u32 *state, u64 *live,
			     u64 *deleted, u64 *bytes, u64 *queries)
{
	struct vexfs_vindex *vx = &c->vx;
	u64 ino = READ_ONCE(c->index_ino);

	*state = vx_state(vx);
	if (!live)
		return;
	down_read(&vx->rw);
	*live = vx->state == VEXFS_INDEX_READY ? vx->ix.live : 0;
	*deleted = vx->state == VEXFS_INDEX_READY ? vx->ix.deleted : 0;
	up_read(&vx->rw);
	*bytes = 0;
	if (ino) {
		struct inode *ixi = vexfs_iget_quiet(vx->sb, ino);

		if (!IS_ERR(ixi)) {
			*bytes = inode_get_bytes(ixi);
			iput(ixi);
		}
	}
	*queries = atomic64_read(&vx->queries);
}

/**
 * vexfs_vindex_ctl() - VEXFS_IOC_INDEX_CTL: wait, rebuild, compact
 * @c: the collection
 * @op: VEXFS_INDEX_OP_*
 * @state: out: the state afterwards
 *
 * Context: process context, no locks held; the caller checked
 * permissions and holds write access to the mount for REBUILD/COMPACT.
 * Return: 0, -EINTR, -EINVAL, -EROFS, or an error of the compaction.
 */
int vexfs_vindex_ctl(struct vexfs_coll *c, u32 op, u32 *state)
{
	struct vexfs_vindex *vx = &c->vx;
	struct vx_io io;
	int err = 0;

	vx_state(vx);
	switch (op) {
	case VEXFS_INDEX_OP_REBUILD:
		if (!vx_can_write(vx->sb))
			return -EROFS;
		down_write(&vx->rw);
		vx_queue_build(vx);
		up_write(&vx->rw);
		break;
	case VEXFS_INDEX_OP_COMPACT:
		down_write(&vx->rw);
		if (vx->state == VEXFS_INDEX_READY && vx->ix.deleted) {
			err = vx_io_begin(vx, vx->sb, &io);
			if (!err) {
				vx->ix.ctx = &io;
				err = vx_wscratch(vx);
				if (!err)
					err = hnsw_compact(&vx->ix,
						min_t(u64, READ_ONCE(c->slots),
						      VX_MAX_SLOT),
						vx->wscratch);
				vx->ix.ctx = NULL;
				vx_io_end(&io);
			}
			if (err)
				vx_fail(vx, err, "compaction");
		}
		up_write(&vx->rw);
		break;
	case VEXFS_INDEX_OP_WAIT:
		break;
	default:
		return -EINVAL;
	}
	/* Builds are rare and long: polling keeps the wake-up simple. */
	while (!err && op != VEXFS_INDEX_OP_COMPACT && READ_ONCE(vx->queued)) {
		if (msleep_interruptible(20) || signal_pending(current))
			return -EINTR;
	}
	*state = READ_ONCE(vx->state);
	return err;
}

/* ------------------------------------------------------------------ */
/* Mount and unmount                                                   */
/* ------------------------------------------------------------------ */

static int vx_collect(struct vexfs_coll *c, void *arg)
{
	struct vexfs_coll **list = arg;
	int i;

	for (i = 0; i < VEXFS_MAX_COLLECTIONS && list[i]; i++)
		;
	if (i < VEXFS_MAX_COLLECTIONS)
		list[i] = c;
	return 0;
}

/* The live collections of @sb, NULL-terminated, or NULL. */
static struct vexfs_coll **vx_all(struct super_block *sb)
{
	struct vexfs_coll **list;

	if (!VEXFS_SB(sb)->raw->s_collections_ino)
		return NULL;
	list = kvcalloc(VEXFS_MAX_COLLECTIONS + 1, sizeof(*list), GFP_KERNEL);
	if (list && vexfs_coll_for_each(sb, vx_collect, list)) {
		kvfree(list);
		list = NULL;
	}
	return list;
}

/* Write @c's descriptor with INDEX_DIRTY as @dirty, in its own handle. */
static int vx_mark(struct vexfs_coll *c, struct super_block *sb, bool dirty)
{
	handle_t *handle;
	int err, stop;

	handle = vexfs_journal_start(sb, VEXFS_DESC_CREDITS, 0);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	mutex_lock(&c->lock);
	if (dirty)
		c->flags |= VEXFS_COLL_INDEX_DIRTY;
	else
		c->flags &= ~VEXFS_COLL_INDEX_DIRTY;
	err = c->dead ? 0 : vexfs_coll_write_desc(sb, c);
	mutex_unlock(&c->lock);
	stop = vexfs_journal_stop(handle);
	return err ?: stop;
}

/* Make what was marked so far durable before any index block changes. */
static int vx_commit(struct super_block *sb)
{
	if (VEXFS_SB(sb)->journal)
		return vexfs_journal_sync_fs(sb, 1);
	return sync_blockdev(sb->s_bdev);
}

/**
 * vexfs_vindex_mount() - take charge of the indexes at a read-write mount
 * @sb: the filesystem, being mounted (or remounted) read-write
 *
 * Loads the indexes whose flag says they were written back cleanly, sets
 * VEXFS_COLL_INDEX_DIRTY on every index and commits it before anything
 * can change an index block, and queues a rebuild of every index that
 * was not clean (and a first build for collections large enough).  The
 * mount does not wait for the builds.  Errors are reported and leave the
 * index to exact search; they never fail the mount.
 */
void vexfs_vindex_mount(struct super_block *sb)
{
	struct vexfs_coll **list = vx_all(sb);
	bool marked = false;
	int i, err;

	if (!list)
		return;
	for (i = 0; list[i]; i++) {
		struct vexfs_vindex *vx = &list[i]->vx;

		WRITE_ONCE(vx->stop, false);
		down_write(&vx->rw);
		vx_open(vx);
		up_write(&vx->rw);
		if (list[i]->index_ino &&
		    !(list[i]->flags & VEXFS_COLL_INDEX_DIRTY)) {
			err = vx_mark(list[i], sb, true);
			if (err) {
				vexfs_err(sb, "collection %u: cannot mark the index in use (error %d)",
					  list[i]->id, err);
				vx->state = VEXFS_INDEX_FAILED;
				continue;
			}
			marked = true;
		}
		vx->dirty_ours = true;
	}
	if (marked) {
		err = vx_commit(sb);
		if (err)
			vexfs_err(sb, "cannot commit the index flags (error %d)",
				  err);
	}
	for (i = 0; list[i]; i++) {
		struct vexfs_coll *c = list[i];
		u32 state = c->vx.state;

		if (state == VEXFS_INDEX_STALE || state == VEXFS_INDEX_FAILED ||
		    (state == VEXFS_INDEX_NONE &&
		     c->count >= VEXFS_INDEX_MIN_VECTORS))
			vx_queue_build(&c->vx);
	}
	kvfree(list);
}

static void vx_stop_one(struct vexfs_coll *c)
{
	WRITE_ONCE(c->vx.stop, true);
	cancel_work_sync(&c->vx.work);
	/* Cancelled before it ran, the index stays as it was. */
	WRITE_ONCE(c->vx.queued, false);
}

/**
 * vexfs_vindex_stop() - stop every index build of a filesystem
 * @sb: the filesystem, about to be unmounted or remounted read-only
 */
void vexfs_vindex_stop(struct super_block *sb)
{
	vexfs_coll_for_each_all(sb, vx_stop_one);
}

/**
 * vexfs_vindex_unmount() - write the indexes back and mark them clean
 * @sb: the filesystem, being unmounted or remounted read-only, with its
 *	builds stopped (vexfs_vindex_stop())
 *
 * Writes each ready index's header, waits for every index block to reach
 * the disk, and only then clears VEXFS_COLL_INDEX_DIRTY (which the
 * journal's final commit makes durable).  An index that is not ready
 * keeps its flag and is rebuilt at the next read-write mount.
 */
void vexfs_vindex_unmount(struct super_block *sb)
{
	struct vexfs_coll **list = vx_all(sb);
	struct vx_io io;
	int i, err;

	if (!list)
		return;
	for (i = 0; list[i]; i++) {
		struct vexfs_vindex *vx = &list[i]->vx;

		if (vx->state != VEXFS_INDEX_READY || !vx->dirty_ours)
			continue;
		err = vx_io_begin(vx, sb, &io);
		if (!err) {
			down_write(&vx->rw);
			err = vx_write_header(&io, false);
			up_write(&vx->rw);
			vx_io_end(&io);
		}
		if (err)
			vx->state = VEXFS_INDEX_FAILED;
	}
	err = sync_blockdev(sb->s_bdev);
	for (i = 0; list[i]; i++) {
		struct vexfs_coll *c = list[i];
		u32 state = c->vx.state;

		if (!c->index_ino || !c->vx.dirty_ours || err)
			continue;
		if (state == VEXFS_INDEX_READY ||
		    (state == VEXFS_INDEX_NONE && !c->vx.ix.trained))
			if (!vx_mark(c, sb, false))
				c->vx.dirty_ours = false;
	}
	kvfree(list);
}
