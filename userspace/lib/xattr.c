// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - extended attribute blocks: parse and check them, and pack a
 * new one, with the kernel's rules and layout (common/xattr.c).  Values too
 * large for the block live in hidden inodes (xe_value_ino) whose data is
 * the value and whose i_parent is the owner.  Documented in libvexfs.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"

int vexfs_xattr_parse(const uint8_t *blk, uint32_t bs,
		      struct vexfs_xattr_ent *out, int max, const char **why)
{
	struct vexfs_xattr_cursor cur = { 0 };
	struct vexfs_xattr_item it;
	int n;

	for (n = 0; ; n++) {
		*why = vexfs_xattr_next(blk, bs, &cur, &it);
		if (*why)
			return -EUCLEAN;
		if (it.index == VEXFS_XATTR_INDEX_END)
			return n;
		if (n >= max) {
			*why = "too many entries";
			return -EUCLEAN;
		}
		out[n].index = it.index;
		out[n].name_len = it.name_len;
		memcpy(out[n].name, it.name, it.name_len);
		out[n].name[it.name_len] = '\0';
		out[n].size = it.size;
		out[n].value_ino = it.value_ino;
		out[n].value = it.value;
	}
}

int vexfs_xattr_max_entries(uint32_t bs)
{
	return (int)vexfs_xattr_max_items(bs);
}

int vexfs_xattr_pack(uint8_t *blk, uint32_t bs,
		     const struct vexfs_xattr_ent *xs, int n)
{
	struct vexfs_xattr_item *items;
	int i, ret = 0;

	items = calloc(n > 0 ? (size_t)n : 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		if (vexfs_xattr_name_check(xs[i].index, xs[i].name,
					   xs[i].name_len))
			ret = -EINVAL;
		items[i].index = xs[i].index;
		items[i].name_len = xs[i].name_len;
		items[i].name = xs[i].name;
		items[i].size = xs[i].size;
		items[i].value_ino = xs[i].value_ino;
		items[i].value = xs[i].value;
	}
	if (!ret && !vexfs_xattr_block_pack(blk, bs, items, (unsigned int)n))
		ret = -ENOSPC;
	free(items);
	return ret;
}

int vexfs_xattr_read_block(struct vexfs_fs *fs, uint64_t ino,
			   const struct vexfs_inode *inode, uint8_t *blk,
			   const char **why, struct vexfs_err *err)
{
	uint64_t nr = le64(inode->i_xattr_block);
	int ret;

	*why = NULL;
	if (nr < le64(fs->sb.s_data_start) || nr >= le64(fs->sb.s_blocks_count)) {
		*why = "block number out of range";
		return -EUCLEAN;
	}
	ret = vexfs_read_block(&fs->dev, nr, blk, err);
	if (ret)
		return ret;
	ret = vexfs_meta_block_check(fs->seed, blk, fs->bs, VEXFS_XATTR_MAGIC,
				     nr, ino);
	if (ret == -EBADMSG)
		*why = "checksum does not match";
	else if (ret)
		*why = "bad block header (magic, location or owner)";
	return ret;
}

static const struct {
	uint8_t index;
	const char *prefix;
} prefixes[] = {
	{ VEXFS_XATTR_INDEX_USER, "user." },
	{ VEXFS_XATTR_INDEX_ACL_ACCESS, "system.posix_acl_access" },
	{ VEXFS_XATTR_INDEX_ACL_DEFAULT, "system.posix_acl_default" },
	{ VEXFS_XATTR_INDEX_TRUSTED, "trusted." },
	{ VEXFS_XATTR_INDEX_SECURITY, "security." },
};

const char *vexfs_xattr_prefix(uint8_t index)
{
	size_t i;

	for (i = 0; i < VEXFS_ARRAY_SIZE(prefixes); i++)
		if (prefixes[i].index == index)
			return prefixes[i].prefix;
	return NULL;
}

int vexfs_xattr_split_name(const char *full, uint8_t *index,
			   const char **suffix)
{
	size_t i;

	for (i = 0; i < VEXFS_ARRAY_SIZE(prefixes); i++) {
		size_t len = strlen(prefixes[i].prefix);

		if (!strncmp(full, prefixes[i].prefix, len)) {
			*index = prefixes[i].index;
			*suffix = full + len;
			return 0;
		}
	}
	return -EOPNOTSUPP;
}
