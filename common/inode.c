// SPDX-License-Identifier: GPL-2.0
/*
 * inode.c - the rules of a raw inode, for the kernel's iget and for
 * libvexfs's reads and fsck's pass 1.
 *
 * The rules are split by what fsck does about a failure, so that fsck can
 * apply each with its own problem code and repair while the kernel and
 * libvexfs apply them all at once (vexfs_inode_check()):
 *  - vexfs_inode_sanity_check(): the inode cannot be trusted at all (fsck
 *    clears it; a bad timestamp, checked last, it repairs);
 *  - vexfs_inode_flags_check(): unknown i_flags bits (fsck drops them);
 *  - vexfs_inode_size_check(): an impossible i_size (fsck cuts it back);
 *  - the symlink framing of common/symlink.c (fsck clears the inode);
 *  - a special file's data (fsck drops it).
 * The link count of a directory is the kernel's rule alone: fsck counts
 * the links in pass 4 and repairs the count, whatever pass 1 read.
 */
#include "vexfs_rules.h"

#define VEXFS_NSEC_PER_SEC	1000000000U

/**
 * vexfs_ino_check() - may @ino name an inode of this filesystem?
 * @ino: an inode number read from disk or from a file handle
 * @inodes_count: s_inodes_count
 *
 * The root and the numbers from VEXFS_FIRST_INO up.  The other reserved
 * numbers name nothing: VEXFS_COLLECTIONS_INO is historical (the table
 * of collections is an ordinary hidden inode, s_collections_ino, taken
 * from the users' numbers), and fsck never checks those slots.
 *
 * Return: NULL, or why the number is bad.
 */
const char *vexfs_ino_check(u64 ino, u64 inodes_count)
{
	if (ino == VEXFS_ROOT_INO && ino < inodes_count)
		return NULL;
	if (ino < VEXFS_FIRST_INO || ino >= inodes_count)
		return "inode number out of range";
	return NULL;
}

/**
 * vexfs_inode_max_size() - the largest i_size a file can have
 * @bs: the block size
 *
 * Return: (VEXFS_MAX_LBLK + 1) blocks, in bytes.
 */
u64 vexfs_inode_max_size(u32 bs)
{
	return (VEXFS_MAX_LBLK + 1) * (u64)bs;
}

/* Is the S_IFMT part of @mode one of the seven file types? */
static bool vexfs_mode_type_ok(u16 mode)
{
	return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode) ||
	       S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) ||
	       S_ISSOCK(mode);
}

static bool vexfs_time_ok(const struct vexfs_timestamp *t)
{
	return le32_to_cpu(t->nsec) < VEXFS_NSEC_PER_SEC;
}

/**
 * vexfs_inode_sanity_check() - can an inode be trusted at all?
 * @raw: the inode (its checksum is the caller's business)
 * @ino: the number it was read as
 *
 * Its own number, a known file type (a free inode, mode 0, has none),
 * a link unless it is an orphan (an orphan may have none), then the
 * timestamps' nanoseconds.  The timestamps come last: fsck repairs them
 * and takes the rest of the inode as sane.
 *
 * Return: NULL, or why the inode is bad.
 */
const char *vexfs_inode_sanity_check(const struct vexfs_inode *raw, u64 ino)
{
	if (le64_to_cpu(raw->i_ino) != ino)
		return "wrong inode number";
	if (!vexfs_mode_type_ok(le16_to_cpu(raw->i_mode)))
		return "bad mode";
	if (!le16_to_cpu(raw->i_links_count) &&
	    !(le32_to_cpu(raw->i_flags) & VEXFS_INODE_ORPHAN))
		return "no links";
	if (!vexfs_time_ok(&raw->i_atime) || !vexfs_time_ok(&raw->i_mtime) ||
	    !vexfs_time_ok(&raw->i_ctime) || !vexfs_time_ok(&raw->i_crtime))
		return "bad timestamp";
	return NULL;
}

/**
 * vexfs_inode_flags_check() - are the inode's flags ones this code knows?
 * @raw: the inode
 *
 * The filesystem's own flags and the chattr(1) ones (VEXFS_INODE_FLAGS_ALL),
 * and inline data only on a symlink: the kernel stores nothing else in
 * i_data but an extent root.
 *
 * Return: NULL, or why the flags are bad.
 */
const char *vexfs_inode_flags_check(const struct vexfs_inode *raw)
{
	u32 flags = le32_to_cpu(raw->i_flags);

	if (flags & ~VEXFS_INODE_FLAGS_ALL)
		return "unknown inode flags";
	if ((flags & VEXFS_INODE_INLINE) &&
	    !S_ISLNK(le16_to_cpu(raw->i_mode)))
		return "inline data on a file that is not a symlink";
	return NULL;
}

/**
 * vexfs_inode_size_check() - can a file be this long?
 * @raw: the inode
 * @bs: the block size
 *
 * Return: NULL, or why i_size is bad.
 */
const char *vexfs_inode_size_check(const struct vexfs_inode *raw, u32 bs)
{
	if (le64_to_cpu(raw->i_size) > vexfs_inode_max_size(bs))
		return "bad size";
	return NULL;
}

/**
 * vexfs_inode_check() - all the rules of a raw inode in use
 * @raw: the inode, its checksum verified
 * @ino: the number it was read as
 * @bs: the block size
 *
 * What the kernel refuses to read and libvexfs's vexfs_inode_verify()
 * refuses: the sanity, the flags, the size, a directory's two links, a
 * symlink's framing and the empty data of a special file.  fsck applies the same rules one by one (see the
 * top of this file).
 *
 * Return: NULL, or why the inode is bad.
 */
const char *vexfs_inode_check(const struct vexfs_inode *raw, u64 ino, u32 bs)
{
	u16 mode = le16_to_cpu(raw->i_mode);
	const char *why;

	why = vexfs_inode_sanity_check(raw, ino);
	if (!why)
		why = vexfs_inode_flags_check(raw);
	if (!why)
		why = vexfs_inode_size_check(raw, bs);
	if (why)
		return why;
	if (S_ISDIR(mode) && le16_to_cpu(raw->i_links_count) == 1)
		return "directory with fewer than 2 links";
	if (S_ISLNK(mode))
		return vexfs_symlink_check(raw, bs);
	if (S_ISREG(mode) || S_ISDIR(mode))
		return NULL;
	/* A device, fifo or socket: the kernel gives it no data. */
	if (le64_to_cpu(raw->i_size) ||
	    ((const struct vexfs_extent_header *)raw->i_data)->eh_entries)
		return "special file with data";
	return NULL;
}
