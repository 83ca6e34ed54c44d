// SPDX-License-Identifier: GPL-2.0
/*
 * symlink.c - symbolic links.
 *
 * A target that fits in the inode's i_data with its NUL
 * (VEXFS_INODE_DATA_SIZE bytes) is stored there and flagged
 * VEXFS_INODE_INLINE: a "fast" symlink, read without any I/O.  A longer
 * one (up to a block) is the data of the inode, written with
 * page_symlink() through the regular-file address space operations and
 * read with page_get_link().
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vexfs.h"

/*
 * The inline target was read from disk: trust it only if it ends with a
 * NUL right at i_size, inside i_data.  inode->i_link is left NULL so that
 * the VFS always asks here instead of using the buffer unchecked.
 */
static const char *vexfs_fast_get_link(struct dentry *dentry,
				       struct inode *inode,
				       struct delayed_call *done)
{
	const char *link = (const char *)VEXFS_I(inode)->i_data;
	loff_t size = i_size_read(inode);

	if (likely(size < VEXFS_INODE_DATA_SIZE &&
		   strnlen(link, VEXFS_INODE_DATA_SIZE) == size))
		return link;
	if (!dentry)
		return ERR_PTR(-ECHILD);	/* report it outside RCU walk */
	vexfs_error(inode->i_sb, "inode %llu: bad inline symlink of size %lld",
		    (unsigned long long)inode->i_ino, size);
	return ERR_PTR(-EFSCORRUPTED);
}

const struct inode_operations vexfs_fast_symlink_inode_operations = {
	.get_link	= vexfs_fast_get_link,
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
};

const struct inode_operations vexfs_symlink_inode_operations = {
	.get_link	= page_get_link,
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
};
