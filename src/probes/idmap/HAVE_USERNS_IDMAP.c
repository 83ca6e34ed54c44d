// SPDX-License-Identifier: GPL-2.0
/* The inode operations take a struct user_namespace * (5.12 to 6.2). */
#include <linux/fs.h>

static int probe_mknod(struct user_namespace *userns, struct inode *dir,
		       struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return 0;
}

static const struct inode_operations probe_iops __used = {
	.mknod = probe_mknod,
};
