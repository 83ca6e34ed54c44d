// SPDX-License-Identifier: GPL-2.0
/*
 * ialloc.c - creating inodes.
 *
 * vexfs_new_inode() makes a file, directory, symlink or special inode in
 * a directory: a number from the inode bitmap (vexfs_new_ino(), alloc.c),
 * a fresh in-memory inode, its owner, the ACLs it inherits and the
 * directory's collection.  vexfs_new_hidden_inode() makes an internal
 * inode that serves another (an xattr value, a vector store or index).
 * The number goes back to the bitmap with vexfs_free_ino() (alloc.c).
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>

#include "vexfs.h"

/*
 * Allocate an inode number and a fresh in-memory inode of type @mode whose
 * parent is @parent; everything but the owner is initialized.  The inode
 * is hashed and still I_NEW.
 */
static struct inode *vexfs_alloc_new_inode(struct super_block *sb,
					   umode_t mode, u64 parent)
{
	struct vexfs_inode_info *vi;
	struct inode *inode;
	struct timespec64 now;
	u64 ino;
	int err;

	inode = new_inode(sb);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	err = vexfs_new_ino(sb, &ino);
	if (err) {
		make_bad_inode(inode);
		iput(inode);
		return ERR_PTR(err);
	}

	vi = VEXFS_I(inode);
	inode->i_ino = ino;
	inode->i_mode = mode;
	inode->i_generation = get_random_u32();
	now = inode_set_ctime_current(inode);
	inode_set_atime_to_ts(inode, now);
	inode_set_mtime_to_ts(inode, now);
	vi->i_crtime = now;
	vi->i_flags = 0;
	vi->i_parent = parent;
	vi->i_xattr_block = 0;
	vi->i_collection = 0;
	vi->i_vec_slot = 0;
	set_nlink(inode, S_ISDIR(mode) ? 2 : 1);

	err = insert_inode_locked(inode);
	if (err) {
		/* The bitmap said the number was free, the cache disagrees. */
		vexfs_error(sb, "inode %llu allocated but still in use", ino);
		make_bad_inode(inode);
		iput(inode);
		return ERR_PTR(-EFSCORRUPTED);
	}
	return inode;
}

/* Drop a new inode that could not be finished; eviction frees it. */
static void vexfs_discard_new_inode(struct inode *inode)
{
	clear_nlink(inode);
	discard_new_inode(inode);
}

/**
 * vexfs_new_inode() - allocate and initialize a new inode
 * @idmap: the mount's idmapping, for the owner
 * @dir: the directory the inode is created in
 * @mode: type and permissions
 * @rdev: device number for character and block devices
 *
 * The inode gets the caller's fsuid and the directory's setgid group
 * rules, the ACLs it inherits from @dir (which also apply the umask), the
 * current time as all four timestamps, a random generation and @dir as its
 * parent, and inherits @dir's vector collection.
 *
 * Context: process context; the caller holds @dir's i_rwsem.
 * Return: the new inode, still I_NEW: the caller finishes it with
 * d_instantiate_new(), or drops it with clear_nlink() and
 * discard_new_inode().  ERR_PTR(-ENOSPC) when no inode is free.
 */
struct inode *vexfs_new_inode(vexfs_idmap_t *idmap, struct inode *dir,
			      umode_t mode, dev_t rdev)
{
	struct posix_acl *default_acl = NULL, *acl = NULL;
	struct inode *inode;
	int err;

	inode = vexfs_alloc_new_inode(dir->i_sb, mode, dir->i_ino);
	if (IS_ERR(inode))
		return inode;
	vexfs_inode_init_owner(idmap, inode, dir, mode);
	VEXFS_I(inode)->i_collection = VEXFS_I(dir)->i_collection;
	vexfs_inherit_flags(inode, dir);

	err = posix_acl_create(dir, &inode->i_mode, &default_acl, &acl);
	if (err)
		goto out_discard;
	vexfs_init_new_inode(inode, rdev);
	err = vexfs_init_acl(inode, default_acl, acl);
	posix_acl_release(default_acl);
	posix_acl_release(acl);
	if (err)
		goto out_discard;
	mark_inode_dirty(inode);
	return inode;

out_discard:
	vexfs_discard_new_inode(inode);
	return ERR_PTR(err);
}

/**
 * vexfs_new_hidden_inode() - allocate an internal inode owned by another
 * @owner: the inode this one serves (an xattr value, a vector store...)
 * @mode: type and permissions; owned by root
 *
 * Hidden inodes are never linked into a directory; their parent pointer
 * names @owner so that fsck can account for them.
 *
 * Context: process context; may sleep.
 * Return: the new inode, still I_NEW (see vexfs_new_inode()), or an
 * ERR_PTR.
 */
struct inode *vexfs_new_hidden_inode(struct inode *owner, umode_t mode)
{
	struct inode *inode;

	inode = vexfs_alloc_new_inode(owner->i_sb, mode, owner->i_ino);
	if (IS_ERR(inode))
		return inode;
	VEXFS_I(inode)->i_flags = VEXFS_INODE_HIDDEN;
	vexfs_init_new_inode(inode, 0);
	mark_inode_dirty(inode);
	return inode;
}
