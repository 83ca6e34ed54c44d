// SPDX-License-Identifier: GPL-2.0
/*
 * mkfs.c - write a new, empty filesystem.
 *
 * The order of the writes matters: everything but the superblock first,
 * a sync, then the superblock.  Until the superblock lands nothing on the
 * device looks like a VexFS, so an interrupted mkfs leaves no filesystem
 * rather than a broken one.  vexfs_mkfs() is documented in libvexfs.h.
 */
#include <errno.h>
#include <string.h>

#include "libvexfs.h"

/* Other filesystems' signatures live in the first and last sectors. */
#define WIPE_HEAD	(1024 * 1024)
#define WIPE_TAIL	(128 * 1024)

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Does the first sector hold a boot record (0x55AA) worth keeping? */
static bool has_boot_record(struct vexfs_dev *dev)
{
	uint8_t sig[2];

	return !vexfs_dev_read(dev, 510, sig, sizeof(sig), NULL) &&
	       sig[0] == 0x55 && sig[1] == 0xaa;
}

/*
 * Zero the metadata regions, so that no stale inode or bitmap survives,
 * and the places where other filesystems keep their signatures, so that
 * blkid does not see two filesystems.
 */
static int wipe(struct vexfs_dev *dev, const struct vexfs_layout *lay,
		struct vexfs_err *err)
{
	uint64_t fs_bytes = lay->blocks * lay->block_size;
	uint64_t head = min_u64(dev->size, lay->data_start * lay->block_size);
	uint64_t start = has_boot_record(dev) ? VEXFS_SUPER_OFFSET : 0;
	int ret;

	if (head < WIPE_HEAD)
		head = min_u64(fs_bytes, WIPE_HEAD);
	ret = vexfs_dev_zero(dev, start, head - start, err);
	if (!ret && fs_bytes > head + WIPE_TAIL)
		ret = vexfs_dev_zero(dev, fs_bytes - WIPE_TAIL, WIPE_TAIL, err);
	return ret;
}

/* Bits below @used are set (reserved objects); vexfs_bitmap_store() sets
 * the ones past the end. */
static int write_bitmap(struct vexfs_fs *fs, enum vexfs_bitmap_kind kind,
			uint64_t used, struct vexfs_err *err)
{
	struct vexfs_bitmap map;
	uint64_t n;
	int ret;

	if (vexfs_bitmap_init(&map, &fs->sb, kind))
		return vexfs_errf(err, ENOMEM, "out of memory");
	for (n = 0; n < used; n++)
		vexfs_set_bit(map.bits, n);
	ret = vexfs_bitmap_store(fs, &map, err);
	vexfs_bitmap_release(&map);
	return ret;
}

static void fill_super(struct vexfs_super_block *sb,
		       const struct vexfs_layout *lay,
		       const struct vexfs_mkfs_opts *opts)
{
	memset(sb, 0, sizeof(*sb));
	sb->s_magic = cpu_le32(VEXFS_SUPER_MAGIC);
	sb->s_version_major = cpu_le16(VEXFS_VERSION_MAJOR);
	sb->s_version_minor = cpu_le16(VEXFS_VERSION_MINOR);
	sb->s_block_size = cpu_le32(lay->block_size);
	sb->s_blocks_count = cpu_le64(lay->blocks);
	sb->s_free_blocks = cpu_le64(lay->blocks - lay->data_start);
	sb->s_inodes_count = cpu_le64(lay->inodes);
	sb->s_free_inodes = cpu_le64(lay->inodes - VEXFS_FIRST_INO);
	sb->s_feature_compat = cpu_le32(VEXFS_FEATURE_COMPAT_EXT_ATTR |
					(lay->journal_blocks ?
					 VEXFS_FEATURE_COMPAT_HAS_JOURNAL : 0));
	sb->s_feature_incompat = cpu_le32(VEXFS_FEATURE_INCOMPAT_EXTENTS |
					  VEXFS_FEATURE_INCOMPAT_DIR_TREE);
	sb->s_inode_size = cpu_le16(VEXFS_INODE_SIZE);
	sb->s_checksum_type = cpu_le16(VEXFS_CSUM_CRC32C);
	memcpy(sb->s_uuid, opts->uuid, sizeof(sb->s_uuid));
	if (opts->label)
		strncpy(sb->s_label, opts->label, sizeof(sb->s_label) - 1);
	sb->s_inode_bitmap_start = cpu_le64(lay->inode_bitmap_start);
	sb->s_inode_bitmap_blocks = cpu_le64(lay->inode_bitmap_blocks);
	sb->s_block_bitmap_start = cpu_le64(lay->block_bitmap_start);
	sb->s_block_bitmap_blocks = cpu_le64(lay->block_bitmap_blocks);
	sb->s_inode_table_start = cpu_le64(lay->inode_table_start);
	sb->s_inode_table_blocks = cpu_le64(lay->inode_table_blocks);
	sb->s_journal_start = cpu_le64(lay->journal_start);
	sb->s_journal_blocks = cpu_le64(lay->journal_blocks);
	sb->s_data_start = cpu_le64(lay->data_start);
	sb->s_root_ino = cpu_le64(VEXFS_ROOT_INO);
	sb->s_first_ino = cpu_le64(VEXFS_FIRST_INO);
	sb->s_mkfs_time = cpu_le64((uint64_t)opts->now);
	sb->s_write_time = cpu_le64((uint64_t)opts->now);
	sb->s_lastcheck_time = cpu_le64((uint64_t)opts->now);
	sb->s_state = cpu_le16(VEXFS_STATE_VALID);
	sb->s_errors = cpu_le16(VEXFS_ERRORS_DEFAULT);
	memcpy(sb->s_hash_seed, opts->hash_seed, sizeof(sb->s_hash_seed));
}

/*
 * The jbd2 journal superblock (version 2, see journal.c): only the fields
 * mke2fs sets for a new journal.  s_start = 0 says the log is empty, so
 * the first mount has nothing to replay; the rest of the region was
 * zeroed by wipe().  The kernel opens the region with
 * jbd2_journal_init_dev(), which numbers log blocks from the start of the
 * device, as for an ext4 external journal: the log is blocks start + 1 ..
 * start + len - 1.
 */
static int write_journal(struct vexfs_fs *fs, const struct vexfs_layout *lay,
			 const struct vexfs_mkfs_opts *opts,
			 struct vexfs_err *err)
{
	uint8_t jsb[VEXFS_JSB_SIZE];

	if (!lay->journal_blocks)
		return 0;
	vexfs_journal_sb_init(jsb, lay->journal_start, lay->journal_blocks,
			      lay->block_size, opts->uuid);
	return vexfs_dev_write(&fs->dev, lay->journal_start * lay->block_size,
			       jsb, sizeof(jsb), err);
}

static int write_metadata(struct vexfs_fs *fs, const struct vexfs_layout *lay,
			  const struct vexfs_mkfs_opts *opts,
			  struct vexfs_err *err)
{
	struct vexfs_inode root;
	int ret;

	ret = wipe(&fs->dev, lay, err);
	if (!ret)
		ret = write_bitmap(fs, VEXFS_INODE_BITMAP, VEXFS_FIRST_INO, err);
	if (!ret)
		ret = write_bitmap(fs, VEXFS_BLOCK_BITMAP, lay->data_start, err);
	if (!ret)
		ret = write_journal(fs, lay, opts, err);
	if (ret)
		return ret;
	vexfs_inode_init_dir(&root, VEXFS_ROOT_INO, VEXFS_ROOT_INO, 0755,
			     opts->now, opts->root_generation);
	return vexfs_inode_write(fs, VEXFS_ROOT_INO, &root, err);
}

int vexfs_mkfs(struct vexfs_dev *dev, const struct vexfs_layout *lay,
	       const struct vexfs_mkfs_opts *opts, struct vexfs_err *err)
{
	struct vexfs_fs fs;
	int ret;

	/* A vexfs_fs by hand: the superblock is not on the device yet. */
	memset(&fs, 0, sizeof(fs));
	fs.dev = *dev;
	fs.dev.bs = lay->block_size;
	fs.bs = lay->block_size;
	fill_super(&fs.sb, lay, opts);
	fs.seed = vexfs_csum_seed(&fs.sb);

	ret = write_metadata(&fs, lay, opts, err);
	if (!ret)
		ret = vexfs_dev_sync(&fs.dev, err);
	if (!ret)
		ret = vexfs_super_write(&fs.dev, &fs.sb, err);
	if (!ret)
		ret = vexfs_dev_sync(&fs.dev, err);
	dev->bs = lay->block_size;
	return ret;
}
