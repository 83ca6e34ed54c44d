// SPDX-License-Identifier: GPL-2.0
/*
 * extent.c - the rules of extent tree nodes, for the kernel's lookups and
 * truncation and for libvexfs's walk and fsck.
 *
 * A node is a struct vexfs_extent_header and its entries: extents in a
 * leaf (depth 0), index entries above (vexfs_format.h says how the tree
 * is shaped).  The root lives in the inode's i_data; deeper nodes are
 * blocks whose struct vexfs_block_header the caller has checked.  The
 * rule sees one node; what depends on the path (the depth and the logical
 * range a parent gives the node) comes in as arguments.
 */
#include "vexfs_rules.h"

/* Does [@pblk, @pblk + @len) lie inside [@data_start, @blocks)? */
static bool vexfs_ext_pblk_ok(u64 pblk, u64 len, u64 data_start, u64 blocks)
{
	return pblk >= data_start && pblk < blocks && len <= blocks - pblk;
}

/**
 * vexfs_extent_node_check() - check an extent tree node before following it
 * @eh: the node's header, its entries after it
 * @max: the most entries the node can hold: VEXFS_ROOT_EXTENTS for the
 *	root, the block's capacity otherwise
 * @depth: the depth the path expects (the root's own eh_depth for the root)
 * @root: the node is the root in the inode
 * @lo: the first logical block the parent gives the node (0 for the root)
 * @hi: the end of that range, exclusive (VEXFS_MAX_LBLK + 1 for the root)
 * @data_start: s_data_start, the first block a node may name
 * @blocks: s_blocks_count
 *
 * The header (magic, capacity, depth), then each entry: extents of a
 * legal length with no flags, index entries with a zero ei_reserved, in
 * increasing order inside [@lo, @hi), naming only data blocks.  An index
 * node with no entries is refused at the root (truncation makes an empty
 * root a leaf) and allowed below it: truncation frees the children of a
 * node from the right and may commit a node whose children are all gone
 * before it frees the node itself.
 *
 * Return: NULL, or why the node is bad.
 */
const char *vexfs_extent_node_check(const struct vexfs_extent_header *eh,
				    unsigned int max, unsigned int depth,
				    bool root, u64 lo, u64 hi,
				    u64 data_start, u64 blocks)
{
	const struct vexfs_extent *ex = (const void *)(eh + 1);
	const struct vexfs_extent_idx *ix = (const void *)(eh + 1);
	unsigned int n = le16_to_cpu(eh->eh_entries), i;
	u64 prev_end = lo;

	if (depth > VEXFS_EXT_MAX_DEPTH)
		return "extent tree too deep";
	if (le16_to_cpu(eh->eh_magic) != VEXFS_EXTENT_HDR_MAGIC)
		return "bad extent header magic";
	if (le16_to_cpu(eh->eh_max) > max || n > le16_to_cpu(eh->eh_max))
		return "bad entry count or capacity";
	if (le16_to_cpu(eh->eh_depth) != depth)
		return "wrong depth";
	for (i = 0; i < n; i++) {
		if (depth) {
			u64 key = le32_to_cpu(ix[i].ei_lblk);

			if (!vexfs_ext_pblk_ok(le64_to_cpu(ix[i].ei_child), 1,
					       data_start, blocks))
				return "index points outside the data blocks";
			/* The leftmost child also takes the blocks before. */
			if ((i && key < prev_end) || key >= hi)
				return "index entries out of order";
			if (ix[i].ei_reserved)
				return "reserved field is not zero";
			prev_end = key + 1;
		} else {
			u64 lblk = le32_to_cpu(ex[i].e_lblk);
			u32 len = le16_to_cpu(ex[i].e_len);

			if (!len || len > VEXFS_EXT_MAX_LEN)
				return "bad extent length";
			if (ex[i].e_flags)
				return "unknown extent flags";
			if (lblk < prev_end || lblk + len > hi)
				return "extents out of order or overlapping";
			if (!vexfs_ext_pblk_ok(le64_to_cpu(ex[i].e_pblk), len,
					       data_start, blocks))
				return "extent points outside the data blocks";
			prev_end = lblk + len;
		}
	}
	if (root && depth && !n)
		return "empty index node";
	return NULL;
}
