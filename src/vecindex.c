// SPDX-License-Identifier: GPL-2.0
/*
 * vecindex.c - the ANN index (HNSW) of a vector collection: its storage.
 *
 * The graph algorithm is common/hnsw.c; this file gives it storage (the
 * hidden index inode, read and written through the buffer cache with the
 * layout of include/vexfs_format.h): the map cache, the pin tables, the
 * records and struct hnsw_ops over them.  vecbuild.c keeps the index in
 * step with the vector store and builds and rebuilds it in the
 * background; vecquery.c answers queries with it and takes charge of it
 * at mount and unmount.  vecindex.h holds what the three share.  This
 * comment describes the whole index: the other two files point here.
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

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/buffer_head.h>
#include <linux/sched/mm.h>
#include <linux/hash.h>

#include "vecindex.h"

/* Blocks allocated at once when the index file grows. */
#define VX_GROW_BLOCKS		16
/*
 * Buffers an operation keeps referenced, by logical block: a search or
 * an insert reads the same blocks many times (a block holds several
 * nodes, and a node's list and code are read apart), and a hit here
 * saves the buffer cache lookup.  Bounded: 256 references at most.
 */
#define VX_BCACHE_BITS		8
#define VX_BCACHE		(1U << VX_BCACHE_BITS)

struct vx_bcache {
	u32 lblk;
	struct buffer_head *bh;
};

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

/**
 * vexfs_vx_pin_size() - size the pin tables for the index as loaded
 * @vx: the index
 *
 * A failure to allocate only leaves blocks unpinned.
 *
 * Context: vx->rw exclusive; may sleep.
 */
void vexfs_vx_pin_size(struct vexfs_vindex *vx)
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

/**
 * vexfs_vx_unpin_all() - drop every pinned buffer
 * @vx: the index
 *
 * Context: vx->rw exclusive, or the index is no longer used by anyone
 * (collection freed at unmount).
 */
void vexfs_vx_unpin_all(struct vexfs_vindex *vx)
{
	vx_unpin_tab(vx, &vx->pin_node, &vx->pin_node_len);
	vx_unpin_tab(vx, &vx->pin_upper, &vx->pin_upper_len);
}

/* ------------------------------------------------------------------ */
/* Reading and creating index blocks                                   */
/* ------------------------------------------------------------------ */

static int vx_verify_block(struct vx_io *io, struct buffer_head *bh, u32 lblk);

/**
 * vexfs_vx_getblk() - a block of the index, by logical number
 * @io: the operation
 * @lblk: the logical block
 * @create: allocate (and zero) it if it is a hole
 * @held: NULL, or out: whether the caller got a reference
 *
 * Blocks are verified record by record when they come from disk
 * (vx_verify_block()).
 *
 * With @held NULL the caller always gets a reference of its own.
 * Otherwise *@held says whether it did: a block of the pin tables is
 * lent, with no reference counted (the table's keeps it, and the tables
 * change only under vx->rw exclusive, which the caller's hold of vx->rw
 * excludes).  Release with vx_bput().  A block read from disk here is
 * pinned when its table entry is free and the budget allows.
 *
 * Context: vx->rw held, shared or exclusive; with @create exclusive, and
 * inside a handle if the block may be a hole; may sleep.
 * Return: the buffer, NULL for a hole (when !@create), or an ERR_PTR.
 */
struct buffer_head *vexfs_vx_getblk(struct vx_io *io, u32 lblk, bool create,
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

/* Release a buffer of vexfs_vx_getblk(): only a reference of the caller's. */
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
	return vexfs_vindex_rec_csum(VEXFS_SB(sb)->csum_seed, rec, size);
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
 * record in it.  @create allocates the block.  @held as vexfs_vx_getblk()'s.
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
	bh = vexfs_vx_getblk(io, lblk, create, held);
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
	bh = vexfs_vx_getblk(io,
			     VEXFS_VINDEX_UPPER_LBLK + idx / vx->upper_per_block,
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
 * against its node record @n; @held as vexfs_vx_getblk()'s.
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
	bool held;			/* @bh is referenced (vexfs_vx_getblk()) */
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

/* The index inode as the core's storage; the ctx is a struct vx_io. */
const struct hnsw_ops vexfs_vx_ops = {
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

/**
 * vexfs_vx_io_end() - end an operation on the index
 * @io: the operation, begun by vexfs_vx_io_begin()
 *
 * Releases the operation's buffers, its inodes and its slot images.
 *
 * Context: process context; may sleep.
 */
void vexfs_vx_io_end(struct vx_io *io)
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

/**
 * vexfs_vx_io_begin() - begin an operation on the index
 * @vx: the index
 * @sb: its filesystem
 * @io: out: the operation, the hnsw ctx of the core's calls
 *
 * Gets the index and store inodes and the operation's slot images; end
 * it with vexfs_vx_io_end().
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno (@io then holds nothing).
 */
int vexfs_vx_io_begin(struct vexfs_vindex *vx, struct super_block *sb,
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
	vexfs_vx_io_end(io);
	return err;
}
