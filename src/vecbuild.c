// SPDX-License-Identifier: GPL-2.0
/*
 * vecbuild.c - building the ANN index of a vector collection.
 *
 * The index's state in memory, its header and quantizer, keeping it in
 * step with the vector store as vectors are set and cleared, and the
 * background worker that builds and rebuilds it: it trains the quantizer
 * on every stored vector, then inserts them slot by slot, one
 * transaction each.  The index's storage is vecindex.c, whose top
 * comment explains the design, the states and the locking.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32c.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/buffer_head.h>
#include <linux/workqueue.h>
#include <linux/random.h>
#include <linux/sched/mm.h>

#include "vecindex.h"

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

/**
 * vexfs_vx_write_header() - write the index header
 * @io: the operation
 * @quantizer: write the quantizer's offsets too
 *
 * Context: vx->rw exclusive; may sleep.
 * Return: 0 or a negative errno.
 */
int vexfs_vx_write_header(struct vx_io *io, bool quantizer)
{
	struct vexfs_vindex *vx = io->vx;
	struct super_block *sb = io->sb;
	struct vexfs_vindex_header *h;
	struct buffer_head *bh;
	u32 b, d, per = sb->s_blocksize / 8;

	if (quantizer) {
		for (b = 0; b < vx->q_blocks; b++) {
			__le64 *q;

			bh = vexfs_vx_getblk(io, 1 + b, true, NULL);
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
	bh = vexfs_vx_getblk(io, 0, true, NULL);
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
			 c->hnsw_ef_construction, seed, vx->q_lo, &vexfs_vx_ops,
			 NULL);
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

	bh = vexfs_vx_getblk(io, 0, false, NULL);
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

		bh = vexfs_vx_getblk(io, 1 + b, false, NULL);
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
	vexfs_vx_pin_size(vx);
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
	vexfs_vx_unpin_all(&c->vx);
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
	vexfs_vx_unpin_all(&c->vx);
	up_write(&c->vx.rw);
}

/**
 * vexfs_vx_wscratch() - the writers' scratch, allocated once
 * @vx: the index; vx->wscratch is sized for its ef_construction
 *
 * Context: vx->rw exclusive; may sleep.
 * Return: 0 or -ENOMEM.
 */
int vexfs_vx_wscratch(struct vexfs_vindex *vx)
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

/**
 * vexfs_vx_queue_build() - queue a (re)build of the index
 * @vx: the index
 *
 * The state stays what it is until the worker runs.  vx->queued stays
 * set until the build ends, so that a build is never queued twice.
 *
 * Context: vx->rw exclusive.
 */
void vexfs_vx_queue_build(struct vexfs_vindex *vx)
{
	if (vx->queued || vx->stop || !vx_can_write(vx->sb) ||
	    vx_coll(vx)->dead)
		return;
	vx->queued = true;
	queue_work(system_long_wq, &vx->work);
}

/**
 * vexfs_vx_fail() - the index met an error while in use
 * @vx: the index
 * @err: the error
 * @what: the operation that met it, for the message
 *
 * Stops using the index (queries search exactly) and queues a rebuild.
 *
 * Context: vx->rw exclusive.
 */
void vexfs_vx_fail(struct vexfs_vindex *vx, int err, const char *what)
{
	struct vexfs_coll *c = vx_coll(vx);

	if (err == -ENOMEM)
		vexfs_warn(vx->sb, "collection %u: index %s: out of memory; searching exactly until it is rebuilt",
			   c->id, what);
	else
		vexfs_err(vx->sb, "collection %u: index %s failed (error %d); searching exactly until it is rebuilt",
			  c->id, what, err);
	vx->state = VEXFS_INDEX_FAILED;
	vexfs_vx_queue_build(vx);
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
		      c->hnsw_ef_construction, 0, NULL, &vexfs_vx_ops, NULL) ==
	    -EOPNOTSUPP)
		return -EOPNOTSUPP;
	if (!vx->q_lo)
		vx->q_lo = kvcalloc(c->dim, sizeof(s64), GFP_NOFS);
	return vx->q_lo ? 0 : -ENOMEM;
}

/**
 * vexfs_vx_open() - load the index the first time it is needed
 * @vx: the index
 *
 * Brings the state up to date with the disk the first time the index is
 * needed in this mount; does nothing afterwards.
 *
 * Context: vx->rw exclusive; may sleep.
 */
void vexfs_vx_open(struct vexfs_vindex *vx)
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
	err = vexfs_vx_io_begin(vx, vx->sb, &io);
	if (!err) {
		err = vx_load(&io);
		vexfs_vx_io_end(&io);
	}
	if (err < 0) {
		vexfs_err(vx->sb, "collection %u: cannot load the index (error %d)",
			  c->id, err);
		vx->state = VEXFS_INDEX_FAILED;
	} else {
		vx->state = err ? VEXFS_INDEX_READY : VEXFS_INDEX_NONE;
	}
}

/**
 * vexfs_vx_state() - the index state, loading the index if need be
 * @vx: the index
 *
 * Context: process context; takes vx->rw exclusive the first time.
 * Return: VEXFS_INDEX_*.
 */
u32 vexfs_vx_state(struct vexfs_vindex *vx)
{
	u32 state = READ_ONCE(vx->state);

	if (state == VX_UNLOADED) {
		down_write(&vx->rw);
		vexfs_vx_open(vx);
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

	switch (vexfs_vx_state(vx)) {
	case VEXFS_INDEX_NONE:
		if (c->count >= VEXFS_INDEX_MIN_VECTORS &&
		    !READ_ONCE(vx->queued)) {
			down_write(&vx->rw);
			if (vx->state == VEXFS_INDEX_NONE)
				vexfs_vx_queue_build(vx);
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
	err = vexfs_vx_wscratch(vx);
	if (!err)
		err = vexfs_vx_io_begin(vx, vx->sb, &io);
	if (!err) {
		vx->ix.ctx = &io;
		err = slot > VX_MAX_SLOT ? -EFBIG :
		      hnsw_insert(&vx->ix, slot, vec, vx->wscratch);
		vx->ix.ctx = NULL;
		vexfs_vx_io_end(&io);
	}
	if (err)
		vexfs_vx_fail(vx, err, "insert");
out:
	up_write(&vx->rw);
}

/**
 * vexfs_vindex_del() - slot @slot of @c no longer holds a vector
 * @c: the collection
 * @slot: the slot just cleared
 *
 * Leaves a tombstone and repairs the neighbours' lists (common/hnsw.c).
 *
 * Context: inside the writer's handle, c->lock held; may sleep.
 */
void vexfs_vindex_del(struct vexfs_coll *c, u64 slot)
{
	struct vexfs_vindex *vx = &c->vx;
	u32 state = vexfs_vx_state(vx);
	struct vx_io io;
	int err;

	if (state != VEXFS_INDEX_READY && state != VEXFS_INDEX_BUILDING)
		return;
	down_write(&vx->rw);
	if (!vx_covers(vx, slot) || slot > VX_MAX_SLOT)
		goto out;
	err = vexfs_vx_wscratch(vx);
	if (!err)
		err = vexfs_vx_io_begin(vx, vx->sb, &io);
	if (!err) {
		vx->ix.ctx = &io;
		err = hnsw_delete(&vx->ix, slot, vx->wscratch);
		vx->ix.ctx = NULL;
		vexfs_vx_io_end(&io);
	}
	if (err && err != -ENOENT)
		vexfs_vx_fail(vx, err, "delete");
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
		err = vexfs_vx_wscratch(vx);
	}
	if (!err)
		err = vexfs_vx_write_header(io, true);
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
		vexfs_vx_open(vx);
	err = vx_prepare(vx);
	up_write(&vx->rw);
	if (err)
		return err;

	tq = kvcalloc(c->dim, sizeof(s64), GFP_KERNEL);
	if (!tq)
		return -ENOMEM;
	err = hnsw_init(&t, c->dim, c->metric, c->hnsw_m,
			c->hnsw_ef_construction, 0, tq, &vexfs_vx_ops, NULL);
	if (!err)
		err = vexfs_vx_io_begin(vx, sb, &io);
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
				err = vexfs_vx_write_header(&io, false);
			up_write(&vx->rw);
			vexfs_journal_stop(handle);
		}
	}
	vexfs_vx_io_end(&io);
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
