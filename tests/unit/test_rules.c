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
#include <sys/stat.h>

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

/* A regular file as the kernel writes it: inode 20, one link, 4 KiB. */
static void good_inode(struct vexfs_inode *in, uint16_t mode)
{
	struct vexfs_extent_header *eh = (void *)in->i_data;

	memset(in, 0, sizeof(*in));
	in->i_mode = cpu_to_le16(mode);
	in->i_links_count = cpu_to_le16(S_ISDIR(mode) ? 2 : 1);
	in->i_ino = cpu_to_le64(20);
	eh->eh_magic = cpu_to_le16(VEXFS_EXTENT_HDR_MAGIC);
	eh->eh_max = cpu_to_le16(VEXFS_ROOT_EXTENTS);
}

/*
 * i_flags: neither side checked the mask.  Every flag chattr sets
 * (including the ones added with it: SYNC, NODUMP, DIRSYNC, PROJINHERIT)
 * passes; any other bit is refused (fsck drops it: PR_1_INODE_FLAGS).
 */
static void inode_flags_mask(void **state)
{
	static const uint32_t known[] = {
		VEXFS_INODE_SYNC, VEXFS_INODE_NODUMP, VEXFS_INODE_DIRSYNC,
		VEXFS_INODE_PROJINHERIT, VEXFS_INODE_ORPHAN, VEXFS_INODE_HIDDEN,
		VEXFS_INODE_USER_FLAGS,
	};
	struct vexfs_inode in;
	size_t i;

	(void)state;
	good_inode(&in, S_IFREG | 0644);
	assert_null(vexfs_inode_check(&in, 20, 4096));
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		in.i_flags = cpu_to_le32(known[i]);
		assert_null(vexfs_inode_flags_check(&in));
		assert_null(vexfs_inode_check(&in, 20, 4096));
	}
	in.i_flags = cpu_to_le32(0x100);
	assert_string_equal(vexfs_inode_flags_check(&in), "unknown inode flags");
	assert_non_null(vexfs_inode_check(&in, 20, 4096));
	/* Inline data is a symlink's only. */
	in.i_flags = cpu_to_le32(VEXFS_INODE_INLINE);
	assert_non_null(vexfs_inode_flags_check(&in));
}

/*
 * Inode 3: the kernel took VEXFS_COLLECTIONS_INO as a valid number, fsck
 * never checks the reserved slots (the table is s_collections_ino, an
 * ordinary hidden inode).  Both refuse it now.
 */
static void inode_number_range(void **state)
{
	(void)state;
	assert_null(vexfs_ino_check(VEXFS_ROOT_INO, 256));
	assert_null(vexfs_ino_check(VEXFS_FIRST_INO, 256));
	assert_null(vexfs_ino_check(255, 256));
	assert_non_null(vexfs_ino_check(VEXFS_COLLECTIONS_INO, 256));
	assert_non_null(vexfs_ino_check(VEXFS_BAD_INO, 256));
	assert_non_null(vexfs_ino_check(0, 256));
	assert_non_null(vexfs_ino_check(256, 256));
}

/*
 * What only the kernel refused (a directory with one link, a special
 * file with data), what only fsck refused as impossible (a size past
 * (VEXFS_MAX_LBLK + 1) blocks, which the kernel capped at s_maxbytes),
 * and the orphan that may have no links on both sides.
 */
static void inode_one_sided_rules(void **state)
{
	struct vexfs_inode in;

	(void)state;
	good_inode(&in, S_IFDIR | 0755);
	assert_null(vexfs_inode_check(&in, 20, 4096));
	in.i_links_count = cpu_to_le16(1);
	assert_string_equal(vexfs_inode_check(&in, 20, 4096),
			    "directory with fewer than 2 links");
	good_inode(&in, S_IFCHR | 0600);
	assert_null(vexfs_inode_check(&in, 20, 4096));
	in.i_size = cpu_to_le64(1);
	assert_string_equal(vexfs_inode_check(&in, 20, 4096),
			    "special file with data");
	good_inode(&in, S_IFREG | 0644);
	in.i_size = cpu_to_le64(vexfs_inode_max_size(4096));
	assert_null(vexfs_inode_check(&in, 20, 4096));
	in.i_size = cpu_to_le64(vexfs_inode_max_size(4096) + 1);
	assert_string_equal(vexfs_inode_size_check(&in, 4096), "bad size");
	assert_null(vexfs_inode_sanity_check(&in, 20));
	good_inode(&in, S_IFREG | 0644);
	in.i_links_count = 0;
	assert_string_equal(vexfs_inode_sanity_check(&in, 20), "no links");
	in.i_flags = cpu_to_le32(VEXFS_INODE_ORPHAN);
	assert_null(vexfs_inode_check(&in, 20, 4096));
	in.i_mtime.nsec = cpu_to_le32(1000000000);
	assert_string_equal(vexfs_inode_sanity_check(&in, 20), "bad timestamp");
	assert_string_equal(vexfs_inode_sanity_check(&in, 21),
			    "wrong inode number");
}

/*
 * Symlinks.  A slow target holding a NUL: fsck cleared it, the kernel
 * followed it cut short; both refuse it now.  A slow symlink with a short
 * target (never written, but readable): both accept it.  A fast one must
 * end at i_size, and its size is checked at iget now, not only on use.
 */
static void symlink_rules(void **state)
{
	struct vexfs_inode in;

	(void)state;
	good_inode(&in, S_IFLNK | 0777);
	in.i_flags = cpu_to_le32(VEXFS_INODE_INLINE);
	memset(in.i_data, 0, sizeof(in.i_data));
	memcpy(in.i_data, "target", 7);
	in.i_size = cpu_to_le64(6);
	assert_null(vexfs_inode_check(&in, 20, 4096));
	in.i_size = cpu_to_le64(5);
	assert_string_equal(vexfs_inode_check(&in, 20, 4096),
			    "inline target does not end at i_size");
	memset(in.i_data, 'x', sizeof(in.i_data));
	in.i_size = cpu_to_le64(VEXFS_INODE_DATA_SIZE);
	assert_non_null(vexfs_symlink_check(&in, 4096));

	good_inode(&in, S_IFLNK | 0777);
	in.i_size = cpu_to_le64(6);
	assert_null(vexfs_symlink_check(&in, 4096));
	in.i_size = cpu_to_le64(4095);
	assert_null(vexfs_symlink_check(&in, 4096));
	in.i_size = cpu_to_le64(4096);
	assert_string_equal(vexfs_symlink_check(&in, 4096),
			    "target length out of range");
	in.i_size = 0;
	assert_non_null(vexfs_inode_check(&in, 20, 4096));
	assert_null(vexfs_symlink_target_check("target", 6));
	assert_string_equal(vexfs_symlink_target_check("tar\0et", 6),
			    "target holds a NUL");
}

/* An xattr block of @n entries packed by the shared layout. */
static unsigned int xattr_block(uint8_t *blk, uint32_t bs,
				const struct vexfs_xattr_item *xs,
				unsigned int n, struct vexfs_xattr_item *out)
{
	unsigned int count = 99;

	memset(blk, 0, bs);
	assert_true(vexfs_xattr_block_pack(blk, bs, xs, n));
	assert_null(vexfs_xattr_block_parse(blk, bs, out,
					    vexfs_xattr_max_items(bs), &count));
	return count;
}

/*
 * xattr blocks.  VEXFS_XATTR_INLINE_MAX, named by the format header, never
 * existed: a large value stays inline while it fits, and a value inode
 * may hold a small one.  An unknown namespace index and a NUL inside a
 * name passed both parsers; both refuse them now.
 */
static void xattr_rules(void **state)
{
	static uint8_t big[3000];
	static uint32_t blk32[4096 / 4];
	uint8_t *blk = (uint8_t *)blk32;
	struct vexfs_xattr_item xs[3] = {
		{ .index = VEXFS_XATTR_INDEX_USER, .name_len = 1, .name = "a",
		  .size = sizeof(big), .value = big },
		{ .index = VEXFS_XATTR_INDEX_ACL_ACCESS, .name = "",
		  .size = 4, .value = "acl!" },
		{ .index = VEXFS_XATTR_INDEX_TRUSTED, .name_len = 3,
		  .name = "ino", .size = 5, .value_ino = 40 },
	};
	struct vexfs_xattr_item out[200];
	struct vexfs_xattr_entry e;
	unsigned int count;

	(void)state;
	memset(big, 'v', sizeof(big));
	assert_int_equal(xattr_block(blk, 4096, xs, 3, out), 3);
	assert_int_equal(out[0].size, sizeof(big));
	assert_non_null(out[0].value);
	assert_int_equal(out[2].value_ino, 40);
	assert_memory_equal(out[2].name, "ino", 3);

	/* An unknown index (5 is no namespace), then a NUL in a name. */
	memcpy(&e, blk + sizeof(struct vexfs_block_header), sizeof(e));
	e.xe_index = 5;
	memcpy(blk + sizeof(struct vexfs_block_header), &e, sizeof(e));
	assert_string_equal(vexfs_xattr_block_parse(blk, 4096, out, 200,
						    &count),
			    "unknown name index");
	assert_int_equal(count, 0);
	assert_string_equal(vexfs_xattr_name_check(VEXFS_XATTR_INDEX_USER,
						   "a\0b", 3), "NUL in name");
	assert_non_null(vexfs_xattr_name_check(VEXFS_XATTR_INDEX_ACL_DEFAULT,
					       "x", 1));
	assert_non_null(vexfs_xattr_name_check(VEXFS_XATTR_INDEX_USER, "", 0));

	/* A value inode with an offset, and one of an empty value. */
	xs[0].size = 1;
	xattr_block(blk, 4096, &xs[2], 1, out);
	memcpy(&e, blk + sizeof(struct vexfs_block_header), sizeof(e));
	e.xe_value_offs = cpu_to_le16(4000);
	memcpy(blk + sizeof(struct vexfs_block_header), &e, sizeof(e));
	assert_string_equal(vexfs_xattr_block_parse(blk, 4096, out, 200,
						    &count),
			    "bad value offset or size");
	/* Too large for the block: the writer must use a value inode. */
	xs[0].size = 4096;
	assert_false(vexfs_xattr_block_pack(blk, 4096, xs, 1));
	/* Garbage. */
	memset(blk, 0xff, 4096);
	assert_non_null(vexfs_xattr_block_parse(blk, 4096, out, 200, &count));
}

/*
 * Collection descriptors.  A root inode number outside the users' range
 * (0, or a reserved one): fsck removed the collection, the kernel only
 * refused numbers past the table.  Both refuse it now.  The tunables'
 * rule is one for both (the kernel refuses, fsck resets).
 */
static void coll_desc_rules(void **state)
{
	struct vexfs_collection d;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.c_id = cpu_to_le32(1);
	d.c_dim = cpu_to_le16(4);
	d.c_metric = VEXFS_METRIC_L2;
	d.c_elem_type = VEXFS_ELEM_F32;
	d.c_root_ino = cpu_to_le64(VEXFS_ROOT_INO);
	assert_null(vexfs_coll_desc_check(&d, 1, 256));
	assert_string_equal(vexfs_coll_desc_check(&d, 2, 256), "wrong id");
	d.c_root_ino = cpu_to_le64(VEXFS_COLLECTIONS_INO);
	assert_string_equal(vexfs_coll_desc_check(&d, 1, 256),
			    "bad root inode number");
	d.c_root_ino = 0;
	assert_non_null(vexfs_coll_desc_check(&d, 1, 256));
	d.c_root_ino = cpu_to_le64(20);
	d.c_dim = cpu_to_le16(VEXFS_MAX_DIM + 1);
	assert_string_equal(vexfs_coll_desc_check(&d, 1, 256), "bad dimension");
	d.c_dim = cpu_to_le16(4);
	d.c_elem_type = 2;
	assert_non_null(vexfs_coll_desc_check(&d, 1, 256));
	assert_null(vexfs_coll_tunables_check(&d));
	d.c_hnsw_m = cpu_to_le16(1);
	assert_non_null(vexfs_coll_tunables_check(&d));
}

/*
 * vs_generation: fsck dropped an embedding whose slot was written for an
 * earlier inode of the same number; the kernel's embedding read (not its
 * search) returned it.  Both refuse it now.
 */
static void vec_slot_owner(void **state)
{
	struct vexfs_vec_slot hdr;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
	assert_string_equal(vexfs_vec_slot_owner_check(&hdr, 20, 7),
			    "the slot is free");
	hdr.vs_ino = cpu_to_le64(20);
	hdr.vs_generation = cpu_to_le32(7);
	assert_null(vexfs_vec_slot_owner_check(&hdr, 20, 7));
	assert_non_null(vexfs_vec_slot_owner_check(&hdr, 21, 7));
	assert_non_null(vexfs_vec_slot_owner_check(&hdr, 20, 8));
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
		cmocka_unit_test(inode_flags_mask),
		cmocka_unit_test(inode_number_range),
		cmocka_unit_test(inode_one_sided_rules),
		cmocka_unit_test(symlink_rules),
		cmocka_unit_test(xattr_rules),
		cmocka_unit_test(coll_desc_rules),
		cmocka_unit_test(vec_slot_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
