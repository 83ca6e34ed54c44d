// SPDX-License-Identifier: GPL-2.0
/*
 * symlink.c - symlink targets, inline ("fast", in i_data) or in a data
 * block, with the kernel's rules (src/symlink.c, src/namei.c).
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

	*why = NULL;
	if (le32(inode->i_flags) & VEXFS_INODE_INLINE) {
		if (size >= VEXFS_INODE_DATA_SIZE ||
		    strnlen((const char *)inode->i_data,
			    VEXFS_INODE_DATA_SIZE) != size) {
			*why = "inline target does not end at i_size";
			return -EUCLEAN;
		}
		memcpy(buf, inode->i_data, size + 1);
		return 0;
	}
	if (!size || size >= fs->bs) {
		*why = "target length out of range";
		return -EUCLEAN;
	}
	ret = vexfs_file_read(fs, ino, inode, buf, (size_t)size, err);
	if (ret == -EUCLEAN) {
		*why = "corrupt extent tree";
		return ret;
	}
	if (ret)
		return ret;
	buf[size] = '\0';
	if (strlen(buf) != size) {
		*why = "target holds a NUL";
		return -EUCLEAN;
	}
	return 0;
}
