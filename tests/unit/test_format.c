// SPDX-License-Identifier: GPL-2.0
/*
 * test_format.c - every on-disk field sits at the offset the format header
 * documents, like e2fsprogs' tst_super_size.c.  A change that moves a
 * field breaks every existing filesystem, so it must break this test too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/fs.h>

#include "vexfs_format.h"

#define FIELD(type, field, off, size) do {				\
	assert_int_equal(offsetof(struct type, field), off);		\
	assert_int_equal(sizeof(((struct type *)0)->field), size);	\
} while (0)

static void super_block_layout(void **state)
{
	(void)state;
	FIELD(vexfs_super_block, s_magic, 0x000, 4);
	FIELD(vexfs_super_block, s_checksum, 0x004, 4);
	FIELD(vexfs_super_block, s_version_major, 0x008, 2);
	FIELD(vexfs_super_block, s_version_minor, 0x00a, 2);
	FIELD(vexfs_super_block, s_block_size, 0x00c, 4);
	FIELD(vexfs_super_block, s_blocks_count, 0x010, 8);
	FIELD(vexfs_super_block, s_free_blocks, 0x018, 8);
	FIELD(vexfs_super_block, s_inodes_count, 0x020, 8);
	FIELD(vexfs_super_block, s_free_inodes, 0x028, 8);
	FIELD(vexfs_super_block, s_feature_compat, 0x030, 4);
	FIELD(vexfs_super_block, s_feature_ro_compat, 0x034, 4);
	FIELD(vexfs_super_block, s_feature_incompat, 0x038, 4);
	FIELD(vexfs_super_block, s_inode_size, 0x03c, 2);
	FIELD(vexfs_super_block, s_checksum_type, 0x03e, 2);
	FIELD(vexfs_super_block, s_uuid, 0x040, 16);
	FIELD(vexfs_super_block, s_label, 0x050, 64);
	FIELD(vexfs_super_block, s_inode_bitmap_start, 0x090, 8);
	FIELD(vexfs_super_block, s_inode_bitmap_blocks, 0x098, 8);
	FIELD(vexfs_super_block, s_block_bitmap_start, 0x0a0, 8);
	FIELD(vexfs_super_block, s_block_bitmap_blocks, 0x0a8, 8);
	FIELD(vexfs_super_block, s_inode_table_start, 0x0b0, 8);
	FIELD(vexfs_super_block, s_inode_table_blocks, 0x0b8, 8);
	FIELD(vexfs_super_block, s_journal_start, 0x0c0, 8);
	FIELD(vexfs_super_block, s_journal_blocks, 0x0c8, 8);
	FIELD(vexfs_super_block, s_data_start, 0x0d0, 8);
	FIELD(vexfs_super_block, s_root_ino, 0x0d8, 8);
	FIELD(vexfs_super_block, s_first_ino, 0x0e0, 8);
	FIELD(vexfs_super_block, s_last_orphan, 0x0e8, 8);
	FIELD(vexfs_super_block, s_mkfs_time, 0x0f0, 8);
	FIELD(vexfs_super_block, s_mount_time, 0x0f8, 8);
	FIELD(vexfs_super_block, s_write_time, 0x100, 8);
	FIELD(vexfs_super_block, s_mount_count, 0x108, 4);
	FIELD(vexfs_super_block, s_state, 0x10c, 2);
	FIELD(vexfs_super_block, s_errors, 0x10e, 2);
	FIELD(vexfs_super_block, s_hash_seed, 0x110, 16);
	FIELD(vexfs_super_block, s_collections_ino, 0x120, 8);
	FIELD(vexfs_super_block, s_collections_count, 0x128, 4);
	FIELD(vexfs_super_block, s_default_mount_opts, 0x12c, 4);
	FIELD(vexfs_super_block, s_lastcheck_time, 0x130, 8);
	FIELD(vexfs_super_block, s_reserved_tail, 0x3fc, 4);
	assert_int_equal(sizeof(struct vexfs_super_block), 1024);
}

static void inode_layout(void **state)
{
	(void)state;
	FIELD(vexfs_inode, i_mode, 0x00, 2);
	FIELD(vexfs_inode, i_links_count, 0x02, 2);
	FIELD(vexfs_inode, i_flags, 0x04, 4);
	FIELD(vexfs_inode, i_uid, 0x08, 4);
	FIELD(vexfs_inode, i_gid, 0x0c, 4);
	FIELD(vexfs_inode, i_size, 0x10, 8);
	FIELD(vexfs_inode, i_blocks, 0x18, 8);
	FIELD(vexfs_inode, i_atime, 0x20, 16);
	FIELD(vexfs_inode, i_mtime, 0x30, 16);
	FIELD(vexfs_inode, i_ctime, 0x40, 16);
	FIELD(vexfs_inode, i_crtime, 0x50, 16);
	FIELD(vexfs_inode, i_ino, 0x60, 8);
	FIELD(vexfs_inode, i_generation, 0x68, 4);
	FIELD(vexfs_inode, i_checksum, 0x6c, 4);
	FIELD(vexfs_inode, i_parent, 0x70, 8);
	FIELD(vexfs_inode, i_xattr_block, 0x78, 8);
	FIELD(vexfs_inode, i_rdev, 0x80, 4);
	FIELD(vexfs_inode, i_collection, 0x84, 4);
	FIELD(vexfs_inode, i_vec_slot, 0x88, 8);
	FIELD(vexfs_inode, i_next_orphan, 0x90, 8);
	FIELD(vexfs_inode, i_data, 0xa0, 96);
	assert_int_equal(sizeof(struct vexfs_inode), 256);
}

/*
 * The chattr flags are stored at their FS_*_FL values: the kernel
 * (src/fileattr.c) hands i_flags to FS_IOC_GETFLAGS unchanged.
 */
static void inode_flags_are_fs_flags(void **state)
{
	(void)state;
	assert_int_equal(VEXFS_INODE_SYNC, FS_SYNC_FL);
	assert_int_equal(VEXFS_INODE_IMMUTABLE, FS_IMMUTABLE_FL);
	assert_int_equal(VEXFS_INODE_APPEND, FS_APPEND_FL);
	assert_int_equal(VEXFS_INODE_NODUMP, FS_NODUMP_FL);
	assert_int_equal(VEXFS_INODE_NOATIME, FS_NOATIME_FL);
	assert_int_equal(VEXFS_INODE_DIRSYNC, FS_DIRSYNC_FL);
	assert_int_equal(VEXFS_INODE_PROJINHERIT, FS_PROJINHERIT_FL);
	/* and the filesystem's own flags are none of chattr's */
	assert_int_equal(VEXFS_INODE_USER_FLAGS &
			 (VEXFS_INODE_INLINE | VEXFS_INODE_HIDDEN |
			  VEXFS_INODE_ORPHAN), 0);
}

static void metadata_layouts(void **state)
{
	(void)state;
	FIELD(vexfs_block_header, bh_magic, 0x00, 4);
	FIELD(vexfs_block_header, bh_checksum, 0x04, 4);
	FIELD(vexfs_block_header, bh_blocknr, 0x08, 8);
	FIELD(vexfs_block_header, bh_owner, 0x10, 8);
	assert_int_equal(sizeof(struct vexfs_block_header), 32);

	FIELD(vexfs_extent, e_pblk, 0, 8);
	FIELD(vexfs_extent, e_lblk, 8, 4);
	FIELD(vexfs_extent, e_len, 12, 2);
	FIELD(vexfs_extent, e_flags, 14, 2);
	FIELD(vexfs_extent_idx, ei_child, 0, 8);
	FIELD(vexfs_extent_idx, ei_lblk, 8, 4);
	assert_int_equal(VEXFS_ROOT_EXTENTS, 5);

	FIELD(vexfs_dir_node, dn_level, 0, 2);
	FIELD(vexfs_dir_node, dn_count, 2, 2);
	FIELD(vexfs_dir_node, dn_used, 4, 2);
	FIELD(vexfs_dir_node, dn_next, 8, 4);
	FIELD(vexfs_dir_node, dn_prev, 12, 4);
	FIELD(vexfs_dir_index, di_hash, 0, 8);
	FIELD(vexfs_dir_index, di_child, 8, 4);
	FIELD(vexfs_dir_entry, de_hash, 0, 8);
	FIELD(vexfs_dir_entry, de_ino, 8, 8);
	FIELD(vexfs_dir_entry, de_rec_len, 16, 2);
	FIELD(vexfs_dir_entry, de_name_len, 18, 1);
	FIELD(vexfs_dir_entry, de_file_type, 19, 1);
	assert_int_equal(offsetof(struct vexfs_dir_entry, de_name), 20);
	assert_int_equal(VEXFS_DIR_REC_LEN(1), 24);
	assert_int_equal(VEXFS_DIR_REC_LEN(255), 280);

	FIELD(vexfs_xattr_entry, xe_name_len, 0, 1);
	FIELD(vexfs_xattr_entry, xe_index, 1, 1);
	FIELD(vexfs_xattr_entry, xe_value_offs, 2, 2);
	FIELD(vexfs_xattr_entry, xe_value_size, 4, 4);
	FIELD(vexfs_xattr_entry, xe_value_ino, 8, 8);

	FIELD(vexfs_collection, c_id, 0x00, 4);
	FIELD(vexfs_collection, c_dim, 0x04, 2);
	FIELD(vexfs_collection, c_root_ino, 0x08, 8);
	FIELD(vexfs_collection, c_store_ino, 0x10, 8);
	FIELD(vexfs_collection, c_count, 0x20, 8);
	FIELD(vexfs_collection, c_hnsw_m, 0x30, 2);
	assert_int_equal(sizeof(struct vexfs_collection), 128);
	FIELD(vexfs_collection, c_flags, 0x34, 4);
	FIELD(vexfs_vindex_header, vh_version, 0x20, 4);
	FIELD(vexfs_vindex_header, vh_node_size, 0x2e, 2);
	FIELD(vexfs_vindex_header, vh_epoch, 0x34, 4);
	FIELD(vexfs_vindex_header, vh_q_step, 0x48, 8);
	FIELD(vexfs_vindex_header, vh_entry, 0x50, 4);
	FIELD(vexfs_vindex_header, vh_q_checksum, 0x5c, 4);
	FIELD(vexfs_vindex_header, vh_slots, 0x70, 8);
	FIELD(vexfs_vindex_node, vn_level, 0x08, 1);
	FIELD(vexfs_vindex_node, vn_upper, 0x0c, 4);
	FIELD(vexfs_vindex_upper, vu_slot, 0x08, 4);
	FIELD(vexfs_vindex_upper, vu_count, 0x0e, 2);
	assert_int_equal(VEXFS_VINDEX_NODE_SIZE(128, 16), 272);
	assert_int_equal(VEXFS_VINDEX_NODE_SIZE(3, 2), 36);
	assert_int_equal(VEXFS_VINDEX_UPPER_SIZE(16), 80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(super_block_layout),
		cmocka_unit_test(inode_layout),
		cmocka_unit_test(metadata_layouts),
		cmocka_unit_test(inode_flags_are_fs_flags),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
