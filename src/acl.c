// SPDX-License-Identifier: GPL-2.0
/*
 * acl.c - POSIX access control lists.
 *
 * ACLs are stored as extended attributes (VEXFS_XATTR_INDEX_ACL_ACCESS and
 * _DEFAULT, with an empty name) in the VFS's portable xattr encoding,
 * with ids in the initial user namespace.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "vexfs.h"

static int vexfs_acl_index(int type)
{
	return type == ACL_TYPE_ACCESS ? VEXFS_XATTR_INDEX_ACL_ACCESS :
					 VEXFS_XATTR_INDEX_ACL_DEFAULT;
}

/**
 * vexfs_get_acl() - read an inode's ACL of one type
 * @inode: the inode
 * @type: ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 * @rcu: called in RCU walk mode, where we cannot sleep
 *
 * Context: process context; may sleep unless @rcu, when it returns -ECHILD.
 * Return: the ACL, NULL if there is none, or an ERR_PTR.
 */
struct posix_acl *vexfs_get_acl(struct inode *inode, int type, bool rcu)
{
	struct posix_acl *acl;
	void *value;
	int size;

	if (rcu)
		return ERR_PTR(-ECHILD);
	size = vexfs_xattr_get(inode, vexfs_acl_index(type), "", NULL, 0);
	if (size == -ENODATA)
		return NULL;
	if (size < 0)
		return ERR_PTR(size);
	value = kmalloc(size, GFP_NOFS);
	if (!value)
		return ERR_PTR(-ENOMEM);
	size = vexfs_xattr_get(inode, vexfs_acl_index(type), "", value, size);
	if (size == -ENODATA)
		acl = NULL;
	else if (size < 0)
		acl = ERR_PTR(size);
	else
		acl = posix_acl_from_xattr(&init_user_ns, value, size);
	kfree(value);
	return acl;
}

/* Store @acl (NULL removes it) without touching the mode. */
static int vexfs_store_acl(struct inode *inode, struct posix_acl *acl,
			   int type)
{
	void *value = NULL;
	size_t size = 0;
	int err;

	if (type == ACL_TYPE_DEFAULT && !S_ISDIR(inode->i_mode))
		return acl ? -EACCES : 0;
	if (acl) {
		value = vexfs_acl_to_xattr(acl, &size, GFP_NOFS);
		if (!value)
			return -ENOMEM;
	}
	err = vexfs_xattr_set(inode, vexfs_acl_index(type), "", value, size, 0);
	if (err == -ENODATA)	/* removing an ACL that was not there */
		err = 0;
	if (!err)
		set_cached_acl(inode, type, acl);
	kfree(value);
	return err;
}

/**
 * __vexfs_set_acl() - set an inode's ACL, updating the mode to match
 * @idmap: the mount's idmapping
 * @inode: the inode
 * @acl: the new ACL, or NULL to remove it
 * @type: ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * Context: process context; the VFS holds i_rwsem; may sleep.
 * Return: 0 or a negative errno.
 */
int __vexfs_set_acl(vexfs_idmap_t *idmap, struct inode *inode,
		    struct posix_acl *acl, int type)
{
	umode_t mode = inode->i_mode;
	handle_t *handle;
	int err, err2;

	if (type == ACL_TYPE_ACCESS && acl) {
		/* An ACL that says no more than the mode is not stored. */
		err = vexfs_posix_acl_update_mode(idmap, inode, &mode, &acl);
		if (err)
			return err;
	}
	/* The attribute and the mode change commit together. */
	handle = vexfs_journal_start(inode->i_sb, VEXFS_XATTR_CREDITS, 0);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	err = vexfs_store_acl(inode, acl, type);
	if (!err && mode != inode->i_mode) {
		inode->i_mode = mode;
		inode_set_ctime_current(inode);
		mark_inode_dirty(inode);
	}
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

/**
 * vexfs_init_acl() - give a new inode the ACLs it inherits
 * @inode: the new inode (I_NEW)
 * @default_acl: the directory's default ACL for a new directory, or NULL
 * @acl: the access ACL computed by posix_acl_create(), or NULL
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno.
 */
int vexfs_init_acl(struct inode *inode, struct posix_acl *default_acl,
		   struct posix_acl *acl)
{
	int err = 0;

	if (default_acl)
		err = vexfs_store_acl(inode, default_acl, ACL_TYPE_DEFAULT);
	if (acl && !err)
		err = vexfs_store_acl(inode, acl, ACL_TYPE_ACCESS);
	return err;
}
