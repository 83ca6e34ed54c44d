// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c - reading directories.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vexfs.h"

/*
 * vexfs_dir_has_entries() - does the directory hold any stored entry?
 *
 * "." and ".." are never stored, so a directory with no blocks is empty.
 * Reading the directory tree (VEXFS_FEATURE_INCOMPAT_DIR_TREE) arrives
 * with the namespace operations; until then a directory with blocks is
 * refused rather than shown empty, so nothing is silently hidden.
 */
int vexfs_dir_check_readable(struct inode *dir)
{
	if (!dir->i_size)
		return 0;
	vexfs_error(dir->i_sb, "directory %lu has entries this module cannot read yet",
		    dir->i_ino);
	return -EOPNOTSUPP;
}

static int vexfs_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file_inode(file);
	int err;

	err = vexfs_dir_check_readable(dir);
	if (err)
		return err;
	/* "." and ".." take cookies 0 and 1; the VFS knows "..". */
	dir_emit_dots(file, ctx);
	return 0;
}

const struct file_operations vexfs_dir_operations = {
	.llseek		= generic_file_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= vexfs_readdir,
	.fsync		= generic_file_fsync,
};
