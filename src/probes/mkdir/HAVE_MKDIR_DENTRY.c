// SPDX-License-Identifier: GPL-2.0
/*
 * ->mkdir returns a dentry: NULL when it instantiated the one it was
 * given, or an ERR_PTR (7.x).
 */
#include <linux/fs.h>

static struct dentry * __used probe(const struct inode_operations *iops,
				    struct inode *dir, struct dentry *dentry)
{
	struct dentry *ret = iops->mkdir(NULL, dir, dentry, 0);

	return ret;
}
