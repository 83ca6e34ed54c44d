// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules.c - the format rules of common/, which the kernel module and
 * libvexfs both compile: one case for each rule on which the two used to
 * disagree, so that the decision cannot drift back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libvexfs.h"

/* A superblock as mkfs writes it for a 64 MiB, 4 KiB-block device. */
static void good_super(struct vexfs_super_block *sb)
{
	struct vexfs_layout lay;
	struct vexfs_err err;

	memset(sb, 0, sizeof(*sb));
	assert_int_equal(vexfs_layout_compute(&lay, 64 << 20, 4096, 0, &err), 0);
	sb->s_magic = cpu_to_le32(VEXFS_SUPER_MAGIC);
	sb->s_version_major = cpu_to_le16(VEXFS_VERSION_MAJOR);
	sb->s_block_size = cpu_to_le32(4096);
	sb->s_blocks_count = cpu_to_le64(lay.blocks);
	sb->s_inodes_count = cpu_to_le64(lay.inodes);
	sb->s_free_blocks = cpu_to_le64(lay.blocks - lay.data_start);
	sb->s_free_inodes = cpu_to_le64(lay.inodes - VEXFS_FIRST_INO);
	sb->s_feature_incompat = cpu_to_le32(VEXFS_FEATURE_INCOMPAT_REQUIRED);
	sb->s_inode_size = cpu_to_le16(VEXFS_INODE_SIZE);
	sb->s_checksum_type = cpu_to_le16(VEXFS_CSUM_CRC32C);
	sb->s_inode_bitmap_start = cpu_to_le64(lay.inode_bitmap_start);
	sb->s_inode_bitmap_blocks = cpu_to_le64(lay.inode_bitmap_blocks);
	sb->s_block_bitmap_start = cpu_to_le64(lay.block_bitmap_start);
	sb->s_block_bitmap_blocks = cpu_to_le64(lay.block_bitmap_blocks);
	sb->s_inode_table_start = cpu_to_le64(lay.inode_table_start);
	sb->s_inode_table_blocks = cpu_to_le64(lay.inode_table_blocks);
	sb->s_data_start = cpu_to_le64(lay.data_start);
	sb->s_root_ino = cpu_to_le64(VEXFS_ROOT_INO);
	sb->s_first_ino = cpu_to_le64(VEXFS_FIRST_INO);
	sb->s_errors = cpu_to_le16(VEXFS_ERRORS_DEFAULT);
	sb->s_checksum = cpu_to_le32(vexfs_super_csum(sb));
}

static void super_good(void **state)
{
	struct vexfs_super_block sb;
	struct vexfs_err err;

	(void)state;
	good_super(&sb);
	assert_null(vexfs_super_identity_check(&sb));
	assert_null(vexfs_super_features_check(&sb, false));
	assert_null(vexfs_super_geometry_check(&sb, 16384));
	assert_null(vexfs_super_fields_check(&sb));
	assert_null(vexfs_super_errors_check(&sb));
	assert_int_equal(vexfs_super_validate(&sb, 64 << 20, &err), 0);
}

/* Unknown ro_compat: a reader may go on (the kernel mounts read-only). */
static void super_ro_compat_reader_only(void **state)
{
	struct vexfs_super_block sb;
	struct vexfs_err err;

	(void)state;
	good_super(&sb);
	sb.s_feature_ro_compat = cpu_to_le32(0x80000000);
	sb.s_checksum = cpu_to_le32(vexfs_super_csum(&sb));
	assert_null(vexfs_super_features_check(&sb, true));
	assert_non_null(vexfs_super_features_check(&sb, false));
	assert_int_equal(vexfs_super_validate(&sb, 64 << 20, &err), -EINVAL);
}

/* EXTENTS and DIR_TREE are required: the kernel mounted without them. */
static void super_required_features(void **state)
{
	struct vexfs_super_block sb;

	(void)state;
	good_super(&sb);
	sb.s_feature_incompat = cpu_to_le32(VEXFS_FEATURE_INCOMPAT_EXTENTS);
	assert_non_null(vexfs_super_features_check(&sb, true));
	sb.s_feature_incompat = cpu_to_le32(VEXFS_FEATURE_INCOMPAT_REQUIRED |
					    0x100);
	assert_non_null(vexfs_super_features_check(&sb, true));
}

/* Free counts beyond the filesystem: vexfs_super_validate() let them by. */
static void super_free_counts(void **state)
{
	struct vexfs_super_block sb;
	struct vexfs_err err;

	(void)state;
	good_super(&sb);
	sb.s_free_inodes = cpu_to_le64(le64_to_cpu(sb.s_inodes_count) + 1);
	sb.s_checksum = cpu_to_le32(vexfs_super_csum(&sb));
	assert_null(vexfs_super_geometry_check(&sb, 16384)); /* fsck goes on */
	assert_non_null(vexfs_super_fields_check(&sb));
	assert_int_equal(vexfs_super_validate(&sb, 64 << 20, &err), -EUCLEAN);
}

/* s_errors: the kernel ignored it, fsck repaired it. */
static void super_errors(void **state)
{
	struct vexfs_super_block sb;

	(void)state;
	good_super(&sb);
	sb.s_errors = cpu_to_le16(9);
	assert_non_null(vexfs_super_errors_check(&sb));
	sb.s_errors = cpu_to_le16(0);
	assert_non_null(vexfs_super_errors_check(&sb));
	sb.s_errors = cpu_to_le16(VEXFS_ERRORS_PANIC);
	assert_null(vexfs_super_errors_check(&sb));
}

/* bh_reserved: only fsck required it to be zero. */
static void block_header_reserved(void **state)
{
	uint8_t blk[4096] = { 0 };
	struct vexfs_block_header *bh = (void *)blk;

	(void)state;
	bh->bh_magic = cpu_to_le32(VEXFS_DIRTREE_MAGIC);
	bh->bh_blocknr = cpu_to_le64(77);
	bh->bh_owner = cpu_to_le64(16);
	assert_null(vexfs_block_header_check(blk, VEXFS_DIRTREE_MAGIC, 77, 16));
	assert_non_null(vexfs_block_header_check(blk, VEXFS_DIRTREE_MAGIC, 78, 16));
	bh->bh_reserved = cpu_to_le64(1);
	assert_non_null(vexfs_block_header_check(blk, VEXFS_DIRTREE_MAGIC, 77, 16));
}

/* A leaf with one record named @name, for inode @ino of type @ft. */
static void one_entry_leaf(uint8_t *blk, const char *name, uint64_t ino,
			   uint8_t ft)
{
	struct vexfs_dir_node *node = (void *)(blk + 32);
	struct vexfs_dir_entry *de = (void *)(blk + 48);
	size_t len = strlen(name);

	memset(blk, 0, 4096);
	node->dn_count = cpu_to_le16(1);
	node->dn_used = cpu_to_le16(VEXFS_DIR_REC_LEN(len));
	de->de_hash = cpu_to_le64(1000);
	de->de_ino = cpu_to_le64(ino);
	de->de_rec_len = cpu_to_le16(VEXFS_DIR_REC_LEN(len));
	de->de_name_len = (uint8_t)len;
	de->de_file_type = ft;
	memcpy(de->de_name, name, len);
}

/*
 * The entry rules: only the kernel checked the inode range, the type and
 * '/', only fsck refused "." and "..".  The walk of fsck runs framing only.
 */
static void dir_leaf_entries(void **state)
{
	uint8_t blk[4096];

	(void)state;
	one_entry_leaf(blk, "a", 20, VEXFS_FT_REG_FILE);
	assert_null(vexfs_dir_leaf_check(blk, 4096, 0, VEXFS_DIR_HASH_MAX, 256));
	one_entry_leaf(blk, "a", 300, VEXFS_FT_REG_FILE);
	assert_non_null(vexfs_dir_leaf_check(blk, 4096, 0, VEXFS_DIR_HASH_MAX, 256));
	assert_null(vexfs_dir_leaf_check(blk, 4096, 0, VEXFS_DIR_HASH_MAX, 0));
	one_entry_leaf(blk, "a", 20, VEXFS_FT_MAX);
	assert_non_null(vexfs_dir_leaf_check(blk, 4096, 0, VEXFS_DIR_HASH_MAX, 256));
	one_entry_leaf(blk, "a/b", 20, VEXFS_FT_REG_FILE);
	assert_non_null(vexfs_dir_leaf_check(blk, 4096, 0, VEXFS_DIR_HASH_MAX, 256));
	one_entry_leaf(blk, "..", 20, VEXFS_FT_DIR);
	assert_non_null(vexfs_dir_leaf_check(blk, 4096, 0, VEXFS_DIR_HASH_MAX, 256));
	one_entry_leaf(blk, "a", 20, VEXFS_FT_REG_FILE);
	assert_non_null(vexfs_dir_leaf_check(blk, 4096, 2000, VEXFS_DIR_HASH_MAX, 256));
	assert_non_null(vexfs_dir_name_check(".", 1));
	assert_null(vexfs_dir_name_check("...", 3));
}

/* An index node of one entry, at depth 1, naming data block 1000. */
static void one_index_node(struct vexfs_extent_header *eh, unsigned int n)
{
	struct vexfs_extent_idx *ix = (void *)(eh + 1);

	memset(eh, 0, sizeof(*eh) + 4 * sizeof(*ix));
	eh->eh_magic = cpu_to_le16(VEXFS_EXTENT_HDR_MAGIC);
	eh->eh_entries = cpu_to_le16(n);
	eh->eh_max = cpu_to_le16(4);
	eh->eh_depth = cpu_to_le16(1);
	ix->ei_child = cpu_to_le64(1000);
	ix->ei_lblk = cpu_to_le32(10);
}

#define EXT_END		(VEXFS_MAX_LBLK + 1)

/* ei_reserved: only fsck required it to be zero; both do now. */
static void extent_index_reserved(void **state)
{
	uint64_t buf[(8 + 4 * 16) / 8];
	struct vexfs_extent_header *eh = (void *)buf;
	struct vexfs_extent_idx *ix = (void *)(eh + 1);

	(void)state;
	one_index_node(eh, 1);
	assert_null(vexfs_extent_node_check(eh, 4, 1, false, 0, EXT_END,
					    100, 4096));
	ix->ei_reserved = cpu_to_le32(1);
	assert_string_equal(vexfs_extent_node_check(eh, 4, 1, false, 0,
						    EXT_END, 100, 4096),
			    "reserved field is not zero");
}

/*
 * An empty index node: only the kernel allowed one below the root (its
 * truncation commits one between transactions); both do now, and both
 * refuse an empty index root (truncation makes that a leaf).
 */
static void extent_empty_index(void **state)
{
	uint64_t buf[(8 + 4 * 16) / 8];
	struct vexfs_extent_header *eh = (void *)buf;

	(void)state;
	one_index_node(eh, 0);
	assert_null(vexfs_extent_node_check(eh, 4, 1, false, 0, EXT_END,
					    100, 4096));
	assert_string_equal(vexfs_extent_node_check(eh, 4, 1, true, 0,
						    EXT_END, 100, 4096),
			    "empty index node");
}

/* The range a parent gives its child: the kernel gives the whole range. */
static void extent_child_range(void **state)
{
	uint64_t buf[(8 + 4 * 16) / 8];
	struct vexfs_extent_header *eh = (void *)buf;

	(void)state;
	one_index_node(eh, 1);
	assert_null(vexfs_extent_node_check(eh, 4, 1, false, 5, 11, 100, 4096));
	assert_non_null(vexfs_extent_node_check(eh, 4, 1, false, 5, 10,
						100, 4096));
	assert_non_null(vexfs_extent_node_check(eh, 4, 1, false, 0, EXT_END,
						1001, 4096));
	eh->eh_depth = cpu_to_le16(VEXFS_EXT_MAX_DEPTH + 1);
	assert_non_null(vexfs_extent_node_check(eh, 4, VEXFS_EXT_MAX_DEPTH + 1,
						true, 0, EXT_END, 100, 4096));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(super_good),
		cmocka_unit_test(super_ro_compat_reader_only),
		cmocka_unit_test(super_required_features),
		cmocka_unit_test(super_free_counts),
		cmocka_unit_test(super_errors),
		cmocka_unit_test(block_header_reserved),
		cmocka_unit_test(dir_leaf_entries),
		cmocka_unit_test(extent_index_reserved),
		cmocka_unit_test(extent_empty_index),
		cmocka_unit_test(extent_child_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
