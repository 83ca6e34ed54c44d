// SPDX-License-Identifier: GPL-2.0
/* The inode operations take a struct mnt_idmap * (Linux 6.3 and later). */
#include <linux/fs.h>

static int probe_mknod(struct mnt_idmap *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return 0;
}

static const struct inode_operations probe_iops __used = {
	.mknod = probe_mknod,
};
