// SPDX-License-Identifier: GPL-2.0
/*
 * vfs_create() takes the directory, the dentry, mode and excl, but no
 * idmap (before 5.12): the 5.10 spelling of HAVE_VFS_CREATE_DIR.
 */
#include <linux/fs.h>

static int __used probe(struct inode *dir, struct dentry *dentry)
{
	return vfs_create(dir, dentry, S_IFREG, true);
}
