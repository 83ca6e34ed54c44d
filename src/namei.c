// SPDX-License-Identifier: GPL-2.0
/*
 * namei.c - name lookup and the directory inode operations.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vexfs.h"

static struct dentry *vexfs_lookup(struct inode *dir, struct dentry *dentry,
				   unsigned int flags)
{
	int err;

	if (dentry->d_name.len > VEXFS_NAME_LEN)
		return ERR_PTR(-ENAMETOOLONG);
	err = vexfs_dir_check_readable(dir);
	if (err)
		return ERR_PTR(err);
	/* An empty directory: remember the miss as a negative dentry. */
	return d_splice_alias(NULL, dentry);
}

const struct inode_operations vexfs_dir_inode_operations = {
	.lookup		= vexfs_lookup,
};
