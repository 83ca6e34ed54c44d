// SPDX-License-Identifier: GPL-2.0
/*
 * ->create takes the idmap and a bool "excl" (O_EXCL, unused by local
 * filesystems).  Called through the member so that the idmap's type
 * (user namespace or mnt_idmap) does not matter here.
 */
#include <linux/fs.h>

static int __used probe(const struct inode_operations *iops, struct inode *dir,
			struct dentry *dentry)
{
	return iops->create(NULL, dir, dentry, 0, true);
}
