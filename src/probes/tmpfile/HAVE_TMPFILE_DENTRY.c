// SPDX-License-Identifier: GPL-2.0
/*
 * ->tmpfile gets a dentry and no idmapping, and d_tmpfile() takes the
 * dentry (before 5.12).
 */
#include <linux/fs.h>
#include <linux/dcache.h>

static int __used probe(const struct inode_operations *iops,
			struct inode *dir, struct dentry *dentry)
{
	d_tmpfile(dentry, dir);
	return iops->tmpfile(dir, dentry, 0);
}
