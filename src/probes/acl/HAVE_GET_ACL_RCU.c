// SPDX-License-Identifier: GPL-2.0
/* ->get_acl takes the inode and an rcu flag (5.15 to 6.1). */
#include <linux/fs.h>
#include <linux/posix_acl.h>

static struct posix_acl *probe_get(struct inode *inode, int type, bool rcu)
{
	return NULL;
}

static const struct inode_operations probe_iops __used = {
	.get_acl = probe_get,
};
