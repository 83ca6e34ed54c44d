// SPDX-License-Identifier: GPL-2.0
/*
 * Neither the inode operations, nor the xattr ->set handler, nor the VFS
 * helpers that check or set ownership take an idmapping (before 5.12).
 * They are all probed here because compat.h maps them all from this one
 * answer: a kernel that changed only some of them fails every
 * alternative of the group, and the build stops.
 */
#include <linux/fs.h>
#include <linux/posix_acl.h>
#include <linux/xattr.h>

static int probe_create(struct inode *dir, struct dentry *dentry,
			umode_t mode, bool excl)
{
	return 0;
}

static const struct inode_operations probe_iops __used = {
	.create = probe_create,
};

static int probe_xattr_set(const struct xattr_handler *handler,
			   struct dentry *dentry, struct inode *inode,
			   const char *name, const void *value, size_t size,
			   int flags)
{
	return 0;
}

static const struct xattr_handler probe_xattr __used = {
	.set = probe_xattr_set,
};

static int __used probe(struct inode *inode, struct dentry *dentry,
			struct iattr *attr, struct posix_acl **acl)
{
	umode_t mode = inode->i_mode;

	inode_init_owner(inode, NULL, mode);
	setattr_copy(inode, attr);
	return setattr_prepare(dentry, attr) +
	       inode_permission(inode, MAY_READ) +
	       inode_owner_or_capable(inode) +
	       posix_acl_chmod(inode, mode) +
	       posix_acl_update_mode(inode, &mode, acl) +
	       vfs_create(inode, dentry, mode, true);
}
