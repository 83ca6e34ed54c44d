// SPDX-License-Identifier: GPL-2.0
/*
 * ->get_acl takes only the inode and the type, and the system.posix_acl_*
 * xattrs go through the ACL xattr handlers (before 5.15).
 */
#include <linux/fs.h>
#include <linux/posix_acl.h>

static struct posix_acl *probe_get(struct inode *inode, int type)
{
	return NULL;
}

static const struct inode_operations probe_iops __used = {
	.get_acl = probe_get,
};
