// SPDX-License-Identifier: GPL-2.0
/*
 * inode.c - reading, verifying and writing on-disk inodes.
 *
 * Inode n lives in slot n of the inode table (slot 0 is never used).  The
 * checks are the kernel's: the rules of common/inode.c.  The exported
 * functions are documented in libvexfs.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "libvexfs.h"

uint64_t vexfs_inode_offset(const struct vexfs_super_block *sb, uint64_t ino)
{
	return le64(sb->s_inode_table_start) * le32(sb->s_block_size) +
	       ino * VEXFS_INODE_SIZE;
}

static int check_ino(struct vexfs_fs *fs, uint64_t ino, struct vexfs_err *err)
{
	if (!ino || ino >= le64(fs->sb.s_inodes_count))
		return vexfs_errf(err, EINVAL,
				  "inode %llu is outside the inode table",
				  (unsigned long long)ino);
	return 0;
}

int vexfs_inode_read_raw(struct vexfs_fs *fs, uint64_t ino,
			 struct vexfs_inode *inode, struct vexfs_err *err)
{
	int ret = check_ino(fs, ino, err);

	if (ret)
		return ret;
	return vexfs_dev_read(&fs->dev, vexfs_inode_offset(&fs->sb, ino),
			      inode, sizeof(*inode), err);
}

int vexfs_inode_verify(struct vexfs_fs *fs, uint64_t ino,
		       const struct vexfs_inode *inode, struct vexfs_err *err)
{
	const char *why;

	if (le32(inode->i_checksum) != vexfs_inode_csum(fs->seed, inode))
		return vexfs_errf(err, EBADMSG,
				  "inode %llu: checksum mismatch (stored 0x%08x, computed 0x%08x)",
				  (unsigned long long)ino,
				  le32(inode->i_checksum),
				  vexfs_inode_csum(fs->seed, inode));
	why = vexfs_ino_check(ino, le64(fs->sb.s_inodes_count));
	if (!why && !le16(inode->i_mode))
		why = "not in use";
	if (!why)
		why = vexfs_inode_check(inode, ino, fs->bs);
	if (why)
		return vexfs_errf(err, EUCLEAN, "inode %llu: %s",
				  (unsigned long long)ino, why);
	return 0;
}

int vexfs_inode_read(struct vexfs_fs *fs, uint64_t ino,
		     struct vexfs_inode *inode, struct vexfs_err *err)
{
	int ret = vexfs_inode_read_raw(fs, ino, inode, err);

	return ret ? ret : vexfs_inode_verify(fs, ino, inode, err);
}

int vexfs_inode_write(struct vexfs_fs *fs, uint64_t ino,
		      struct vexfs_inode *inode, struct vexfs_err *err)
{
	int ret = check_ino(fs, ino, err);

	if (ret)
		return ret;
	inode->i_checksum = cpu_le32(vexfs_inode_csum(fs->seed, inode));
	return vexfs_dev_write(&fs->dev, vexfs_inode_offset(&fs->sb, ino),
			       inode, sizeof(*inode), err);
}

static void set_time(struct vexfs_timestamp *t, int64_t now)
{
	t->sec = cpu_le64((uint64_t)now);
	t->nsec = 0;
	t->reserved = 0;
}

void vexfs_inode_init_dir(struct vexfs_inode *inode, uint64_t ino,
			  uint64_t parent, uint16_t mode, int64_t now,
			  uint32_t generation)
{
	struct vexfs_extent_header *eh;

	memset(inode, 0, sizeof(*inode));
	inode->i_mode = cpu_le16(S_IFDIR | (mode & 07777));
	/* its own name in the parent, and its "." */
	inode->i_links_count = cpu_le16(2);
	set_time(&inode->i_atime, now);
	set_time(&inode->i_mtime, now);
	set_time(&inode->i_ctime, now);
	set_time(&inode->i_crtime, now);
	inode->i_ino = cpu_le64(ino);
	inode->i_generation = cpu_le32(generation);
	inode->i_parent = cpu_le64(parent);
	eh = (struct vexfs_extent_header *)inode->i_data;
	eh->eh_magic = cpu_le16(VEXFS_EXTENT_HDR_MAGIC);
	eh->eh_max = cpu_le16(VEXFS_ROOT_EXTENTS);
}
