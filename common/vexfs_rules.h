/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_rules.h - the rules of the on-disk format, compiled in both worlds.
 *
 * Each rule takes bytes and sizes and returns NULL when they are good or a
 * short reason string (a constant) when they are not.  The kernel module
 * wraps the rules with its logging and buffer heads, libvexfs with its
 * visitors and fsck with its problem table; a rule changed here changes
 * for both, so fsck and the kernel cannot disagree about the same bytes.
 * The functions are documented where they are defined, in the .c files
 * of common/.
 */
#ifndef _VEXFS_RULES_H
#define _VEXFS_RULES_H

#include "vexfs_types.h"
#include "vexfs_format.h"

/* csum.c: checksum seeds and skips */
u32 vexfs_csum_skip(u32 seed, const void *buf, size_t len, size_t csum_off);
u32 vexfs_csum_seed(const struct vexfs_super_block *raw);
u32 vexfs_super_csum(const struct vexfs_super_block *raw);
u32 vexfs_inode_csum(u32 seed, const struct vexfs_inode *raw);
u32 vexfs_block_csum(u32 seed, const void *block, u32 bs);
u32 vexfs_desc_csum(u32 seed, const struct vexfs_collection *d);
u32 vexfs_vec_slot_csum(u32 seed, const void *img, u32 slot_size);
u32 vexfs_vindex_rec_csum(u32 seed, const void *rec, u32 size);
const char *vexfs_block_header_check(const void *blk, u32 magic, u64 blocknr,
				     u64 owner);

/* super.c: the superblock */
const char *vexfs_super_identity_check(const struct vexfs_super_block *raw);
const char *vexfs_super_features_check(const struct vexfs_super_block *raw,
				       bool rdonly);
const char *vexfs_super_geometry_check(const struct vexfs_super_block *raw,
				       u64 dev_blocks);
const char *vexfs_super_fields_check(const struct vexfs_super_block *raw);
const char *vexfs_super_errors_check(const struct vexfs_super_block *raw);

/* dir.c: directory tree nodes and entries */
unsigned int vexfs_dir_leaf_space(u32 bs);
unsigned int vexfs_dir_index_max(u32 bs);
const char *vexfs_dir_name_check(const char *name, unsigned int len);
const char *vexfs_dir_entry_check(const struct vexfs_dir_entry *de,
				  u64 inodes_count);
const char *vexfs_dir_leaf_check(const void *blk, u32 bs, u64 lo, u64 hi,
				 u64 inodes_count);
const char *vexfs_dir_interior_check(const void *blk, u32 bs, u32 nblocks,
				     u64 lo, u64 hi);

/* extent.c: extent tree nodes */
const char *vexfs_extent_node_check(const struct vexfs_extent_header *eh,
				    unsigned int max, unsigned int depth,
				    bool root, u64 lo, u64 hi,
				    u64 data_start, u64 blocks);

/* inode.c: raw inodes */
const char *vexfs_ino_check(u64 ino, u64 inodes_count);
u64 vexfs_inode_max_size(u32 bs);
const char *vexfs_inode_sanity_check(const struct vexfs_inode *raw, u64 ino);
const char *vexfs_inode_flags_check(const struct vexfs_inode *raw);
const char *vexfs_inode_size_check(const struct vexfs_inode *raw, u32 bs);
const char *vexfs_inode_check(const struct vexfs_inode *raw, u64 ino, u32 bs);

/* xattr.c: xattr blocks */
struct vexfs_xattr_item {
	u8 index;		/* VEXFS_XATTR_INDEX_* */
	u8 name_len;
	const char *name;	/* not NUL-terminated; into the block */
	u32 size;
	u64 value_ino;		/* 0: the value is at @value */
	const void *value;	/* into the block, or the writer's buffer */
};

/* Where a walk of an xattr block is: zero it to start. */
struct vexfs_xattr_cursor {
	unsigned int off;	/* the next entry */
	unsigned int lowest;	/* the lowest inline value so far */
};

unsigned int vexfs_xattr_entry_size(unsigned int name_len);
unsigned int vexfs_xattr_max_items(u32 bs);
const char *vexfs_xattr_name_check(u8 index, const char *name,
				   unsigned int name_len);
const char *vexfs_xattr_next(const void *blk, u32 bs,
			     struct vexfs_xattr_cursor *cur,
			     struct vexfs_xattr_item *item);
const char *vexfs_xattr_block_parse(const void *blk, u32 bs,
				    struct vexfs_xattr_item *out,
				    unsigned int max, unsigned int *count);
bool vexfs_xattr_block_pack(void *blk, u32 bs,
			    const struct vexfs_xattr_item *xs, unsigned int n);

/* vector.c: collection descriptors and vector-store slots */
const char *vexfs_coll_desc_check(const struct vexfs_collection *d, u32 id,
				  u64 inodes_count);
const char *vexfs_coll_tunables_check(const struct vexfs_collection *d);
const char *vexfs_vec_slot_owner_check(const struct vexfs_vec_slot *hdr,
				       u64 ino, u32 generation);

/* symlink.c: symlink targets */
const char *vexfs_symlink_inline_check(const u8 *data, u64 size);
const char *vexfs_symlink_check(const struct vexfs_inode *raw, u32 bs);
const char *vexfs_symlink_target_check(const char *target, u64 size);

#endif /* _VEXFS_RULES_H */
