// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - extended attribute blocks: parse and check them as the kernel
 * does (src/xattr.c vexfs_xattr_parse()), and pack a new one.  Values too
 * large for the block live in hidden inodes (xe_value_ino) whose data is
 * the value and whose i_parent is the owner.  Documented in libvexfs.h.
 */
#include <errno.h>
#include <string.h>

#include "libvexfs.h"

#define HDR_SIZE	sizeof(struct vexfs_block_header)
#define ENTRY_SIZE(n)	((sizeof(struct vexfs_xattr_entry) + (n) + 3) & ~3U)
#define XATTR_SIZE_MAX	65536

/* An ACL entry has no name of its own; every other entry needs one. */
static bool vexfs_xattr_name_len_ok(uint8_t index, uint8_t name_len)
{
	if (index == VEXFS_XATTR_INDEX_ACL_ACCESS ||
	    index == VEXFS_XATTR_INDEX_ACL_DEFAULT)
		return name_len == 0;
	return name_len > 0;
}

int vexfs_xattr_parse(const uint8_t *blk, uint32_t bs,
		      struct vexfs_xattr_ent *out, int max, const char **why)
{
	unsigned int off = HDR_SIZE, lowest = bs;
	int n = 0;

	*why = NULL;
	while (off + sizeof(struct vexfs_xattr_entry) <= bs) {
		/* entries are only 4-byte aligned: copy the header out */
		struct vexfs_xattr_entry hdr, *e = &hdr;
		const char *name = (const char *)blk + off + sizeof(hdr);
		unsigned int voff;
		uint32_t size;
		uint64_t ino;

		memcpy(&hdr, blk + off, sizeof(hdr));
		voff = le16(e->xe_value_offs);
		size = le32(e->xe_value_size);
		ino = le64(e->xe_value_ino);

		if (e->xe_index == VEXFS_XATTR_INDEX_END)
			return n;
		if (!vexfs_xattr_name_len_ok(e->xe_index, e->xe_name_len)) {
			*why = e->xe_name_len ? "name on an ACL entry" :
						"entry without a name";
			return -EUCLEAN;
		}
		if (n >= max) {
			*why = "too many entries";
			return -EUCLEAN;
		}
		if (off + ENTRY_SIZE(e->xe_name_len) > bs) {
			*why = "entry runs past the end of the block";
			return -EUCLEAN;
		}
		if (size > XATTR_SIZE_MAX) {
			*why = "value too large";
			return -EUCLEAN;
		}
		if (ino ? (voff || !size) :
			  (voff < off + ENTRY_SIZE(e->xe_name_len) ||
			   voff > bs || size > bs - voff || voff > lowest)) {
			*why = "bad value offset or size";
			return -EUCLEAN;
		}
		if (!ino)
			lowest = voff;
		out[n].index = e->xe_index;
		out[n].name_len = e->xe_name_len;
		memcpy(out[n].name, name, e->xe_name_len);
		out[n].name[e->xe_name_len] = '\0';
		out[n].size = size;
		out[n].value_ino = ino;
		out[n].value = ino ? NULL : blk + voff;
		n++;
		off += ENTRY_SIZE(e->xe_name_len);
	}
	*why = "no end marker";
	return -EUCLEAN;
}

int vexfs_xattr_max_entries(uint32_t bs)
{
	return (int)((bs - HDR_SIZE) / ENTRY_SIZE(1));
}

int vexfs_xattr_pack(uint8_t *blk, uint32_t bs,
		     const struct vexfs_xattr_ent *xs, int n)
{
	unsigned int off = HDR_SIZE, top = bs;
	int i;

	memset(blk + HDR_SIZE, 0, bs - HDR_SIZE);
	for (i = 0; i < n; i++) {
		struct vexfs_xattr_entry hdr, *e = &hdr;
		unsigned int elen = ENTRY_SIZE(xs[i].name_len);
		unsigned int vlen = xs[i].value_ino ? 0 : (xs[i].size + 3) & ~3U;

		if (!vexfs_xattr_name_len_ok(xs[i].index, xs[i].name_len))
			return -EINVAL;
		if (off + elen + sizeof(*e) + vlen > top)
			return -ENOSPC;
		memset(&hdr, 0, sizeof(hdr));
		e->xe_name_len = xs[i].name_len;
		e->xe_index = xs[i].index;
		e->xe_value_size = cpu_le32(xs[i].size);
		e->xe_value_ino = cpu_le64(xs[i].value_ino);
		if (!xs[i].value_ino) {
			top -= vlen;
			if (xs[i].size)
				memcpy(blk + top, xs[i].value, xs[i].size);
			e->xe_value_offs = cpu_le16((uint16_t)top);
		}
		/* entries are only 4-byte aligned: copy the header in */
		memcpy(blk + off, &hdr, sizeof(hdr));
		memcpy(blk + off + sizeof(hdr), xs[i].name, xs[i].name_len);
		off += elen;
	}
	return 0;
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
