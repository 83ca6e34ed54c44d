// SPDX-License-Identifier: GPL-2.0
/*
 * vecquery.c - the ANN index of a vector collection in use: queries,
 * the index's side of the stats and index-control ioctls, and taking
 * charge of the indexes at mount and letting go of them at unmount.
 * vecsearch.c calls the query here and falls back to an exact scan when
 * the index cannot answer.  The top comment of vecindex.c explains the
 * design, the states and the locking.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/sched/signal.h>

#include "vecindex.h"

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
	if (vexfs_vx_state(vx) != VEXFS_INDEX_READY)
		return -EAGAIN;
	if (ef < k)
		ef = k;
	err = vexfs_vx_io_begin(vx, vx->sb, &io);
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
	vexfs_vx_io_end(&io);
	if (err && err != -EAGAIN && err != -ENOMEM) {
		down_write(&vx->rw);
		if (vx->state == VEXFS_INDEX_READY)
			vexfs_vx_fail(vx, err, "search");
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

	*state = vexfs_vx_state(vx);
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

	vexfs_vx_state(vx);
	switch (op) {
	case VEXFS_INDEX_OP_REBUILD:
		if (!vx_can_write(vx->sb))
			return -EROFS;
		down_write(&vx->rw);
		vexfs_vx_queue_build(vx);
		up_write(&vx->rw);
		break;
	case VEXFS_INDEX_OP_COMPACT:
		down_write(&vx->rw);
		if (vx->state == VEXFS_INDEX_READY && vx->ix.deleted) {
			err = vexfs_vx_io_begin(vx, vx->sb, &io);
			if (!err) {
				vx->ix.ctx = &io;
				err = vexfs_vx_wscratch(vx);
				if (!err)
					err = hnsw_compact(&vx->ix,
						min_t(u64, READ_ONCE(c->slots),
						      VX_MAX_SLOT),
						vx->wscratch);
				vx->ix.ctx = NULL;
				vexfs_vx_io_end(&io);
			}
			if (err)
				vexfs_vx_fail(vx, err, "compaction");
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
		vexfs_vx_open(vx);
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
			vexfs_vx_queue_build(&c->vx);
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
	vexfs_coll_visit_all(sb, vx_stop_one);
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
		err = vexfs_vx_io_begin(vx, sb, &io);
		if (!err) {
			down_write(&vx->rw);
			err = vexfs_vx_write_header(&io, false);
			up_write(&vx->rw);
			vexfs_vx_io_end(&io);
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
