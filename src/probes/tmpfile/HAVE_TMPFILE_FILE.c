// SPDX-License-Identifier: GPL-2.0
/*
 * ->tmpfile gets the struct file to open, and d_tmpfile() takes it (6.1
 * and later).  NULL stands for the idmapping, whichever type the idmap
 * group finds.
 */
#include <linux/fs.h>
#include <linux/dcache.h>

static int __used probe(const struct inode_operations *iops,
			struct inode *dir, struct file *file)
{
	d_tmpfile(file, dir);
	return iops->tmpfile(NULL, dir, file, 0);
}
