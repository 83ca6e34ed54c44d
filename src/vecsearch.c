// SPDX-License-Identifier: GPL-2.0
/*
 * vecsearch.c - k-nearest-neighbour search of a collection: by the ANN
 * index when it is ready (vecquery.c), else exactly.  It works on kernel
 * buffers only: ioctl.c copies the query in and the answer out.
 *
 * With the index, the graph gives the nearest slots with exact distances
 * (reranked on the stored originals), and each is resolved and checked
 * as below, nearest first, until k visible files are found.  If the
 * index's candidates run out before that (most of them invisible to the
 * caller, or outside the directory queried), the query falls back to
 * the exact scan, so permissions never shrink an answer.
 *
 * A query compares the query vector with every stored vector of the
 * collection, reading the store block by block through the buffer cache,
 * with the integer-only exact arithmetic of vexfs_vecmath.h, and keeps the
 * k best in a bounded max-heap (worst on top).
 *
 * Permissions are applied while the heap is filled, not after: a stored
 * vector that would enter the heap is first resolved to its inode and
 * checked (the caller may read the file, and may read and search every
 * directory between the queried directory and the file).  So a file the
 * caller cannot see never displaces one it can, and the answer is the k
 * nearest visible files.  Only vectors that beat the current k-th best are
 * resolved, which on unordered data is O(k log n) of them.
 *
 * Resolution needs the file's dentry: the dcache alias when there is one,
 * otherwise the path is rebuilt from the parent pointers (i_parent) up to
 * a cached ancestor, each step finding the child's name in its parent's
 * directory and looking it up, so nothing but those directories is read.
 * A file renamed, unlinked or reused meanwhile fails a check and is simply
 * not reported.
 *
 * Bounds: k <= VEXFS_QUERY_MAX_K; scratch memory is the heap (k entries),
 * one block's candidates and one slot image: O(k + block size + dim).
 *
 * Locking: the store is read under coll->rw shared, one block at a time;
 * it is released before any inode is looked up or put, because putting the
 * last reference of an unlinked inode frees its slot under coll->rw.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/dcache.h>
#include <linux/sched/signal.h>
#include <linux/sort.h>

#include "vexfs.h"
#include "vector.h"

#ifdef __BIG_ENDIAN
#error "the exact search reads little-endian floats in place"
#endif

/* Deepest directory chain rebuilt from parent pointers. */
#define VEXFS_QUERY_MAX_DEPTH	2048

struct vexfs_cand {
	struct vec_num d;
	u64 ino;
	u64 slot;
	u32 gen;
};

struct vexfs_qctx {
	struct super_block *sb;
	struct vexfs_coll *c;
	struct dentry *dir;
	const u32 *qv;
	struct vec_query prep;		/* the query's share of each distance */
	u32 k;
	u32 n;				/* entries in heap */
	struct vexfs_cand *heap;	/* max-heap: heap[0] is the worst */
	struct vexfs_cand *blk;		/* candidates of one block */
	void *img;			/* one slot, for slots spanning blocks */
	u64 scanned;
	u64 bad_slot;			/* last slot that failed to verify */
};

/* Order: distance, then inode number, so that ties rank the same always. */
static int vexfs_cand_cmp(const struct vexfs_cand *a, const struct vexfs_cand *b)
{
	int r = vec_num_cmp(&a->d, &b->d);

	if (r)
		return r;
	return a->ino < b->ino ? -1 : a->ino > b->ino;
}

static void vexfs_heap_down(struct vexfs_cand *h, u32 n, u32 i)
{
	for (;;) {
		u32 l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && vexfs_cand_cmp(&h[l], &h[m]) > 0)
			m = l;
		if (r < n && vexfs_cand_cmp(&h[r], &h[m]) > 0)
			m = r;
		if (m == i)
			return;
		swap(h[i], h[m]);
		i = m;
	}
}

static void vexfs_heap_push(struct vexfs_qctx *q, const struct vexfs_cand *e)
{
	u32 i;

	if (q->n == q->k) {		/* replace the worst */
		q->heap[0] = *e;
		vexfs_heap_down(q->heap, q->n, 0);
		return;
	}
	i = q->n++;
	q->heap[i] = *e;
	while (i) {
		u32 p = (i - 1) / 2;

		if (vexfs_cand_cmp(&q->heap[i], &q->heap[p]) <= 0)
			break;
		swap(q->heap[i], q->heap[p]);
		i = p;
	}
}

/* Would @e enter the heap? */
static bool vexfs_heap_wants(const struct vexfs_qctx *q,
			     const struct vexfs_cand *e)
{
	return q->n < q->k || vexfs_cand_cmp(e, &q->heap[0]) < 0;
}

/* ------------------------------------------------------------------ */
/* Resolving a hit to a path the caller may see                        */
/* ------------------------------------------------------------------ */

/*
 * A connected dentry for @inode: its alias, or one rebuilt from the parent
 * pointers.  Consumes nothing; returns a referenced dentry or an ERR_PTR.
 */
static struct dentry *vexfs_q_connect(struct super_block *sb,
				      struct inode *inode)
{
	struct inode **chain = NULL, *cur;
	struct dentry *d;
	char *name = NULL;
	int n = 0, err = 0;

	d = d_find_alias(inode);
	if (d)
		return d;
	chain = kmalloc_array(VEXFS_QUERY_MAX_DEPTH, sizeof(*chain), GFP_NOFS);
	name = kmalloc(VEXFS_NAME_LEN + 1, GFP_NOFS);
	if (!chain || !name) {
		err = -ENOMEM;
		goto out;
	}
	cur = igrab(inode);
	if (!cur) {
		err = -ESTALE;
		goto out;
	}
	/* Climb until an ancestor is in the dcache (the root always is). */
	for (;;) {
		struct inode *parent;

		d = d_find_alias(cur);
		if (d)
			break;
		if (cur->i_ino == VEXFS_ROOT_INO || n == VEXFS_QUERY_MAX_DEPTH) {
			iput(cur);
			err = -ELOOP;
			goto out;
		}
		chain[n++] = cur;
		parent = vexfs_iget_quiet(sb, VEXFS_I(cur)->i_parent);
		if (IS_ERR(parent)) {
			err = PTR_ERR(parent);
			goto out;
		}
		if (!S_ISDIR(parent->i_mode)) {
			iput(parent);
			err = -ESTALE;
			goto out;
		}
		cur = parent;
	}
	iput(cur);
	/* Come back down, looking each name up in its parent. */
	while (n) {
		struct inode *child = chain[n - 1];
		struct dentry *cd;
		unsigned int len;

		inode_lock_shared(d_inode(d));
		err = vexfs_dir_name_of(d_inode(d), child->i_ino, name, &len);
		inode_unlock_shared(d_inode(d));
		if (!err) {
			cd = vexfs_lookup_one_unlocked(name, d, len);
			if (IS_ERR(cd))
				err = PTR_ERR(cd);
			else if (d_inode(cd) != child) {
				dput(cd);
				err = -ESTALE;
			}
		}
		dput(d);
		if (err) {
			d = NULL;
			goto out;
		}
		d = cd;
		iput(child);
		n--;
	}
out:
	while (n)
		iput(chain[--n]);
	kfree(chain);
	kfree(name);
	return err ? ERR_PTR(err) : d;
}

/*
 * Check that the hit @e is a live file of the collection below q->dir that
 * the caller may read, reached through directories the caller may read and
 * search; with @path, also write its path relative to q->dir there (an
 * empty string if longer than @size).
 */
static int vexfs_q_resolve(struct vexfs_qctx *q, const struct vexfs_cand *e,
			   char *path, u32 size)
{
	struct inode *inode;
	struct dentry *d, *p;
	u32 pos = size;
	bool too_long = false;
	int err;

	inode = vexfs_iget_quiet(q->sb, e->ino);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	err = -ESTALE;
	if (!S_ISREG(inode->i_mode) || !inode->i_nlink ||
	    inode->i_generation != e->gen ||
	    VEXFS_I(inode)->i_collection != q->c->id ||
	    VEXFS_I(inode)->i_vec_slot != e->slot)
		goto out_iput;
	err = vexfs_inode_permission(inode, MAY_READ);
	if (err)
		goto out_iput;
	d = vexfs_q_connect(q->sb, inode);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out_iput;
	}
	if (path)
		path[--pos] = '\0';
	for (;;) {
		if (d_unhashed(d) || IS_ROOT(d)) {
			err = -ESTALE;	/* unlinked, or not below q->dir */
			break;
		}
		if (path && !too_long) {
			struct name_snapshot ns;

			take_dentry_name_snapshot(&ns, d);
			if (ns.name.len + 1 > pos) {
				too_long = true;
			} else {
				pos -= ns.name.len;
				memcpy(path + pos, ns.name.name, ns.name.len);
				path[--pos] = '/';
			}
			release_dentry_name_snapshot(&ns);
		}
		p = dget_parent(d);
		dput(d);
		d = p;
		if (d == q->dir) {
			err = 0;
			break;
		}
		err = vexfs_inode_permission(d_inode(d),
				       MAY_READ | MAY_EXEC);
		if (err)
			break;
	}
	dput(d);
	if (!err && path) {
		if (too_long)
			path[0] = '\0';
		else	/* skip the leading '/' */
			memmove(path, path + pos + 1, size - pos - 1);
	}
out_iput:
	iput(inode);
	return err;
}

/* ------------------------------------------------------------------ */
/* The scan                                                            */
/* ------------------------------------------------------------------ */

/* Compare one verified slot image with the query; queue it if it is good. */
static bool vexfs_q_consider(struct vexfs_qctx *q, u64 slot, const void *img,
			     struct vexfs_cand *out)
{
	const struct vexfs_vec_slot *hdr = img;

	if (!hdr->vs_ino)
		return false;
	if (le32_to_cpu(hdr->vs_checksum) != vexfs_slot_csum(q->sb, q->c, img)) {
		q->bad_slot = slot;
		return false;
	}
	q->scanned++;
	out->d = vec_distance_prepared(q->c->metric, &q->prep, q->qv,
				       (const u32 *)hdr->vs_data, q->c->dim);
	out->ino = le64_to_cpu(hdr->vs_ino);
	out->slot = slot;
	out->gen = le32_to_cpu(hdr->vs_generation);
	return vexfs_heap_wants(q, out);
}

/* Resolve and insert the queued candidates of one block. */
static void vexfs_q_admit(struct vexfs_qctx *q, u32 nb)
{
	u32 i;

	for (i = 0; i < nb; i++)
		if (vexfs_heap_wants(q, &q->blk[i]) &&
		    !vexfs_q_resolve(q, &q->blk[i], NULL, 0))
			vexfs_heap_push(q, &q->blk[i]);
}

static int vexfs_q_scan(struct vexfs_qctx *q, struct inode *store, u64 slots)
{
	struct vexfs_coll *c = q->c;
	u64 lblk, nblocks, s;
	u32 nb;
	int err = 0;

	if (!c->per_block) {
		for (s = 1; s <= slots; s++) {
			err = vexfs_slot_read(store, c, s, q->img);
			if (err)
				return err;
			if (vexfs_q_consider(q, s, q->img, &q->blk[0]))
				vexfs_q_admit(q, 1);
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
		return 0;
	}

	nblocks = DIV_ROUND_UP_ULL(slots, c->per_block);
	for (lblk = 0; lblk < nblocks; lblk++) {
		struct buffer_head *bh;
		u32 j;

		nb = 0;
		down_read(&c->rw);
		bh = vexfs_bread(store, lblk, false);
		if (IS_ERR(bh)) {
			up_read(&c->rw);
			return PTR_ERR(bh);
		}
		for (j = 0; bh && j < c->per_block; j++) {
			s = lblk * c->per_block + j + 1;
			if (s > slots)
				break;
			if (vexfs_q_consider(q, s, bh->b_data + j * c->slot_size,
					     &q->blk[nb]))
				nb++;
		}
		up_read(&c->rw);
		brelse(bh);
		vexfs_q_admit(q, nb);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return err;
}

static int vexfs_q_sort_cmp(const void *a, const void *b)
{
	return vexfs_cand_cmp(a, b);
}

/*
 * Answer from the ANN index.  Return: 0, or -EAGAIN when the exact scan
 * must answer instead (no index, or too few visible candidates).
 */
static int vexfs_q_index(struct vexfs_qctx *q, struct inode *store, u32 ef)
{
	struct vexfs_coll *c = q->c;
	struct hnsw_hit *hits;
	u32 want, n, i;
	int err;

	if (!ef)
		ef = VEXFS_HNSW_DEFAULT_EF;
	ef = max(ef, q->k);
	/* Some slack for hits the caller may not see. */
	want = min3(2 * q->k, ef, (u32)VEXFS_QUERY_MAX_K);
	want = max(want, q->k);
	hits = kvmalloc_array(want, sizeof(*hits), GFP_KERNEL);
	if (!hits)
		return -ENOMEM;
	err = vexfs_vindex_query(c, q->qv, want, ef, hits, &n);
	if (err)
		goto out;
	for (i = 0; i < n && q->n < q->k; i++) {
		struct vexfs_cand e;
		const struct vexfs_vec_slot *hdr = q->img;

		if (vexfs_slot_read(store, c, hits[i].slot, q->img))
			continue;
		if (!hdr->vs_ino)
			continue;
		e.d = hits[i].d;
		e.ino = le64_to_cpu(hdr->vs_ino);
		e.slot = hits[i].slot;
		e.gen = le32_to_cpu(hdr->vs_generation);
		if (!vexfs_q_resolve(q, &e, NULL, 0))
			vexfs_heap_push(q, &e);
	}
	q->scanned = n;
	if (q->n < q->k && READ_ONCE(c->count) > q->n) {
		q->n = 0;		/* not enough visible: scan instead */
		q->scanned = 0;
		err = -EAGAIN;
	}
out:
	kvfree(hits);
	return err;
}

/**
 * vexfs_vec_query() - run a k-NN query on a directory
 * @dirf: the open directory (in a collection) the ioctl was made on
 * @c: its collection (vexfs_coll_get()), whose dim is @q->dim
 * @q: the validated arguments, in kernel memory; @q->nhits,
 *	@q->scanned and @q->method are filled in
 * @qv: the query vector, @q->dim float32 bits, in kernel memory
 * @hits: room for @q->k hits, in kernel memory, filled nearest first
 * @put_path: when @q->path_size is not 0, called with each hit's index
 *	in @hits and its path, NUL-terminated, before the next hit is
 *	named; an error from it ends the query with that error
 *
 * The caller has checked @q's fields and the caller's read and search
 * permission on the directory.
 *
 * Context: process context, no locks held; may sleep.
 * Return: 0, -EINVAL for a NaN/Inf in @qv, -ENOMEM, -EINTR, -EIO, or an
 * error of @put_path.
 */
int vexfs_vec_query(struct file *dirf, struct vexfs_coll *c,
		    struct vexfs_query *q, const u32 *qv,
		    struct vexfs_query_hit *hits,
		    int (*put_path)(const struct vexfs_query *q, u32 i,
				    const char *path))
{
	struct inode *dir = file_inode(dirf);
	struct vexfs_qctx ctx = { };
	struct inode *store = NULL;
	char *path = NULL;
	u32 i, out;
	u64 slots;
	int err;

	ctx.c = c;
	ctx.sb = dir->i_sb;
	ctx.dir = dirf->f_path.dentry;
	ctx.k = q->k;

	err = -ENOMEM;
	ctx.heap = kvmalloc_array(q->k, sizeof(*ctx.heap), GFP_KERNEL);
	ctx.blk = kmalloc_array(max_t(u32, 1, ctx.c->per_block),
				sizeof(*ctx.blk), GFP_KERNEL);
	ctx.img = kmalloc(ctx.c->slot_size, GFP_KERNEL);
	if (q->path_size)
		path = kmalloc(q->path_size, GFP_KERNEL);
	if (!ctx.heap || !ctx.blk || !ctx.img || (q->path_size && !path))
		goto out;
	err = vexfs_vec_check(qv, q->dim);
	if (err)
		goto out;
	ctx.qv = qv;
	vec_query_prepare(&ctx.prep, qv, q->dim);

	store = vexfs_iget(ctx.sb, ctx.c->store_ino);
	if (IS_ERR(store)) {
		err = PTR_ERR(store);
		store = NULL;
		goto out;
	}
	mutex_lock(&ctx.c->lock);
	slots = ctx.c->slots;
	mutex_unlock(&ctx.c->lock);

	err = -EAGAIN;
	if (!(q->flags & VEXFS_QUERY_EXACT))
		err = vexfs_q_index(&ctx, store, q->ef);
	if (!err) {
		q->method = VEXFS_QUERY_METHOD_INDEX;
	} else if (err == -EAGAIN) {
		q->method = VEXFS_QUERY_METHOD_EXACT;
		err = vexfs_q_scan(&ctx, store, slots);
	}
	if (ctx.bad_slot)
		vexfs_error(ctx.sb, "collection %u: vector slot %llu does not verify",
			    ctx.c->id, ctx.bad_slot);
	if (err)
		goto out;
	atomic64_inc(&ctx.c->queries);
	atomic64_add(ctx.scanned, &ctx.c->scanned);

	/* Closest first; name each hit, dropping any that vanished. */
	sort(ctx.heap, ctx.n, sizeof(*ctx.heap), vexfs_q_sort_cmp, NULL);
	for (i = 0, out = 0; i < ctx.n; i++) {
		const struct vexfs_cand *e = &ctx.heap[i];

		if (vexfs_q_resolve(&ctx, e, path, q->path_size))
			continue;
		hits[out].ino = e->ino;
		hits[out].distance_f64 = vec_num_to_f64(e->d);
		hits[out].distance_f32 = vec_num_to_f32(e->d);
		if (path) {
			err = put_path(q, out, path);
			if (err)
				goto out;
		}
		out++;
	}
	q->nhits = out;
	q->scanned = ctx.scanned;
	err = 0;
out:
	if (store)
		iput(store);
	kvfree(ctx.heap);
	kfree(ctx.blk);
	kfree(ctx.img);
	kfree(path);
	return err;
}
