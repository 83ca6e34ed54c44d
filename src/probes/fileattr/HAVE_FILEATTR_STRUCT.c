// SPDX-License-Identifier: GPL-2.0
/*
 * ->fileattr_get/->fileattr_set take a struct fileattr (5.13 to 6.x):
 * the VFS decodes FS_IOC_GETFLAGS and friends itself.
 */
#include <linux/fs.h>
#include <linux/fileattr.h>

static int probe_get(struct dentry *dentry, struct fileattr *fa)
{
	fileattr_fill_flags(fa, 0);
	return fileattr_has_fsx(fa);
}

static const struct inode_operations probe_iops __used = {
	.fileattr_get = probe_get,
};
