// SPDX-License-Identifier: GPL-2.0
/*
 * super.c - reading, validating and writing the superblock.
 *
 * The rules are the kernel's own (common/super.c): a superblock this
 * library accepts is one the kernel mounts, read-only for a reader as the
 * kernel mounts one with unknown ro_compat features.  The exported
 * functions are documented in libvexfs.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libvexfs.h"

int vexfs_super_read(struct vexfs_dev *dev, struct vexfs_super_block *sb,
		     struct vexfs_err *err)
{
	return vexfs_dev_read(dev, VEXFS_SUPER_OFFSET, sb, sizeof(*sb), err);
}

/*
 * The rules are common/super.c, the kernel's too; these wrappers put
 * their reasons into struct vexfs_err.
 */
int vexfs_super_check_geometry(const struct vexfs_super_block *sb,
			       uint64_t dev_bytes, struct vexfs_err *err)
{
	const char *why = vexfs_super_geometry_check(sb, dev_bytes /
						      le32(sb->s_block_size));

	if (why)
		return vexfs_errf(err, EUCLEAN,
				  "bad geometry: %s (%llu blocks, device %llu bytes, %llu inodes)",
				  why,
				  (unsigned long long)le64(sb->s_blocks_count),
				  (unsigned long long)dev_bytes,
				  (unsigned long long)le64(sb->s_inodes_count));
	return 0;
}

/* vexfs_super_validate(), for a reader (@rdonly) or a writer */
static int super_validate(const struct vexfs_super_block *sb,
			  uint64_t dev_bytes, bool rdonly,
			  struct vexfs_err *err)
{
	const char *why;
	int ret;

	if (le32(sb->s_magic) != VEXFS_SUPER_MAGIC)
		return vexfs_errf(err, EINVAL,
				  "bad magic 0x%08x: not a VexFS filesystem",
				  le32(sb->s_magic));
	if (le32(sb->s_checksum) != vexfs_super_csum(sb))
		return vexfs_errf(err, EBADMSG,
				  "superblock checksum mismatch (stored 0x%08x, computed 0x%08x)",
				  le32(sb->s_checksum), vexfs_super_csum(sb));
	why = vexfs_super_identity_check(sb);
	if (why)
		return vexfs_errf(err, EINVAL,
				  "%s: version %u.%u (this version reads %u.x), block size %u, inode size %u, checksum type %u",
				  why, le16(sb->s_version_major),
				  le16(sb->s_version_minor), VEXFS_VERSION_MAJOR,
				  le32(sb->s_block_size), le16(sb->s_inode_size),
				  le16(sb->s_checksum_type));
	why = vexfs_super_features_check(sb, rdonly);
	if (why)
		return vexfs_errf(err, EINVAL, "%s (0x%x, 0x%x, 0x%x)", why,
				  le32(sb->s_feature_compat),
				  le32(sb->s_feature_ro_compat),
				  le32(sb->s_feature_incompat));
	ret = vexfs_super_check_geometry(sb, dev_bytes, err);
	if (ret)
		return ret;
	why = vexfs_super_fields_check(sb);
	if (why)
		return vexfs_errf(err, EUCLEAN, "%s", why);
	return 0;
}

int vexfs_super_validate(const struct vexfs_super_block *sb,
			 uint64_t dev_bytes, struct vexfs_err *err)
{
	return super_validate(sb, dev_bytes, false, err);
}

int vexfs_super_write(struct vexfs_dev *dev, struct vexfs_super_block *sb,
		      struct vexfs_err *err)
{
	sb->s_checksum = cpu_le32(vexfs_super_csum(sb));
	return vexfs_dev_write(dev, VEXFS_SUPER_OFFSET, sb, sizeof(*sb), err);
}

void vexfs_uuid_unparse(const uint8_t uuid[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[uuid[i] >> 4];
		out[o++] = hex[uuid[i] & 15];
	}
	out[o] = '\0';
}

void vexfs_super_label(const struct vexfs_super_block *sb,
		       char out[VEXFS_LABEL_MAX])
{
	memcpy(out, sb->s_label, VEXFS_LABEL_MAX);
	out[VEXFS_LABEL_MAX - 1] = '\0';
}

struct feature_name {
	int kind;			/* 0 compat, 1 ro_compat, 2 incompat */
	uint32_t mask;
	const char *name;
};

static const struct feature_name feature_names[] = {
	{ 0, VEXFS_FEATURE_COMPAT_HAS_JOURNAL, "has_journal" },
	{ 0, VEXFS_FEATURE_COMPAT_EXT_ATTR, "ext_attr" },
	{ 1, VEXFS_FEATURE_RO_COMPAT_COLLECTIONS, "collections" },
	{ 1, VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX, "vector_index" },
	{ 2, VEXFS_FEATURE_INCOMPAT_EXTENTS, "extents" },
	{ 2, VEXFS_FEATURE_INCOMPAT_DIR_TREE, "dir_tree" },
	{ 2, VEXFS_FEATURE_INCOMPAT_RECOVER, "needs_recovery" },
};

static const char *feature_name(int kind, uint32_t mask, char *tmp,
				size_t len)
{
	size_t i;

	for (i = 0; i < VEXFS_ARRAY_SIZE(feature_names); i++)
		if (feature_names[i].kind == kind &&
		    feature_names[i].mask == mask)
			return feature_names[i].name;
	snprintf(tmp, len, "FEATURE_%c%d", "CRI"[kind], __builtin_ctz(mask));
	return tmp;
}

void vexfs_feature_names(const struct vexfs_super_block *sb, char *buf,
			 size_t len)
{
	uint32_t words[3] = {
		le32(sb->s_feature_compat),
		le32(sb->s_feature_ro_compat),
		le32(sb->s_feature_incompat),
	};
	size_t used = 0;
	int kind, bit;

	if (!len)
		return;
	buf[0] = '\0';
	for (kind = 0; kind < 3; kind++) {
		for (bit = 0; bit < 32; bit++) {
			char tmp[24];
			const char *name;

			if (!(words[kind] & (1u << bit)) || used >= len)
				continue;
			name = feature_name(kind, 1u << bit, tmp, sizeof(tmp));
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? " " : "", name);
		}
	}
	if (!used)
		snprintf(buf, len, "(none)");
}

int vexfs_fs_open(struct vexfs_fs *fs, const char *path, bool write,
		  struct vexfs_err *err)
{
	int ret;

	memset(fs, 0, sizeof(*fs));
	ret = vexfs_dev_open(&fs->dev, path, write, err);
	if (ret)
		return ret;
	ret = vexfs_super_read(&fs->dev, &fs->sb, err);
	if (!ret)
		ret = super_validate(&fs->sb, fs->dev.size, !write, err);
	if (ret) {
		vexfs_dev_close(&fs->dev);
		return ret;
	}
	fs->bs = le32(fs->sb.s_block_size);
	fs->dev.bs = fs->bs;
	fs->seed = vexfs_csum_seed(&fs->sb);
	return 0;
}

int vexfs_fs_from_dev(struct vexfs_fs *fs, const struct vexfs_dev *dev,
		      struct vexfs_err *err)
{
	int ret;

	memset(fs, 0, sizeof(*fs));
	fs->dev = *dev;
	ret = vexfs_super_read(&fs->dev, &fs->sb, err);
	if (!ret)
		ret = super_validate(&fs->sb, fs->dev.size, !fs->dev.writable,
				     err);
	if (ret)
		return ret;
	fs->bs = le32(fs->sb.s_block_size);
	fs->dev.bs = fs->bs;
	fs->seed = vexfs_csum_seed(&fs->sb);
	return 0;
}

void vexfs_fs_close(struct vexfs_fs *fs)
{
	vexfs_dev_close(&fs->dev);
}
