// SPDX-License-Identifier: GPL-2.0
/* ->create takes the idmap but no "excl" argument (7.3). */
#include <linux/fs.h>

static int __used probe(const struct inode_operations *iops, struct inode *dir,
			struct dentry *dentry)
{
	return iops->create(NULL, dir, dentry, 0);
}
