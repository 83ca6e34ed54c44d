// SPDX-License-Identifier: GPL-2.0
/*
 * vfs_create() takes the idmap, the dentry (its parent is the directory),
 * the mode and a delegated_inode for NFS delegation breaking (7.x).
 * The idmap is spelled out: 5.10's vfs_create(dir, dentry, mode, excl)
 * has four arguments too, and would take (NULL, dentry, mode, NULL).
 */
#include <linux/fs.h>

static int __used probe(struct dentry *dentry)
{
	return vfs_create(&nop_mnt_idmap, dentry, S_IFREG, NULL);
}
