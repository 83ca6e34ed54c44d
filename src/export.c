// SPDX-License-Identifier: GPL-2.0
/*
 * export.c - file handles, for NFS and for open_by_handle_at(2).
 *
 * A handle names an inode by its 64-bit number and its generation, so a
 * handle kept across the deletion of its file, and the reuse of the inode
 * number, is stale instead of naming the newcomer.  ".." of a directory
 * comes from its parent pointer, so nfsd can reconnect any directory
 * without searching.
 *
 * Handles arrive from the network: a number out of range, a free inode or
 * an internal (hidden) inode is simply stale, never a corruption report.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/exportfs.h>

#include "vexfs.h"

/*
 * The handle types: {ino low, ino high, generation}, and the same for the
 * parent after it.  The values are those Linux 6.7 named
 * FILEID_INO64_GEN and FILEID_INO64_GEN_PARENT.
 */
#define VEXFS_FILEID_INO64_GEN		0x81
#define VEXFS_FILEID_INO64_GEN_PARENT	0x82
#define VEXFS_FH_WORDS			3	/* u32 words per inode */

static void vexfs_fh_put(__u32 *fh, const struct inode *inode)
{
	fh[0] = lower_32_bits(inode->i_ino);
	fh[1] = upper_32_bits(inode->i_ino);
	fh[2] = inode->i_generation;
}

static int vexfs_encode_fh(struct inode *inode, __u32 *fh, int *max_len,
			   struct inode *parent)
{
	int len = parent ? 2 * VEXFS_FH_WORDS : VEXFS_FH_WORDS;

	if (*max_len < len) {
		*max_len = len;
		return FILEID_INVALID;
	}
	vexfs_fh_put(fh, inode);
	if (parent)
		vexfs_fh_put(fh + VEXFS_FH_WORDS, parent);
	*max_len = len;
	return parent ? VEXFS_FILEID_INO64_GEN_PARENT : VEXFS_FILEID_INO64_GEN;
}

/* The inode a handle names, or -ESTALE if it no longer exists. */
static struct inode *vexfs_handle_inode(struct super_block *sb,
					const __u32 *fh)
{
	u64 ino = fh[0] | (u64)fh[1] << 32;
	struct inode *inode;

	if (!vexfs_ino_valid(VEXFS_SB(sb), ino))
		return ERR_PTR(-ESTALE);
	inode = vexfs_iget_quiet(sb, ino);
	if (IS_ERR(inode))
		return inode;
	if ((VEXFS_I(inode)->i_flags & VEXFS_INODE_HIDDEN) ||
	    inode->i_generation != fh[2]) {
		iput(inode);
		return ERR_PTR(-ESTALE);
	}
	return inode;
}

static struct dentry *vexfs_fh_to_dentry(struct super_block *sb,
					 struct fid *fid, int fh_len,
					 int fh_type)
{
	if ((fh_type != VEXFS_FILEID_INO64_GEN &&
	     fh_type != VEXFS_FILEID_INO64_GEN_PARENT) ||
	    fh_len < VEXFS_FH_WORDS)
		return NULL;
	return d_obtain_alias(vexfs_handle_inode(sb, fid->raw));
}

static struct dentry *vexfs_fh_to_parent(struct super_block *sb,
					 struct fid *fid, int fh_len,
					 int fh_type)
{
	if (fh_type != VEXFS_FILEID_INO64_GEN_PARENT ||
	    fh_len < 2 * VEXFS_FH_WORDS)
		return NULL;
	return d_obtain_alias(vexfs_handle_inode(sb,
						 fid->raw + VEXFS_FH_WORDS));
}

static struct dentry *vexfs_get_parent(struct dentry *child)
{
	struct inode *dir = d_inode(child);

	return d_obtain_alias(vexfs_iget(dir->i_sb, VEXFS_I(dir)->i_parent));
}

const struct export_operations vexfs_export_ops = {
	.encode_fh	= vexfs_encode_fh,
	.fh_to_dentry	= vexfs_fh_to_dentry,
	.fh_to_parent	= vexfs_fh_to_parent,
	.get_parent	= vexfs_get_parent,
};
