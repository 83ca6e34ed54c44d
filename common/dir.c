// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c - the rules of directory tree nodes and entries, for the kernel's
 * lookups and readdir and for libvexfs's walk and fsck.
 *
 * A node is a struct vexfs_block_header, a struct vexfs_dir_node, then
 * its body: packed leaf records or index entries (vexfs_format.h says how
 * the tree is shaped).  The rules here see one node; what depends on the
 * path (the level a parent expects, the hash range it gives) comes in as
 * arguments.
 */
#include "vexfs_rules.h"

#define VEXFS_DIR_BODY	(sizeof(struct vexfs_block_header) + \
			 sizeof(struct vexfs_dir_node))
#define VEXFS_DE_HDR	offsetof(struct vexfs_dir_entry, de_name)

/**
 * vexfs_dir_leaf_space() - bytes of records a leaf can hold
 * @bs: the block size
 *
 * Return: the size of a leaf's body.
 */
unsigned int vexfs_dir_leaf_space(u32 bs)
{
	return bs - VEXFS_DIR_BODY;
}

/**
 * vexfs_dir_index_max() - index entries an interior node can hold
 * @bs: the block size
 *
 * Return: the capacity of an interior node.
 */
unsigned int vexfs_dir_index_max(u32 bs)
{
	return (bs - VEXFS_DIR_BODY) / sizeof(struct vexfs_dir_index);
}

/**
 * vexfs_dir_name_check() - may a directory entry have this name?
 * @name: the name's bytes (not NUL-terminated)
 * @len: its length
 *
 * "." and ".." are never stored (".." is i_parent), so an entry with one
 * of those names would shadow them.
 *
 * Return: NULL, or why the name is bad.
 */
const char *vexfs_dir_name_check(const char *name, unsigned int len)
{
	if (!len || len > VEXFS_NAME_LEN)
		return "bad name length";
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return "bad character in name";
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return "name is . or ..";
	return NULL;
}

/**
 * vexfs_dir_entry_check() - what an entry says, apart from its framing
 * @de: the record (its lengths already checked)
 * @inodes_count: s_inodes_count
 *
 * Return: NULL, or why the entry is bad: an inode number outside the
 * users' inodes, an unknown file type, or a bad name.
 */
const char *vexfs_dir_entry_check(const struct vexfs_dir_entry *de,
				  u64 inodes_count)
{
	u64 ino = le64_to_cpu(de->de_ino);

	if (ino < VEXFS_FIRST_INO || ino >= inodes_count)
		return "bad inode number";
	if (de->de_file_type == VEXFS_FT_UNKNOWN ||
	    de->de_file_type >= VEXFS_FT_MAX)
		return "bad file type";
	return vexfs_dir_name_check(de->de_name, de->de_name_len);
}

/**
 * vexfs_dir_leaf_check() - check a leaf node's records
 * @blk: the node, header first
 * @bs: the block size
 * @lo: the lowest hash the path allows
 * @hi: the highest hash the path allows
 * @inodes_count: s_inodes_count, to check each entry with
 *	vexfs_dir_entry_check(); 0 checks the framing only (fsck judges and
 *	repairs each entry by itself, with a problem code for each rule)
 *
 * The framing: the used bytes fit the body, the count fits the bytes,
 * each record is exactly VEXFS_DIR_REC_LEN() of its name, the hashes are
 * in order inside [@lo, @hi], and the records add up to dn_used.
 *
 * Return: NULL, or why the leaf is bad.
 */
const char *vexfs_dir_leaf_check(const void *blk, u32 bs, u64 lo, u64 hi,
				 u64 inodes_count)
{
	const struct vexfs_dir_node *node =
		(const void *)((const u8 *)blk + sizeof(struct vexfs_block_header));
	const u8 *recs = (const u8 *)blk + VEXFS_DIR_BODY;
	unsigned int count = le16_to_cpu(node->dn_count);
	unsigned int used = le16_to_cpu(node->dn_used);
	unsigned int off = 0, i;
	u64 prev = lo;

	if (used > vexfs_dir_leaf_space(bs) ||
	    count > used / VEXFS_DIR_REC_LEN(1))
		return "bad record count or size";
	for (i = 0; i < count; i++) {
		const struct vexfs_dir_entry *de = (const void *)(recs + off);
		const char *why;
		u64 hash;

		if (used - off < VEXFS_DE_HDR)
			return "truncated record";
		if (!de->de_name_len ||
		    le16_to_cpu(de->de_rec_len) !=
		    VEXFS_DIR_REC_LEN(de->de_name_len) ||
		    le16_to_cpu(de->de_rec_len) > used - off)
			return "bad record or name length";
		hash = le64_to_cpu(de->de_hash);
		if (hash < prev || hash > hi)
			return "hashes out of order";
		if (inodes_count) {
			why = vexfs_dir_entry_check(de, inodes_count);
			if (why)
				return why;
		}
		prev = hash;
		off += le16_to_cpu(de->de_rec_len);
	}
	if (off != used)
		return "record bytes do not add up";
	return NULL;
}

/**
 * vexfs_dir_interior_check() - check an interior node's index entries
 * @blk: the node, header first
 * @bs: the block size
 * @nblocks: the directory's size in blocks
 * @lo: the lowest hash the path allows
 * @hi: the highest hash the path allows
 *
 * Return: NULL, or why the node is bad.
 */
const char *vexfs_dir_interior_check(const void *blk, u32 bs, u32 nblocks,
				     u64 lo, u64 hi)
{
	const struct vexfs_dir_node *node =
		(const void *)((const u8 *)blk + sizeof(struct vexfs_block_header));
	const struct vexfs_dir_index *idx =
		(const void *)((const u8 *)blk + VEXFS_DIR_BODY);
	unsigned int count = le16_to_cpu(node->dn_count), i;
	u64 prev = lo;

	if (node->dn_used || node->dn_next || node->dn_prev)
		return "interior node with leaf fields";
	if (!count || count > vexfs_dir_index_max(bs))
		return "bad index count";
	for (i = 0; i < count; i++) {
		u64 hash = le64_to_cpu(idx[i].di_hash);
		u32 child = le32_to_cpu(idx[i].di_child);

		if (hash < prev || hash > hi)
			return "separators out of order";
		if (!child || child >= nblocks)
			return "child block out of range";
		prev = hash;
	}
	return NULL;
}
