// SPDX-License-Identifier: GPL-2.0
/*
 * symlink.c - symbolic links.
 *
 * A target that fits in the inode's i_data with its NUL
 * (VEXFS_INODE_DATA_SIZE bytes) is stored there and flagged
 * VEXFS_INODE_INLINE: a "fast" symlink, read without any I/O.  A longer
 * one (up to a block) is the data of the inode, written with
 * page_symlink() through the regular-file address space operations and
 * read with page_get_link().  The rules of both are in common/symlink.c.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vexfs.h"

/* Report a target that breaks a rule of common/symlink.c. */
static const char *vexfs_bad_link(struct dentry *dentry, struct inode *inode,
				  const char *why)
{
	if (!dentry)
		return ERR_PTR(-ECHILD);	/* report it outside RCU walk */
	vexfs_error(inode->i_sb, "inode %llu: bad symlink of size %lld: %s",
		    (unsigned long long)inode->i_ino, i_size_read(inode), why);
	return ERR_PTR(-EFSCORRUPTED);
}

/*
 * The inline target was read from disk: iget checked its framing, and it
 * is checked again here, where it is used.  inode->i_link is left NULL so
 * that the VFS always asks here instead of using the buffer unchecked.
 */
static const char *vexfs_fast_get_link(struct dentry *dentry,
				       struct inode *inode,
				       struct delayed_call *done)
{
	const u8 *link = VEXFS_I(inode)->i_data;
	const char *why = vexfs_symlink_inline_check(link, i_size_read(inode));

	if (likely(!why))
		return (const char *)link;
	return vexfs_bad_link(dentry, inode, why);
}

/*
 * A target in a block: iget checked its length, and page_get_link() cuts
 * it at i_size; a NUL before that would cut it shorter still, silently.
 */
static const char *vexfs_slow_get_link(struct dentry *dentry,
				       struct inode *inode,
				       struct delayed_call *done)
{
	const char *link = page_get_link(dentry, inode, done);
	const char *why;

	if (IS_ERR(link))
		return link;
	why = vexfs_symlink_target_check(link, min_t(loff_t, i_size_read(inode),
						     PAGE_SIZE - 1));
	if (likely(!why))
		return link;
	do_delayed_call(done);		/* drop the page */
	clear_delayed_call(done);
	return vexfs_bad_link(dentry, inode, why);
}

const struct inode_operations vexfs_fast_symlink_inode_operations = {
	.get_link	= vexfs_fast_get_link,
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
};

const struct inode_operations vexfs_symlink_inode_operations = {
	.get_link	= vexfs_slow_get_link,
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
};
