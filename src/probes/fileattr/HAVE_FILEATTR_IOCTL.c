// SPDX-License-Identifier: GPL-2.0
/*
 * No ->fileattr_* operations (before 5.13): the filesystem's ioctl
 * decodes FS_IOC_GETFLAGS and friends, with the VFS helpers that check
 * CAP_LINUX_IMMUTABLE (which 5.13 removed along with the ioctls).
 */
#include <linux/fs.h>

static int __used probe(struct inode *inode, const struct fsxattr *old,
			struct fsxattr *fa)
{
	return vfs_ioc_setflags_prepare(inode, 0, 0) +
	       vfs_ioc_fssetxattr_check(inode, old, fa);
}
