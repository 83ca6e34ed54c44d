// SPDX-License-Identifier: GPL-2.0
/*
 * super.c - reading, validating and writing the superblock.
 *
 * The checks mirror the kernel's (src/super.c): a superblock this library
 * accepts is one the kernel mounts.  The exported functions are
 * documented in libvexfs.h.
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

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + !!(a % b);
}

/*
 * Check that a region lies after @*end and inside the filesystem, and
 * advance @*end past it.  The regions have a fixed order, so ordering them
 * also proves that they do not overlap.
 */
static int check_region(const char *what, uint64_t start, uint64_t len,
			uint64_t blocks, uint64_t *end, struct vexfs_err *err)
{
	if (!len || start < *end || start > blocks || len > blocks - start)
		return vexfs_errf(err, EUCLEAN,
				  "bad geometry: %s at block %llu, %llu blocks, overlaps or is outside the filesystem",
				  what, (unsigned long long)start,
				  (unsigned long long)len);
	*end = start + len;
	return 0;
}

static int check_regions(const struct vexfs_super_block *sb, uint32_t bs,
			 uint64_t blocks, struct vexfs_err *err)
{
	uint64_t end = div_up(VEXFS_SUPER_OFFSET + VEXFS_SUPER_SIZE, bs);
	uint64_t data = le64(sb->s_data_start);
	int ret = 0;

	/* The journal, if any, comes first: jbd2 numbers it from block 0. */
	if (le64(sb->s_journal_start))
		ret = check_region("journal", le64(sb->s_journal_start),
				   le64(sb->s_journal_blocks), blocks, &end,
				   err);
	if (!ret)
		ret = check_region("inode bitmap",
				   le64(sb->s_inode_bitmap_start),
				   le64(sb->s_inode_bitmap_blocks), blocks,
				   &end, err);
	if (!ret)
		ret = check_region("block bitmap",
				   le64(sb->s_block_bitmap_start),
				   le64(sb->s_block_bitmap_blocks), blocks,
				   &end, err);
	if (!ret)
		ret = check_region("inode table",
				   le64(sb->s_inode_table_start),
				   le64(sb->s_inode_table_blocks), blocks,
				   &end, err);
	if (ret)
		return ret;
	if (data < end || data >= blocks)
		return vexfs_errf(err, EUCLEAN,
				  "bad geometry: data starts at block %llu, inside the metadata or past the end",
				  (unsigned long long)data);
	return 0;
}

int vexfs_super_check_geometry(const struct vexfs_super_block *sb,
			       uint64_t dev_bytes, struct vexfs_err *err)
{
	uint32_t bs = le32(sb->s_block_size);
	uint64_t blocks = le64(sb->s_blocks_count);
	uint64_t inodes = le64(sb->s_inodes_count);
	uint64_t bits = VEXFS_BITMAP_BITS(bs);
	int ret;

	if (blocks < VEXFS_MIN_BLOCKS || blocks > dev_bytes / bs)
		return vexfs_errf(err, EUCLEAN,
				  "bad geometry: %llu blocks, but the device has %llu",
				  (unsigned long long)blocks,
				  (unsigned long long)(dev_bytes / bs));
	ret = check_regions(sb, bs, blocks, err);
	if (ret)
		return ret;
	if (inodes <= VEXFS_FIRST_INO ||
	    le64(sb->s_inode_bitmap_blocks) < div_up(inodes, bits) ||
	    le64(sb->s_block_bitmap_blocks) < div_up(blocks, bits) ||
	    le64(sb->s_inode_table_blocks) <
	    div_up(inodes, bs / VEXFS_INODE_SIZE))
		return vexfs_errf(err, EUCLEAN,
				  "bad geometry: %llu inodes and %llu blocks do not fit the bitmaps or the inode table",
				  (unsigned long long)inodes,
				  (unsigned long long)blocks);
	return 0;
}

/* What makes a superblock unreadable by this library, before geometry. */
static int check_identity(const struct vexfs_super_block *sb,
			  struct vexfs_err *err)
{
	uint32_t bs = le32(sb->s_block_size);
	uint32_t incompat = le32(sb->s_feature_incompat);
	uint32_t ro_compat = le32(sb->s_feature_ro_compat);

	if (le16(sb->s_version_major) != VEXFS_VERSION_MAJOR)
		return vexfs_errf(err, EINVAL,
				  "unsupported format version %u.%u (this version reads %u.x)",
				  le16(sb->s_version_major),
				  le16(sb->s_version_minor),
				  VEXFS_VERSION_MAJOR);
	if (bs != 1024 && bs != 2048 && bs != 4096)
		return vexfs_errf(err, EINVAL, "unsupported block size %u", bs);
	if (le16(sb->s_inode_size) != VEXFS_INODE_SIZE ||
	    le16(sb->s_checksum_type) != VEXFS_CSUM_CRC32C)
		return vexfs_errf(err, EINVAL,
				  "unsupported inode size %u or checksum type %u",
				  le16(sb->s_inode_size),
				  le16(sb->s_checksum_type));
	if (incompat & ~VEXFS_FEATURE_INCOMPAT_ALL)
		return vexfs_errf(err, EINVAL,
				  "unsupported incompatible features 0x%x",
				  incompat & ~VEXFS_FEATURE_INCOMPAT_ALL);
	if (ro_compat & ~VEXFS_FEATURE_RO_COMPAT_ALL)
		return vexfs_errf(err, EINVAL,
				  "unsupported read-only-compatible features 0x%x",
				  ro_compat & ~VEXFS_FEATURE_RO_COMPAT_ALL);
	return 0;
}

int vexfs_super_validate(const struct vexfs_super_block *sb,
			 uint64_t dev_bytes, struct vexfs_err *err)
{
	int ret;

	if (le32(sb->s_magic) != VEXFS_SUPER_MAGIC)
		return vexfs_errf(err, EINVAL,
				  "bad magic 0x%08x: not a VexFS filesystem",
				  le32(sb->s_magic));
	if (le32(sb->s_checksum) != vexfs_super_csum(sb))
		return vexfs_errf(err, EBADMSG,
				  "superblock checksum mismatch (stored 0x%08x, computed 0x%08x)",
				  le32(sb->s_checksum), vexfs_super_csum(sb));
	ret = check_identity(sb, err);
	if (!ret)
		ret = vexfs_super_check_geometry(sb, dev_bytes, err);
	if (ret)
		return ret;
	if (le64(sb->s_root_ino) != VEXFS_ROOT_INO ||
	    le64(sb->s_first_ino) != VEXFS_FIRST_INO)
		return vexfs_errf(err, EUCLEAN,
				  "unexpected root inode %llu or first inode %llu",
				  (unsigned long long)le64(sb->s_root_ino),
				  (unsigned long long)le64(sb->s_first_ino));
	return 0;
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
		ret = vexfs_super_validate(&fs->sb, fs->dev.size, err);
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
		ret = vexfs_super_validate(&fs->sb, fs->dev.size, err);
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
