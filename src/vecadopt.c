// SPDX-License-Identifier: GPL-2.0
/*
 * vecadopt.c - making an existing directory tree a vector collection.
 *
 * `vexctl collection create` on a directory that already has entries
 * creates the collection on the directory (vexfs_coll_create()), then
 * walks the tree below it, depth first, and gives every inode the
 * collection's id, each inode in its own small transaction: a tree of any
 * size needs no huge handle, and a crash or a fatal signal leaves a tree
 * whose upper part is in the collection and whose lower part is not yet.
 * Asking for the same collection again resumes the walk: what is done is
 * skipped.
 *
 * Why the tree cannot change under the walk in a way that escapes it:
 *  - A directory's entries are visited with its i_rwsem held, and each
 *    entry's inode changes with its own i_rwsem held too (parent before
 *    child, the VFS's order), so no entry is created, renamed, linked or
 *    unlinked in the middle of its change.
 *  - An inode that is not in the collection yet may not be renamed or
 *    linked into a directory that is, and nothing in the collection may
 *    be moved out of it (namei.c compares the moving inode's collection
 *    as well as the directories'): what the walk has not reached stays
 *    where it will be reached, and what it has reached stays inside.
 *  - New inodes inherit their directory's collection (alloc.c).
 * Directories still to visit are kept by inode number and generation, not
 * by reference, so a deep tree pins no inodes; one deleted meanwhile (its
 * number perhaps reused) is skipped.  The stack holds 16 bytes per
 * directory waiting to be visited.
 *
 * A non-directory with more than one link stops the walk with -EMLINK:
 * its other names may be outside the tree, and a collection shares no
 * inode with the rest of the filesystem.  An inode already in another
 * collection stops it with -EEXIST.  vexctl finds both before it asks,
 * so that the user hears of them before anything changes.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "vexfs.h"
#include "vector.h"

struct vexfs_adopt_dir {
	u64 ino;
	u32 gen;
};

struct vexfs_adopt {
	struct super_block *sb;
	u32 id;
	struct vexfs_adopt_dir *stack;
	size_t depth;
	size_t cap;
};

static int vexfs_adopt_push(struct vexfs_adopt *a, struct inode *dir)
{
	if (a->depth == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		struct vexfs_adopt_dir *stack;

		stack = kvmalloc_array(cap, sizeof(*stack), GFP_KERNEL);
		if (!stack)
			return -ENOMEM;
		if (a->depth)
			memcpy(stack, a->stack, a->depth * sizeof(*stack));
		kvfree(a->stack);
		a->stack = stack;
		a->cap = cap;
	}
	a->stack[a->depth].ino = dir->i_ino;
	a->stack[a->depth].gen = dir->i_generation;
	a->depth++;
	return 0;
}

/* Give one inode the collection.  Context: its i_rwsem held. */
static int vexfs_adopt_inode(struct vexfs_adopt *a, struct inode *inode)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	handle_t *handle;

	if (vi->i_collection == a->id)
		return 0;		/* an earlier, interrupted walk did it */
	if (vi->i_collection)
		return -EEXIST;
	if (!S_ISDIR(inode->i_mode) && inode->i_nlink > 1)
		return -EMLINK;
	if (vexfs_may_relabel(inode))
		return -EPERM;
	handle = vexfs_journal_start(a->sb, VEXFS_INODE_CREDITS, 0);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	vi->i_collection = a->id;
	inode_set_ctime_current(inode);
	mark_inode_dirty(inode);
	return vexfs_journal_stop(handle);
}

static int vexfs_adopt_entry(void *arg, const u8 *name, unsigned int len,
			     u64 ino, unsigned int ftype)
{
	struct vexfs_adopt *a = arg;
	struct inode *inode;
	int err;

	inode = vexfs_iget(a->sb, ino);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	inode_lock(inode);
	err = vexfs_adopt_inode(a, inode);
	inode_unlock(inode);
	if (!err && S_ISDIR(inode->i_mode))
		err = vexfs_adopt_push(a, inode);
	if (err == -EMLINK || err == -EEXIST || err == -EPERM)
		vexfs_warn(a->sb, "collection %u: inode %llu %s; it cannot join",
			   a->id, ino, err == -EMLINK ?
			   "has more than one link" : err == -EEXIST ?
			   "is in another collection" :
			   "is immutable or append-only");
	iput(inode);
	return err;
}

/* Adopt the entries of one directory the walk reached. */
static int vexfs_adopt_visit(struct vexfs_adopt *a,
			     const struct vexfs_adopt_dir *d)
{
	struct inode *dir = vexfs_iget_quiet(a->sb, d->ino);
	int err = 0;

	if (IS_ERR(dir))
		return PTR_ERR(dir) == -ESTALE ? 0 : PTR_ERR(dir);
	inode_lock_nested(dir, I_MUTEX_PARENT);
	if (dir->i_generation == d->gen && S_ISDIR(dir->i_mode) &&
	    !IS_DEADDIR(dir) && VEXFS_I(dir)->i_collection == a->id)
		err = vexfs_dir_for_each(dir, vexfs_adopt_entry, a);
	inode_unlock(dir);
	iput(dir);
	return err;
}

/**
 * vexfs_coll_adopt() - bring the tree below a collection's root into it
 * @root: the collection's root directory, not locked by the caller
 * @c: its collection
 *
 * Context: process context, no handle and no i_rwsem held; may sleep for
 * a long time on a large tree, and stops at a fatal signal.
 * Return: 0 once every inode below @root is in @c; -EMLINK or -EEXIST
 * for an inode that cannot join (named in the kernel log), -EINTR,
 * -ENOMEM, -EFSCORRUPTED or -EIO.  On error the inodes already adopted
 * stay adopted, and calling again resumes.
 */
int vexfs_coll_adopt(struct inode *root, struct vexfs_coll *c)
{
	struct vexfs_adopt a = { .sb = root->i_sb, .id = c->id };
	int err = vexfs_adopt_push(&a, root);

	while (!err && a.depth) {
		struct vexfs_adopt_dir d = a.stack[--a.depth];

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		err = vexfs_adopt_visit(&a, &d);
		cond_resched();
	}
	kvfree(a.stack);
	return err;
}
