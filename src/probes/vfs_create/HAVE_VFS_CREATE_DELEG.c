// SPDX-License-Identifier: GPL-2.0
/*
 * vfs_create() takes the idmap, the dentry (its parent is the directory),
 * the mode and a delegated_inode for NFS delegation breaking (7.x).
 */
#include <linux/fs.h>

static int __used probe(struct dentry *dentry)
{
	return vfs_create(NULL, dentry, S_IFREG, NULL);
}
