// SPDX-License-Identifier: GPL-2.0
/*
 * Permission checks read ACLs through ->get_inode_acl; ->get_acl takes a
 * dentry and is only for the ACL syscalls (6.2 and later).
 */
#include <linux/fs.h>
#include <linux/posix_acl.h>

static struct posix_acl *probe_get(struct inode *inode, int type, bool rcu)
{
	return NULL;
}

static const struct inode_operations probe_iops __used = {
	.get_inode_acl = probe_get,
};
