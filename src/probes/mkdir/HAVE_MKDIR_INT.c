// SPDX-License-Identifier: GPL-2.0
/* ->mkdir returns an errno (6.1, 6.12). */
#include <linux/fs.h>

static int __used probe(const struct inode_operations *iops, struct inode *dir,
			struct dentry *dentry)
{
	int ret = iops->mkdir(NULL, dir, dentry, 0);

	return ret;
}
