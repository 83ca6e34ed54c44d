// SPDX-License-Identifier: GPL-2.0
/*
 * vector.c - vector collections: the collections table and the vector
 * stores, and the embeddings of files.
 *
 * The on-disk layout is described in include/vexfs_format.h.  In memory,
 * each mounted filesystem has a struct vexfs_vecs (created on first use)
 * that holds a struct vexfs_coll per collection, loaded from the table the
 * first time any collection is needed.
 *
 * Locking, outermost first:
 *   the VFS's i_rwsem of the file or directory concerned;
 *   the jbd2 handle (journal.c): started before any lock below, since a
 *	task holding one of them may be waited for by a task in a handle;
 *   vecs->lock: the table (creating, loading, deleting collections);
 *   coll->lock: slot allocation, c_count/c_slots and the free list, and
 *	the descriptor's on-disk copy;
 *   coll->rw: the bytes of the slots; queries read under it shared and
 *	never call into the inode cache while holding it (see vecsearch.c);
 *   vecs->table_lock: the table inode's size;
 *   the store inode's i_map_lock and the allocator, inside vexfs_bread().
 * No inode's i_rwsem is taken here but the file's the caller holds, so
 * the hidden table and store inodes never nest in another i_rwsem
 * (vecadopt.c takes a directory's and then its entries', parent first
 * as the VFS does, but none of the locks below).
 * An inode is only deleted (vexfs_vec_evict()) with none of these held by
 * the evicting task, since the last iput() happens outside them.
 *
 * Journaling.  Every on-disk change happens inside one handle per
 * operation, with the credits vexfs.h sums up (VEXFS_EMBED_SET_CREDITS,
 * _DEL_, VEXFS_COLL_CREATE_CREDITS, VEXFS_VEC_EVICT_CREDITS): slots and
 * descriptors through vexfs_bread() (which takes write or create access
 * inside a handle) and vexfs_dirty_metadata(), with their checksums set
 * first; inode fields through mark_inode_dirty(); the superblock through
 * vexfs_super_get_write() and vexfs_commit_super().  Creating a
 * collection, setting or removing an embedding and freeing a slot at the
 * last unlink are each one transaction.  Without a journal the same calls
 * mark the buffers dirty.  Queries (vecsearch.c) run no handle and so
 * only read.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32c.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/xattr.h>

#include "vexfs.h"
#include "vector.h"

#define DESC_SIZE	sizeof(struct vexfs_collection)

/* ------------------------------------------------------------------ */
/* The per-filesystem state                                            */
/* ------------------------------------------------------------------ */

static struct vexfs_vecs *vexfs_vecs_get(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vecs *v;

	/* Pairs with the release below: a state seen is an initialised one. */
	v = smp_load_acquire(&sbi->vecs);
	if (v)
		return v;
	mutex_lock(&sbi->vecs_init_lock);
	v = sbi->vecs;
	if (!v) {
		v = kzalloc(sizeof(*v), GFP_NOFS);
		if (v) {
			mutex_init(&v->lock);
			mutex_init(&v->table_lock);
			INIT_LIST_HEAD(&v->dead);
			/* Publish only after the locks and list are set up. */
			smp_store_release(&sbi->vecs, v);
		}
	}
	mutex_unlock(&sbi->vecs_init_lock);
	return v;
}

static void vexfs_coll_free(struct vexfs_coll *c)
{
	vexfs_vindex_free(c);
	kvfree(c->free);
	kfree(c);
}

/**
 * vexfs_vec_put_super() - free the in-memory collections of a filesystem
 * @sb: the filesystem being unmounted
 *
 * Context: put_super; nothing else uses the filesystem any more.
 */
void vexfs_vec_put_super(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vecs *v = sbi->vecs;
	struct vexfs_coll *c, *tmp;
	int i;

	if (!v)
		return;
	for (i = 0; i < VEXFS_MAX_COLLECTIONS; i++)
		if (v->colls[i])
			vexfs_coll_free(v->colls[i]);
	list_for_each_entry_safe(c, tmp, &v->dead, dead_link)
		vexfs_coll_free(c);
	kfree(v);
	sbi->vecs = NULL;
}

/* ------------------------------------------------------------------ */
/* Descriptors and the table inode                                     */
/* ------------------------------------------------------------------ */

static void vexfs_coll_geometry(struct super_block *sb, struct vexfs_coll *c)
{
	c->slot_size = VEXFS_VEC_SLOT_SIZE(c->dim);
	c->per_block = sb->s_blocksize / c->slot_size;
	c->blocks_per_slot = c->per_block ? 1 :
			     DIV_ROUND_UP(c->slot_size, sb->s_blocksize);
	/* The last slot must stay below logical block 2^32 - 1. */
	c->max_slots = c->per_block ?
		       (u64)VEXFS_MAX_LBLK * c->per_block :
		       VEXFS_MAX_LBLK / c->blocks_per_slot;
}

/* Open a hidden inode the table or a descriptor names, and check it. */
struct inode *vexfs_vec_hidden_iget(struct super_block *sb, u64 ino,
				    const char *what)
{
	struct inode *inode = vexfs_iget(sb, ino);

	if (IS_ERR(inode))
		return inode;
	if (!S_ISREG(inode->i_mode) ||
	    !(VEXFS_I(inode)->i_flags & VEXFS_INODE_HIDDEN)) {
		vexfs_error(sb, "%s inode %llu is not a hidden regular inode",
			    what, ino);
		iput(inode);
		return ERR_PTR(-EFSCORRUPTED);
	}
	return inode;
}

static struct inode *vexfs_vec_table_iget(struct super_block *sb)
{
	u64 ino = le64_to_cpu(VEXFS_SB(sb)->raw->s_collections_ino);

	if (!ino)
		return ERR_PTR(-ENODATA);
	return vexfs_vec_hidden_iget(sb, ino, "collections table");
}

/**
 * vexfs_coll_write_desc() - write a collection's descriptor to the table
 * @sb: the filesystem
 * @c: the collection (a free descriptor is written if @c->dead)
 *
 * Context: inside the caller's handle (VEXFS_DESC_CREDITS), c->lock held
 * (or @c not yet visible).
 * Return: 0 or a negative errno.
 */
int vexfs_coll_write_desc(struct super_block *sb, struct vexfs_coll *c)
{
	u32 per_block = sb->s_blocksize / DESC_SIZE;
	struct vexfs_collection *d;
	struct buffer_head *bh;
	struct inode *table;
	loff_t end;
	int err = 0;

	table = vexfs_vec_table_iget(sb);
	if (IS_ERR(table))
		return PTR_ERR(table);
	bh = vexfs_bread(table, (c->id - 1) / per_block, true);
	if (IS_ERR_OR_NULL(bh)) {
		err = bh ? PTR_ERR(bh) : -EIO;
		goto out;
	}
	d = (struct vexfs_collection *)bh->b_data + (c->id - 1) % per_block;
	lock_buffer(bh);
	memset(d, 0, sizeof(*d));
	if (!c->dead) {
		d->c_id = cpu_to_le32(c->id);
		d->c_dim = cpu_to_le16(c->dim);
		d->c_metric = c->metric;
		d->c_elem_type = VEXFS_ELEM_F32;
		d->c_root_ino = cpu_to_le64(c->root_ino);
		d->c_store_ino = cpu_to_le64(c->store_ino);
		d->c_count = cpu_to_le64(c->count);
		d->c_slots = cpu_to_le64(c->slots);
		d->c_index_ino = cpu_to_le64(c->index_ino);
		d->c_hnsw_m = cpu_to_le16(c->hnsw_m);
		d->c_hnsw_ef_construction =
			cpu_to_le16(c->hnsw_ef_construction);
		d->c_flags = cpu_to_le32(c->flags);
		d->c_checksum = cpu_to_le32(vexfs_desc_csum(VEXFS_SB(sb)->csum_seed, d));
	}
	unlock_buffer(bh);
	err = vexfs_dirty_metadata(sb, table, bh);
	brelse(bh);
	if (err)
		goto out;

	/*
	 * Not the table's i_rwsem: callers may hold another inode's, and
	 * nothing else ever locks the table inode.
	 */
	end = (loff_t)c->id * DESC_SIZE;
	mutex_lock(&VEXFS_SB(sb)->vecs->table_lock);
	if (end > i_size_read(table)) {
		i_size_write(table, end);
		mark_inode_dirty(table);
	}
	mutex_unlock(&VEXFS_SB(sb)->vecs->table_lock);
out:
	iput(table);
	return err;
}

/*
 * What fsck repairs apart and so checks with its own state (pass 6): the
 * store and index inode numbers and the count against the slots.
 */
static const char *vexfs_coll_refs_check(struct vexfs_sb_info *sbi,
					 const struct vexfs_collection *d)
{
	u64 index = le64_to_cpu(d->c_index_ino);

	if (vexfs_ino_check(le64_to_cpu(d->c_store_ino), sbi->inodes_count) ||
	    le64_to_cpu(d->c_store_ino) == VEXFS_ROOT_INO)
		return "bad inode number";
	if (le64_to_cpu(d->c_count) > le64_to_cpu(d->c_slots))
		return "more vectors than slots";
	if (index && (vexfs_ino_check(index, sbi->inodes_count) ||
		      index == VEXFS_ROOT_INO))
		return "bad index inode number";
	return NULL;
}

/* Check one descriptor read from the table and build its collection. */
static int vexfs_coll_from_desc(struct super_block *sb, u32 idx,
				const struct vexfs_collection *d,
				struct vexfs_coll **out)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u32 dim = le16_to_cpu(d->c_dim);
	struct vexfs_coll *c;
	const char *why = NULL;

	*out = NULL;
	if (!d->c_id)
		return 0;
	if (le32_to_cpu(d->c_checksum) != vexfs_desc_csum(VEXFS_SB(sb)->csum_seed, d))
		why = "checksum mismatch";
	if (!why)
		why = vexfs_coll_desc_check(d, idx + 1, sbi->inodes_count);
	if (!why)
		why = vexfs_coll_refs_check(sbi, d);
	if (!why)
		why = vexfs_coll_tunables_check(d);
	if (!why && (le32_to_cpu(d->c_flags) & ~VEXFS_COLL_FLAGS_ALL))
		why = "unknown flags";
	if (why) {
		vexfs_error(sb, "collection %u: %s", idx + 1, why);
		return -EFSCORRUPTED;
	}

	c = kzalloc(sizeof(*c), GFP_NOFS);
	if (!c)
		return -ENOMEM;
	c->id = idx + 1;
	c->dim = dim;
	c->metric = d->c_metric;
	c->root_ino = le64_to_cpu(d->c_root_ino);
	c->store_ino = le64_to_cpu(d->c_store_ino);
	c->count = le64_to_cpu(d->c_count);
	c->slots = le64_to_cpu(d->c_slots);
	c->index_ino = le64_to_cpu(d->c_index_ino);
	c->hnsw_m = le16_to_cpu(d->c_hnsw_m);
	c->hnsw_ef_construction = le16_to_cpu(d->c_hnsw_ef_construction);
	c->flags = le32_to_cpu(d->c_flags);
	mutex_init(&c->lock);
	init_rwsem(&c->rw);
	vexfs_coll_geometry(sb, c);
	vexfs_vindex_init(c, sb);
	if (c->slots > c->max_slots) {
		vexfs_error(sb, "collection %u: bad slot count", c->id);
		kfree(c);
		return -EFSCORRUPTED;
	}
	*out = c;
	return 0;
}

/* Read the table into @v; the caller holds v->lock. */
static int vexfs_vecs_load(struct super_block *sb, struct vexfs_vecs *v)
{
	u32 per_block = sb->s_blocksize / DESC_SIZE;
	struct buffer_head *bh = NULL;
	struct inode *table;
	u64 n, i;
	int err = 0;

	if (v->loaded)
		return 0;
	table = vexfs_vec_table_iget(sb);
	if (IS_ERR(table)) {
		err = PTR_ERR(table);
		if (err == -ENODATA) {	/* no collection was ever made */
			v->loaded = true;
			err = 0;
		}
		return err;
	}
	n = i_size_read(table) / DESC_SIZE;
	if (n > VEXFS_MAX_COLLECTIONS || i_size_read(table) % DESC_SIZE) {
		vexfs_error(sb, "collections table inode %llu: bad size %lld",
			    (unsigned long long)table->i_ino, i_size_read(table));
		err = -EFSCORRUPTED;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct vexfs_coll *c;

		if (i % per_block == 0) {
			brelse(bh);
			bh = vexfs_bread(table, i / per_block, false);
			if (IS_ERR_OR_NULL(bh)) {
				err = bh ? PTR_ERR(bh) : 0;
				bh = NULL;
				if (err)
					goto out_unload;
				/* A hole: per_block free descriptors. */
				i += per_block - 1;
				continue;
			}
		}
		err = vexfs_coll_from_desc(sb, i,
				(struct vexfs_collection *)bh->b_data +
				i % per_block, &c);
		if (err)
			goto out_unload;
		v->colls[i] = c;
	}
	v->loaded = true;
	goto out;

out_unload:
	for (i = 0; i < VEXFS_MAX_COLLECTIONS; i++) {
		if (v->colls[i])
			vexfs_coll_free(v->colls[i]);
		v->colls[i] = NULL;
	}
out:
	brelse(bh);
	iput(table);
	return err;
}

/**
 * vexfs_coll_get() - the collection of an inode
 * @inode: a file or directory of VexFS
 *
 * Context: process context; takes the table lock briefly.
 * Return: the live collection; ERR_PTR(-ENODATA) if @inode is in none, or
 * the error that loading the table met.  The structure stays valid until
 * unmount, but may be marked dead (c->dead) meanwhile.
 */
struct vexfs_coll *vexfs_coll_get(struct inode *inode)
{
	u32 id = VEXFS_I(inode)->i_collection;
	struct vexfs_coll *c;
	struct vexfs_vecs *v;
	int err;

	if (!id)
		return ERR_PTR(-ENODATA);
	if (id > VEXFS_MAX_COLLECTIONS) {
		vexfs_error(inode->i_sb, "inode %llu: bad collection id %u",
			    (unsigned long long)inode->i_ino, id);
		return ERR_PTR(-EFSCORRUPTED);
	}
	v = vexfs_vecs_get(inode->i_sb);
	if (!v)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&v->lock);
	err = vexfs_vecs_load(inode->i_sb, v);
	c = v->colls[id - 1];
	mutex_unlock(&v->lock);
	if (err)
		return ERR_PTR(err);
	if (c && c->dead)
		return ERR_PTR(-ENODATA);	/* deleted with its root */
	if (!c) {
		vexfs_error(inode->i_sb, "inode %llu: collection %u does not exist",
			    (unsigned long long)inode->i_ino, id);
		return ERR_PTR(-EFSCORRUPTED);
	}
	return c;
}

/**
 * vexfs_coll_for_each() - call @fn for every collection of a filesystem
 * @sb: the filesystem
 * @fn: called with the table lock held; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Context: process context; @fn must not sleep on anything but memory.
 * Return: 0, @fn's non-zero return, or a table loading error.
 */
int vexfs_coll_for_each(struct super_block *sb,
			int (*fn)(struct vexfs_coll *c, void *arg), void *arg)
{
	struct vexfs_vecs *v = vexfs_vecs_get(sb);
	int i, err;

	if (!v)
		return -ENOMEM;
	mutex_lock(&v->lock);
	err = vexfs_vecs_load(sb, v);
	for (i = 0; !err && i < VEXFS_MAX_COLLECTIONS; i++)
		if (v->colls[i] && !v->colls[i]->dead)
			err = fn(v->colls[i], arg);
	mutex_unlock(&v->lock);
	return err;
}

/**
 * vexfs_coll_visit_all() - call @fn for every loaded collection, dead
 * ones included
 * @sb: the filesystem
 * @fn: may sleep
 *
 * Context: unmount or remount read-only: nothing creates or deletes a
 * collection meanwhile, so the table lock is not taken (@fn may wait for
 * work that takes it).
 */
void vexfs_coll_visit_all(struct super_block *sb,
			  void (*fn)(struct vexfs_coll *c))
{
	struct vexfs_vecs *v = VEXFS_SB(sb)->vecs;
	struct vexfs_coll *c;
	int i;

	if (!v)
		return;
	for (i = 0; i < VEXFS_MAX_COLLECTIONS; i++)
		if (v->colls[i])
			fn(v->colls[i]);
	list_for_each_entry(c, &v->dead, dead_link)
		fn(c);
}

/*
 * Create the table inode and record it in the superblock.
 * Context: inside the caller's handle (VEXFS_COLL_CREATE_CREDITS).
 */
static int vexfs_vec_make_table(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct inode *table;
	int err;

	table = vexfs_new_hidden_inode(d_inode(sb->s_root), S_IFREG | 0600);
	if (IS_ERR(table))
		return PTR_ERR(table);
	unlock_new_inode(table);
	err = vexfs_super_get_write(sb);
	if (err) {
		clear_nlink(table);	/* eviction frees it */
		iput(table);
		return err;
	}
	lock_buffer(sbi->sbh);
	spin_lock(&sbi->lock);
	sbi->raw->s_collections_ino = cpu_to_le64(table->i_ino);
	sbi->raw->s_feature_ro_compat |=
		cpu_to_le32(VEXFS_FEATURE_RO_COMPAT_COLLECTIONS);
	spin_unlock(&sbi->lock);
	unlock_buffer(sbi->sbh);
	err = vexfs_commit_super(sb);
	iput(table);
	return err;
}

/* Count a collection in or out; inside the caller's handle. */
static int vexfs_vec_count_collections(struct super_block *sb, int delta)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	err = vexfs_super_get_write(sb);
	if (err)
		return err;
	lock_buffer(sbi->sbh);
	spin_lock(&sbi->lock);
	le32_add_cpu(&sbi->raw->s_collections_count, delta);
	spin_unlock(&sbi->lock);
	unlock_buffer(sbi->sbh);
	return vexfs_commit_super(sb);
}

/**
 * vexfs_coll_create() - make a directory the root of a collection
 * @dir: the directory; the caller holds its i_rwsem exclusively
 * @dim: elements per vector, 1..VEXFS_MAX_DIM
 * @metric: VEXFS_METRIC_*
 * @adopt: @dir may have entries; the caller then brings them into the
 *	collection with vexfs_coll_adopt()
 * @out: the new collection
 *
 * Everything on disk (the table inode the first time, the superblock's
 * s_collections_ino, feature bit and count, the store inode, the
 * descriptor and the directory's i_collection) changes in one handle, so
 * that a crash leaves either no collection or a whole one.
 *
 * Context: process context, @dir's i_rwsem held; starts a handle; may
 * sleep.
 * Return: 0, -EINVAL for bad arguments, -EEXIST if @dir is in a collection
 * already, -ENOTEMPTY if it has entries and !@adopt, -ENOSPC when the
 * table is full or no inode is free, or another negative errno.
 */
int vexfs_coll_create(struct inode *dir, u32 dim, u32 metric, u32 m, u32 efc,
		      bool adopt, struct vexfs_coll **out)
{
	struct super_block *sb = dir->i_sb;
	struct vexfs_inode_info *dvi = VEXFS_I(dir);
	struct vexfs_coll *c = NULL;
	struct inode *store;
	struct vexfs_vecs *v;
	handle_t *handle;
	int err, stop, i;

	if (!dim || dim > VEXFS_MAX_DIM || metric < VEXFS_METRIC_L2 ||
	    metric > VEXFS_METRIC_IP || (m && (m < HNSW_MIN_M || m > HNSW_MAX_M)) ||
	    efc > HNSW_MAX_EF)
		return -EINVAL;
	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	if (dvi->i_collection)
		return -EEXIST;
	err = adopt ? 1 : vexfs_dir_is_empty(dir);
	if (err < 0)
		return err;
	if (!err)
		return -ENOTEMPTY;
	v = vexfs_vecs_get(sb);
	if (!v)
		return -ENOMEM;
	handle = vexfs_journal_start(sb, VEXFS_COLL_CREATE_CREDITS, 0);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	mutex_lock(&v->lock);
	err = vexfs_vecs_load(sb, v);
	if (err)
		goto out_unlock;
	for (i = 0; i < VEXFS_MAX_COLLECTIONS; i++)
		if (!v->colls[i] || v->colls[i]->dead)
			break;
	err = -ENOSPC;
	if (i == VEXFS_MAX_COLLECTIONS)
		goto out_unlock;
	if (!VEXFS_SB(sb)->raw->s_collections_ino) {
		err = vexfs_vec_make_table(sb);
		if (err)
			goto out_unlock;
	}
	err = -ENOMEM;
	c = kzalloc(sizeof(*c), GFP_NOFS);
	if (!c)
		goto out_unlock;
	store = vexfs_new_hidden_inode(dir, S_IFREG | 0600);
	if (IS_ERR(store)) {
		err = PTR_ERR(store);
		kfree(c);
		goto out_unlock;
	}
	unlock_new_inode(store);

	c->id = i + 1;
	c->dim = dim;
	c->metric = metric;
	c->root_ino = dir->i_ino;
	c->store_ino = store->i_ino;
	c->hnsw_m = m;
	c->hnsw_ef_construction = efc;
	mutex_init(&c->lock);
	init_rwsem(&c->rw);
	c->free_known = true;		/* an empty store has no holes */
	vexfs_coll_geometry(sb, c);
	vexfs_vindex_init(c, sb);	/* fills in the default tunables */
	c->vx.dirty_ours = true;	/* the index is born in this mount */
	err = vexfs_coll_write_desc(sb, c);
	if (err) {
		clear_nlink(store);	/* eviction frees it */
		iput(store);
		kfree(c);
		goto out_unlock;
	}
	iput(store);
	if (v->colls[i])		/* a dead one: keep it until unmount */
		list_add(&v->colls[i]->dead_link, &v->dead);
	v->colls[i] = c;
	err = vexfs_vec_count_collections(sb, 1);
	dvi->i_collection = c->id;
	inode_set_ctime_current(dir);
	mark_inode_dirty(dir);
	*out = c;
out_unlock:
	mutex_unlock(&v->lock);
	stop = vexfs_journal_stop(handle);
	return err ?: stop;
}

/*
 * The collection root @dir is being deleted: so is its collection.
 * Context: inside the evicting handle (VEXFS_VEC_EVICT_CREDITS).
 */
static void vexfs_coll_delete(struct inode *dir, struct vexfs_coll *c)
{
	struct super_block *sb = dir->i_sb;
	struct vexfs_vecs *v = vexfs_vecs_get(sb);
	struct inode *store;

	if (!v)
		return;
	mutex_lock(&v->lock);
	mutex_lock(&c->lock);
	c->dead = true;
	if (vexfs_coll_write_desc(sb, c))
		vexfs_err(sb, "collection %u: cannot free its descriptor",
			  c->id);
	mutex_unlock(&c->lock);
	mutex_unlock(&v->lock);
	if (vexfs_vec_count_collections(sb, -1))
		vexfs_err(sb, "collection %u: cannot update the count", c->id);

	store = vexfs_vec_hidden_iget(sb, c->store_ino, "vector store");
	if (!IS_ERR(store)) {
		clear_nlink(store);
		mark_inode_dirty(store);
		iput(store);		/* eviction frees its blocks */
	}
	/* A build still running notices c->dead and stops. */
	if (c->index_ino) {
		struct inode *ixi;

		vexfs_vindex_forget(c);

		ixi = vexfs_vec_hidden_iget(sb, c->index_ino, "vector index");
		if (!IS_ERR(ixi)) {
			clear_nlink(ixi);
			mark_inode_dirty(ixi);
			iput(ixi);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Slots                                                               */
/* ------------------------------------------------------------------ */

/**
 * vexfs_slot_pos() - where slot @slot of @c begins in the store
 * @c: the collection
 * @slot: 1-based slot number
 * @lblk: out: the store's logical block
 * @off: out: byte offset in that block
 *
 * Context: any; pure arithmetic.
 */
void vexfs_slot_pos(const struct vexfs_coll *c, u64 slot, u64 *lblk,
		    unsigned int *off)
{
	u64 idx = slot - 1;

	if (c->per_block) {
		*lblk = div_u64_rem(idx, c->per_block, off);
		*off *= c->slot_size;
	} else {
		*lblk = idx * c->blocks_per_slot;
		*off = 0;
	}
}

/**
 * vexfs_slot_csum() - the checksum of a slot image
 * @sb: the filesystem
 * @c: its collection
 * @img: c->slot_size bytes
 *
 * Context: any.
 * Return: crc32c of the slot with vs_checksum taken as zero.
 */
u32 vexfs_slot_csum(struct super_block *sb, const struct vexfs_coll *c,
		    const void *img)
{
	return vexfs_vec_slot_csum(VEXFS_SB(sb)->csum_seed, img, c->slot_size);
}

enum vexfs_slot_op {
	VEXFS_SLOT_READ,	/* store -> @img; a hole reads as zeros */
	VEXFS_SLOT_WRITE,	/* @img -> store, allocating blocks */
	VEXFS_SLOT_CLEAR,	/* zeros -> the blocks that exist */
};

/*
 * Copy slot @slot between @img and the store, as @op says.  The caller
 * holds c->rw shared to read and exclusive otherwise, and to change the
 * store runs a handle (VEXFS_SLOT_WRITE_CREDITS or _CLEAR_CREDITS of
 * c->blocks_per_slot), in which vexfs_bread() takes write access to each
 * block.  A slot spanning blocks is written last block first, so that
 * the header naming its owner (vs_ino) is written only once the rest of
 * the slot is in place: an error half-way (no space for a block) leaves
 * a slot that still reads as free.
 */
static int vexfs_slot_io(struct inode *store, struct vexfs_coll *c, u64 slot,
			 void *img, enum vexfs_slot_op op)
{
	struct super_block *sb = store->i_sb;
	unsigned int bs = sb->s_blocksize, off0, first, nchunks, k;
	u64 lblk0;
	int err;

	vexfs_slot_pos(c, slot, &lblk0, &off0);
	first = min(c->slot_size, bs - off0);
	nchunks = 1 + DIV_ROUND_UP(c->slot_size - first, bs);
	for (k = 0; k < nchunks; k++) {
		/* Reads go forwards, writes backwards. */
		unsigned int i = op == VEXFS_SLOT_READ ? k : nchunks - 1 - k;
		unsigned int off = i ? 0 : off0;
		unsigned int done = i ? first + (i - 1) * bs : 0;
		unsigned int n = min(c->slot_size - done, bs - off);
		struct buffer_head *bh;

		bh = vexfs_bread(store, lblk0 + i, op == VEXFS_SLOT_WRITE);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
		if (!bh) {
			if (op == VEXFS_SLOT_READ)
				memset(img + done, 0, n);
			continue;
		}
		if (op == VEXFS_SLOT_READ) {
			memcpy(img + done, bh->b_data + off, n);
			brelse(bh);
			continue;
		}
		lock_buffer(bh);
		if (op == VEXFS_SLOT_WRITE)
			memcpy(bh->b_data + off, img + done, n);
		else
			memset(bh->b_data + off, 0, n);
		unlock_buffer(bh);
		err = vexfs_dirty_metadata(sb, store, bh);
		brelse(bh);
		if (err)
			return err;
	}
	return 0;
}

/**
 * vexfs_slot_read() - read a slot image from the store
 * @store: the store inode of @c
 * @c: the collection
 * @slot: 1-based slot number, <= c->slots
 * @img: out: c->slot_size bytes
 *
 * Context: process context; takes c->rw shared.  May sleep for I/O.
 * Return: 0, or a negative errno from reading the store.
 */
int vexfs_slot_read(struct inode *store, struct vexfs_coll *c, u64 slot,
		    void *img)
{
	int err;

	down_read(&c->rw);
	err = vexfs_slot_io(store, c, slot, img, VEXFS_SLOT_READ);
	up_read(&c->rw);
	return err;
}

/*
 * Find every free slot below c->slots; the caller holds c->lock.  Done once
 * per mount and collection, on the first allocation.
 */
static int vexfs_slot_scan_free(struct inode *store, struct vexfs_coll *c)
{
	struct vexfs_vec_slot hdr;
	void *img;
	u64 s;
	int err = 0;

	img = kmalloc(c->slot_size, GFP_NOFS);
	if (!img)
		return -ENOMEM;
	c->nfree = 0;
	for (s = 1; s <= c->slots; s++) {
		down_read(&c->rw);
		err = vexfs_slot_io(store, c, s, img, VEXFS_SLOT_READ);
		up_read(&c->rw);
		if (err)
			break;
		memcpy(&hdr, img, sizeof(hdr));
		if (hdr.vs_ino)
			continue;
		if (c->nfree == c->free_cap) {
			u64 cap = max_t(u64, 64, c->free_cap * 2);
			u64 *n = kvmalloc_array(cap, sizeof(u64), GFP_NOFS);

			if (!n) {
				err = -ENOMEM;
				break;
			}
			if (c->nfree)
				memcpy(n, c->free, c->nfree * sizeof(u64));
			kvfree(c->free);
			c->free = n;
			c->free_cap = cap;
		}
		c->free[c->nfree++] = s;
		cond_resched();
	}
	kfree(img);
	if (!err)
		c->free_known = true;
	return err;
}

/* Remember @slot as free; on failure the slot is only lost until remount. */
static void vexfs_slot_push_free(struct vexfs_coll *c, u64 slot)
{
	if (!c->free_known)
		return;
	if (c->nfree == c->free_cap) {
		u64 cap = max_t(u64, 64, c->free_cap * 2);
		u64 *n = kvmalloc_array(cap, sizeof(u64), GFP_NOFS);

		if (!n) {
			/* Rescan on the next allocation. */
			c->free_known = false;
			return;
		}
		if (c->nfree)
			memcpy(n, c->free, c->nfree * sizeof(u64));
		kvfree(c->free);
		c->free = n;
		c->free_cap = cap;
	}
	c->free[c->nfree++] = slot;
}

/* Pick a slot for a new vector; the caller holds c->lock. */
static int vexfs_slot_alloc(struct inode *store, struct vexfs_coll *c,
			    u64 *slot, bool *grew)
{
	int err;

	*grew = false;
	if (!c->free_known) {
		err = vexfs_slot_scan_free(store, c);
		if (err)
			return err;
	}
	if (c->nfree) {
		*slot = c->free[--c->nfree];
		return 0;
	}
	if (c->slots >= c->max_slots)
		return -ENOSPC;
	*slot = c->slots + 1;
	*grew = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Embeddings                                                          */
/* ------------------------------------------------------------------ */

/**
 * vexfs_vec_check() - check a vector given by a user
 * @vec: @dim float32 values, as bits in CPU order
 * @dim: their number
 *
 * Context: any.
 * Return: 0, or -EINVAL if any value is a NaN or an infinity.
 */
int vexfs_vec_check(const u32 *vec, u32 dim)
{
	return vec_first_nonfinite(vec, dim) < dim ? -EINVAL : 0;
}

/**
 * vexfs_embedding_set() - give a file an embedding, or replace it
 * @inode: a regular file of a collection; the caller holds its i_rwsem
 * @vec: the vector, float32 bits in CPU order
 * @dim: its length, which must be the collection's dimension
 *
 * The slot, the collection descriptor (count and slots), the store's size
 * and the file's i_vec_slot change in one handle: after a crash the file
 * has its old embedding or the new one, never a half-written slot.
 *
 * Context: process context, @inode's i_rwsem held; starts (or joins) a
 * handle; may sleep.
 * Return: 0, -ENODATA if @inode is in no collection, -EINVAL for a wrong
 * dimension or a NaN/Inf, -EPERM for a file that is not regular or is
 * immutable or append-only (chattr +i, +a), -ENOSPC,
 * -EFSCORRUPTED, -EIO, -ENOMEM.
 */
int vexfs_embedding_set(struct inode *inode, const u32 *vec, u32 dim)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct super_block *sb = inode->i_sb;
	struct vexfs_vec_slot *hdr;
	struct vexfs_coll *c;
	struct inode *store;
	bool grew = false;
	handle_t *handle;
	void *img;
	u64 slot;
	u32 i;
	int err, stop;

	c = vexfs_coll_get(inode);
	if (IS_ERR(c))
		return PTR_ERR(c);
	if (!S_ISREG(inode->i_mode))
		return -EPERM;
	/* The embedding is an attribute of the file, as an xattr is. */
	err = vexfs_may_relabel(inode);
	if (err)
		return err;
	if (dim != c->dim)
		return -EINVAL;
	err = vexfs_vec_check(vec, dim);
	if (err)
		return err;

	img = kzalloc(c->slot_size, GFP_NOFS);
	if (!img)
		return -ENOMEM;
	hdr = img;
	hdr->vs_ino = cpu_to_le64(inode->i_ino);
	hdr->vs_generation = cpu_to_le32(inode->i_generation);
	for (i = 0; i < dim; i++)
		hdr->vs_data[i] = cpu_to_le32(vec[i]);
	hdr->vs_checksum = cpu_to_le32(vexfs_slot_csum(sb, c, img));

	store = vexfs_vec_hidden_iget(sb, c->store_ino, "vector store");
	if (IS_ERR(store)) {
		err = PTR_ERR(store);
		goto out_free;
	}
	handle = vexfs_journal_start(sb,
			VEXFS_EMBED_SET_CREDITS(c->blocks_per_slot), 0);
	if (IS_ERR(handle)) {
		err = PTR_ERR(handle);
		goto out_iput;
	}
	mutex_lock(&c->lock);
	slot = vi->i_vec_slot;
	if (slot && slot > c->slots) {
		vexfs_error(sb, "inode %llu: vector slot %llu out of range",
			    (unsigned long long)inode->i_ino, slot);
		err = -EFSCORRUPTED;
		goto out_unlock;
	}
	if (!slot) {
		err = vexfs_slot_alloc(store, c, &slot, &grew);
		if (err)
			goto out_unlock;
	}
	down_write(&c->rw);
	err = vexfs_slot_io(store, c, slot, img, VEXFS_SLOT_WRITE);
	up_write(&c->rw);
	if (err) {
		if (!vi->i_vec_slot && !grew)
			vexfs_slot_push_free(c, slot);
		goto out_unlock;
	}
	if (!vi->i_vec_slot) {
		if (grew) {
			loff_t end;

			c->slots = slot;
			end = vexfs_store_bytes(c, sb->s_blocksize);
			if (i_size_read(store) < end) {
				i_size_write(store, end);
				mark_inode_dirty(store);
			}
		}
		c->count++;
		err = vexfs_coll_write_desc(sb, c);
		vi->i_vec_slot = slot;
	}
	if (!err)
		vexfs_vindex_set(c, slot, vec);
	inode_set_ctime_current(inode);
	mark_inode_dirty(inode);
out_unlock:
	mutex_unlock(&c->lock);
	stop = vexfs_journal_stop(handle);
	if (!err)
		err = stop;
out_iput:
	iput(store);
out_free:
	kfree(img);
	return err;
}

/*
 * Free the slot of @inode; the caller holds c->lock and runs a handle
 * (VEXFS_EMBED_DEL_CREDITS), and writes @inode (i_vec_slot is 0 now).
 */
static int vexfs_embedding_drop(struct inode *inode, struct vexfs_coll *c)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct super_block *sb = inode->i_sb;
	u64 slot = vi->i_vec_slot;
	struct inode *store;
	int err;

	if (slot > c->slots) {
		vexfs_error(sb, "inode %llu: vector slot %llu out of range",
			    (unsigned long long)inode->i_ino, slot);
		return -EFSCORRUPTED;
	}
	store = vexfs_vec_hidden_iget(sb, c->store_ino, "vector store");
	if (IS_ERR(store))
		return PTR_ERR(store);
	down_write(&c->rw);
	err = vexfs_slot_io(store, c, slot, NULL, VEXFS_SLOT_CLEAR);
	up_write(&c->rw);
	if (err)
		goto out;
	vexfs_vindex_del(c, slot);
	vexfs_slot_push_free(c, slot);
	if (c->count)
		c->count--;
	vi->i_vec_slot = 0;
	err = vexfs_coll_write_desc(sb, c);
out:
	iput(store);
	return err;
}

/**
 * vexfs_embedding_remove() - take a file's embedding away
 * @inode: the file; the caller holds its i_rwsem
 *
 * The slot, the descriptor and the file's i_vec_slot change in one
 * handle.
 *
 * Context: process context, @inode's i_rwsem held; starts (or joins) a
 * handle; may sleep.
 * Return: 0, -ENODATA if it has none (or is in no collection), -EPERM if
 * it is immutable or append-only, or another errno.
 */
int vexfs_embedding_remove(struct inode *inode)
{
	struct vexfs_coll *c;
	handle_t *handle;
	int err, stop;

	c = vexfs_coll_get(inode);
	if (IS_ERR(c))
		return PTR_ERR(c);
	if (!VEXFS_I(inode)->i_vec_slot)
		return -ENODATA;
	err = vexfs_may_relabel(inode);
	if (err)
		return err;
	handle = vexfs_journal_start(inode->i_sb,
			VEXFS_EMBED_DEL_CREDITS(c->blocks_per_slot), 0);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	mutex_lock(&c->lock);
	err = -ENODATA;
	if (VEXFS_I(inode)->i_vec_slot)
		err = vexfs_embedding_drop(inode, c);
	mutex_unlock(&c->lock);
	if (!err) {
		inode_set_ctime_current(inode);
		mark_inode_dirty(inode);
	}
	stop = vexfs_journal_stop(handle);
	return err ?: stop;
}

/**
 * vexfs_embedding_get() - read a file's embedding
 * @inode: the file
 * @vec: out: c->dim float32 bits in CPU order; NULL to ask the dimension
 * @dim: out: the dimension
 *
 * Context: process context; may sleep.
 * Return: 0, -ENODATA if the file has no embedding, -EFSCORRUPTED if its
 * slot does not verify, -EIO, -ENOMEM.
 */
int vexfs_embedding_get(struct inode *inode, u32 *vec, u32 *dim)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct super_block *sb = inode->i_sb;
	struct vexfs_vec_slot *hdr;
	struct vexfs_coll *c;
	struct inode *store;
	const char *why;
	void *img;
	u64 slot;
	u32 i;
	int err;

	c = vexfs_coll_get(inode);
	if (IS_ERR(c))
		return PTR_ERR(c);
	*dim = c->dim;
	slot = READ_ONCE(vi->i_vec_slot);
	if (!slot)
		return -ENODATA;
	if (!vec)
		return 0;
	store = vexfs_vec_hidden_iget(sb, c->store_ino, "vector store");
	if (IS_ERR(store))
		return PTR_ERR(store);
	img = kmalloc(c->slot_size, GFP_NOFS);
	err = -ENOMEM;
	if (!img)
		goto out;
	mutex_lock(&c->lock);		/* the slot cannot move meanwhile */
	slot = vi->i_vec_slot;
	err = -ENODATA;
	if (slot) {
		down_read(&c->rw);
		err = slot > c->slots ? -EFSCORRUPTED :
		      vexfs_slot_io(store, c, slot, img, VEXFS_SLOT_READ);
		up_read(&c->rw);
	}
	mutex_unlock(&c->lock);
	if (err)
		goto out;
	hdr = img;
	why = vexfs_vec_slot_owner_check(hdr, inode->i_ino,
					 inode->i_generation);
	if (!why && le32_to_cpu(hdr->vs_checksum) != vexfs_slot_csum(sb, c, img))
		why = "checksum mismatch";
	if (why) {
		vexfs_error(sb, "collection %u: vector slot %llu of inode %llu is corrupt: %s",
			    c->id, slot, (unsigned long long)inode->i_ino, why);
		err = -EFSCORRUPTED;
		goto out;
	}
	for (i = 0; i < c->dim; i++)
		vec[i] = le32_to_cpu(hdr->vs_data[i]);
out:
	kfree(img);
	iput(store);
	return err;
}

/**
 * vexfs_vec_evict() - release the vector state of an inode being deleted
 * @inode: an inode with no links left, being evicted
 *
 * Frees the file's slot; a collection root directory takes its collection
 * with it (it is empty by then).  The inode forgets both (i_vec_slot,
 * i_collection) in the same transaction, so that finishing its deletion
 * from the orphan list after a crash frees nothing twice.
 *
 * Context: evict_inode, inside its handle (VEXFS_VEC_EVICT_CREDITS); may
 * sleep.
 */
void vexfs_vec_evict(struct inode *inode)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct vexfs_coll *c;

	if (!vi->i_collection || (vi->i_flags & VEXFS_INODE_HIDDEN))
		return;
	if (!vi->i_vec_slot && !S_ISDIR(inode->i_mode))
		return;
	c = vexfs_coll_get(inode);
	if (IS_ERR(c))
		return;
	if (vi->i_vec_slot) {
		mutex_lock(&c->lock);
		if (vexfs_embedding_drop(inode, c))
			vexfs_err(inode->i_sb, "inode %llu: cannot free its vector slot",
				  (unsigned long long)inode->i_ino);
		mutex_unlock(&c->lock);
	}
	if (S_ISDIR(inode->i_mode) && c->root_ino == inode->i_ino) {
		vexfs_coll_delete(inode, c);
		vi->i_collection = 0;
	}
	if (VEXFS_SB(inode->i_sb)->journal)
		vexfs_journal_write_inode(inode);
}

/* ------------------------------------------------------------------ */
/* The xattr user.vexfs.embedding                                      */
/* ------------------------------------------------------------------ */

/**
 * vexfs_vec_xattr_get() - read user.vexfs.embedding
 * @inode: the file
 * @buf: out: dim little-endian floats, or NULL to ask the size
 * @size: room at @buf
 *
 * Context: process context (the xattr handler); may sleep.
 * Return: the value's size, -ENODATA without an embedding, -ERANGE if
 * @size is too small, or another negative errno.
 */
int vexfs_vec_xattr_get(struct inode *inode, void *buf, size_t size)
{
	u32 dim, *vec, i;
	__le32 *out = buf;
	int err;

	if (!VEXFS_I(inode)->i_collection || !VEXFS_I(inode)->i_vec_slot)
		return -ENODATA;
	err = vexfs_embedding_get(inode, NULL, &dim);
	if (err)
		return err;
	if (!size)
		return dim * 4;
	if (size < dim * 4)
		return -ERANGE;
	vec = kmalloc_array(dim, 4, GFP_NOFS);
	if (!vec)
		return -ENOMEM;
	err = vexfs_embedding_get(inode, vec, &dim);
	if (!err) {
		for (i = 0; i < dim; i++)
			out[i] = cpu_to_le32(vec[i]);
		err = dim * 4;
	}
	kfree(vec);
	return err;
}

/**
 * vexfs_vec_xattr_set() - write or remove user.vexfs.embedding
 * @inode: the file; the VFS holds its i_rwsem
 * @value: dim little-endian floats, or NULL to remove
 * @size: bytes at @value
 * @flags: XATTR_CREATE / XATTR_REPLACE
 *
 * Context: process context, the VFS holds @inode's i_rwsem; may sleep.
 * Return: 0, -EOPNOTSUPP for a file in no collection, -EINVAL for a value
 * of the wrong size or with a NaN or infinity, -EEXIST / -ENODATA as
 * @flags say, or another negative errno.
 */
int vexfs_vec_xattr_set(struct inode *inode, const void *value, size_t size,
			int flags)
{
	bool has = VEXFS_I(inode)->i_vec_slot != 0;
	const __le32 *in = value;
	u32 *vec, i;
	int err;

	if (!VEXFS_I(inode)->i_collection || !S_ISREG(inode->i_mode))
		return -EOPNOTSUPP;
	if (!value) {
		if (flags & XATTR_CREATE)
			return -EINVAL;
		return vexfs_embedding_remove(inode);
	}
	if ((flags & XATTR_CREATE) && has)
		return -EEXIST;
	if ((flags & XATTR_REPLACE) && !has)
		return -ENODATA;
	if (!size || size % 4 || size / 4 > VEXFS_MAX_DIM)
		return -EINVAL;
	vec = kmalloc(size, GFP_NOFS);
	if (!vec)
		return -ENOMEM;
	for (i = 0; i < size / 4; i++)
		vec[i] = le32_to_cpu(in[i]);
	err = vexfs_embedding_set(inode, vec, size / 4);
	kfree(vec);
	if (err == -ENODATA)
		err = -EOPNOTSUPP;
	return err;
}

/**
 * vexfs_vec_listxattr() - add user.vexfs.embedding to a listxattr result
 * @inode: the file
 * @buf: the list being built, or NULL to count
 * @size: room at @buf
 * @used: bytes of @buf used so far
 *
 * Context: process context (listxattr).
 * Return: the new total, or -ERANGE.
 */
ssize_t vexfs_vec_listxattr(struct inode *inode, char *buf, size_t size,
			    ssize_t used)
{
	size_t len = sizeof(VEXFS_EMBEDDING_XATTR);

	if (!VEXFS_I(inode)->i_collection || !VEXFS_I(inode)->i_vec_slot)
		return used;
	if (buf) {
		if (used + len > size)
			return -ERANGE;
		memcpy(buf + used, VEXFS_EMBEDDING_XATTR, len);
	}
	return used + len;
}
