// SPDX-License-Identifier: GPL-2.0
/*
 * symlink.c - symlink targets, inline ("fast", in i_data) or in a data
 * block, checked with the kernel's rules (common/symlink.c).
 * Documented in libvexfs.h.
 */
#include <errno.h>
#include <string.h>

#include "libvexfs.h"

int vexfs_symlink_read(struct vexfs_fs *fs, uint64_t ino,
		       const struct vexfs_inode *inode, char *buf,
		       const char **why, struct vexfs_err *err)
{
	uint64_t size = le64(inode->i_size);
	int ret;

	*why = vexfs_symlink_check(inode, fs->bs);
	if (*why)
		return -EUCLEAN;
	if (le32(inode->i_flags) & VEXFS_INODE_INLINE) {
		memcpy(buf, inode->i_data, size + 1);
		return 0;
	}
	ret = vexfs_file_read(fs, ino, inode, buf, (size_t)size, err);
	if (ret == -EUCLEAN) {
		*why = "corrupt extent tree";
		return ret;
	}
	if (ret)
		return ret;
	buf[size] = '\0';
	*why = vexfs_symlink_target_check(buf, size);
	return *why ? -EUCLEAN : 0;
}
