// SPDX-License-Identifier: GPL-2.0
/*
 * ->create takes a bool "excl" but no idmap (before 5.12): the 5.10
 * spelling of HAVE_CREATE_EXCL.
 */
#include <linux/fs.h>

static int __used probe(const struct inode_operations *iops, struct inode *dir,
			struct dentry *dentry)
{
	return iops->create(dir, dentry, 0, true);
}
