// SPDX-License-Identifier: GPL-2.0
/*
 * ->mkdir returns an errno and takes no idmap (before 5.12): the 5.10
 * spelling of HAVE_MKDIR_INT.
 */
#include <linux/fs.h>

static int __used probe(const struct inode_operations *iops, struct inode *dir,
			struct dentry *dentry)
{
	int ret = iops->mkdir(dir, dentry, 0);

	return ret;
}
