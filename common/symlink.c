// SPDX-License-Identifier: GPL-2.0
/*
 * symlink.c - the rules of a symlink's target, for the kernel's iget and
 * get_link and for libvexfs's reads and fsck.
 *
 * The kernel writes a target of up to VEXFS_INODE_DATA_SIZE - 1 bytes
 * into i_data with its NUL and flags the inode VEXFS_INODE_INLINE (a
 * "fast" symlink); a longer one, up to a block with its NUL, it writes as
 * the file's data with page_symlink() (a "slow" one).  i_size is the
 * target's length either way, without the NUL.  A slow symlink with a
 * short target is never written but reads as well as a long one, so it
 * is allowed: fsck must not clear what the kernel can follow.
 */
#include "vexfs_rules.h"

/**
 * vexfs_symlink_inline_check() - the framing of a fast symlink's target
 * @data: the inode's i_data, VEXFS_INODE_DATA_SIZE bytes
 * @size: i_size
 *
 * Return: NULL, or why the target is bad: it must fill i_data up to a NUL
 * exactly at @size.
 */
const char *vexfs_symlink_inline_check(const u8 *data, u64 size)
{
	if (size >= VEXFS_INODE_DATA_SIZE ||
	    strnlen((const char *)data, VEXFS_INODE_DATA_SIZE) != size)
		return "inline target does not end at i_size";
	return NULL;
}

/**
 * vexfs_symlink_check() - the framing of a symlink inode's target
 * @raw: the symlink's inode
 * @bs: the block size
 *
 * A fast target must fill i_data up to a NUL exactly at i_size; a slow
 * one must be 1 to @bs - 1 bytes long (its block holds it and its NUL).
 *
 * Return: NULL, or why the symlink is bad.
 */
const char *vexfs_symlink_check(const struct vexfs_inode *raw, u32 bs)
{
	u64 size = le64_to_cpu(raw->i_size);

	if (le32_to_cpu(raw->i_flags) & VEXFS_INODE_INLINE)
		return vexfs_symlink_inline_check(raw->i_data, size);
	if (!size || size >= bs)
		return "target length out of range";
	return NULL;
}

/**
 * vexfs_symlink_target_check() - the bytes of a slow symlink's target
 * @target: the first @size bytes of the symlink's block
 * @size: i_size (vexfs_symlink_check() passed)
 *
 * Return: NULL, or why the target is bad: it holds a NUL before its end,
 * which would cut it short.
 */
const char *vexfs_symlink_target_check(const char *target, u64 size)
{
	if (memchr(target, '\0', size))
		return "target holds a NUL";
	return NULL;
}
