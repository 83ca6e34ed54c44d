// SPDX-License-Identifier: GPL-2.0
/*
 * extent.c - the extent tree that maps a file's logical blocks.
 *
 * The root of the tree lives in the inode (i_data: a header and up to
 * VEXFS_ROOT_EXTENTS entries); deeper nodes are blocks that start with a
 * struct vexfs_block_header.  Every node holds entries sorted by logical
 * block: extents in leaves (depth 0), index entries above.  The key of an
 * index entry is the first logical block of its child; the leftmost child
 * also takes every block before its key.
 *
 * Growth splits a full node in two and adds an index entry to its parent;
 * a full root is pushed down into a new block, so the tree grows at the
 * top and all leaves stay at the same depth.  Truncation removes entries
 * from the right and frees nodes that become empty; a hole punch removes
 * a middle range the same way, one extent at a time, splitting an extent
 * the hole falls inside (see "Hole punching" below).
 *
 * Locking: vi->i_map_lock, taken shared to map and exclusive to change
 * the tree.  Nothing else here takes a lock except the allocator's.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vexfs.h"

/* One level of a root-to-leaf path. */
struct vexfs_ext_path {
	struct buffer_head *bh;		/* NULL for the root in the inode */
	struct vexfs_extent_header *hdr;
	int pos;			/* entry followed, -1 if none */
};

static struct vexfs_extent *ext_entries(struct vexfs_extent_header *hdr)
{
	return (struct vexfs_extent *)(hdr + 1);
}

static struct vexfs_extent_idx *idx_entries(struct vexfs_extent_header *hdr)
{
	return (struct vexfs_extent_idx *)(hdr + 1);
}

static struct vexfs_extent_header *root_hdr(struct inode *inode)
{
	return (struct vexfs_extent_header *)VEXFS_I(inode)->i_data;
}

static struct vexfs_extent_header *block_hdr(struct buffer_head *bh)
{
	return (struct vexfs_extent_header *)
		(bh->b_data + sizeof(struct vexfs_block_header));
}

static unsigned int block_capacity(struct super_block *sb)
{
	return (sb->s_blocksize - sizeof(struct vexfs_block_header) -
		sizeof(struct vexfs_extent_header)) /
	       sizeof(struct vexfs_extent);
}

/* The logical block an entry of a node at @depth starts at. */
static u32 entry_lblk(struct vexfs_extent_header *hdr, int i)
{
	if (le16_to_cpu(hdr->eh_depth))
		return le32_to_cpu(idx_entries(hdr)[i].ei_lblk);
	return le32_to_cpu(ext_entries(hdr)[i].e_lblk);
}

/**
 * vexfs_extent_init_root() - make the inode's extent tree empty
 * @inode: a new inode
 */
void vexfs_extent_init_root(struct inode *inode)
{
	struct vexfs_extent_header *hdr = root_hdr(inode);

	memset(VEXFS_I(inode)->i_data, 0, VEXFS_INODE_DATA_SIZE);
	hdr->eh_magic = cpu_to_le16(VEXFS_EXTENT_HDR_MAGIC);
	hdr->eh_max = cpu_to_le16(VEXFS_ROOT_EXTENTS);
}

/*
 * Check a node before following anything in it, with the rule fsck
 * applies (common/extent.c).  The kernel reads a node only by the path to
 * it and needs no more than the ordering of its own entries, so it gives
 * every node the whole logical range: fsck checks each child against the
 * range its parent gives it.
 */
static int vexfs_check_node(struct inode *inode,
			    struct vexfs_extent_header *hdr,
			    unsigned int max, unsigned int depth, bool root)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(inode->i_sb);
	const char *why;

	why = vexfs_extent_node_check(hdr, max, depth, root, 0,
				      VEXFS_MAX_LBLK + 1, sbi->data_start,
				      sbi->blocks_count);
	if (!why)
		return 0;
	vexfs_error(inode->i_sb, "inode %llu: corrupt extent tree node at depth %u: %s",
		    (unsigned long long)inode->i_ino, depth, why);
	return -EFSCORRUPTED;
}

/* Read the child node behind index entry @ix, expected at @depth. */
static struct buffer_head *vexfs_read_node(struct inode *inode,
					   struct vexfs_extent_idx *ix,
					   unsigned int depth)
{
	struct super_block *sb = inode->i_sb;
	u64 blocknr = le64_to_cpu(ix->ei_child);
	struct buffer_head *bh;
	int err;

	bh = vexfs_sb_bread(sb, blocknr);
	if (!bh) {
		vexfs_err(sb, "inode %llu: unable to read extent block %llu",
			  (unsigned long long)inode->i_ino, blocknr);
		return ERR_PTR(-EIO);
	}
	err = vexfs_bh_verify(sb, bh, VEXFS_EXTENT_MAGIC, inode->i_ino);
	/*
	 * The entries of a verified node were checked when it was read and
	 * only we changed them since; its depth depends on the path.
	 */
	if (!err && !buffer_vexfs_verified(bh)) {
		err = vexfs_check_node(inode, block_hdr(bh),
				       block_capacity(sb), depth, false);
		if (!err)
			set_buffer_vexfs_verified(bh);
	} else if (!err && le16_to_cpu(block_hdr(bh)->eh_depth) != depth) {
		vexfs_error(sb, "inode %llu: extent block %llu at the wrong depth",
			    (unsigned long long)inode->i_ino, blocknr);
		err = -EFSCORRUPTED;
	}
	if (!err)
		err = vexfs_journal_get_write(sb, bh);
	if (err) {
		brelse(bh);
		return ERR_PTR(err);
	}
	return bh;
}

static void vexfs_release_path(struct vexfs_ext_path *path, int depth)
{
	int i;

	for (i = 0; i <= depth; i++) {
		brelse(path[i].bh);
		path[i].bh = NULL;
	}
}

/* Index of the last entry starting at or before @lblk, or -1. */
static int vexfs_search_node(struct vexfs_extent_header *hdr, u32 lblk)
{
	int lo = 0, hi = le16_to_cpu(hdr->eh_entries) - 1, found = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (entry_lblk(hdr, mid) <= lblk) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

/*
 * Walk from the root to the leaf that covers (or would cover) @lblk.
 * Returns the level reached, normally the depth of the tree;
 * path[0..level] are filled and must be released with
 * vexfs_release_path().
 *
 * An index node below the root may be empty (common/extent.c says why):
 * it maps nothing, so the walk stops there with pos -1 and returns its
 * level, where the caller finds an index node instead of a leaf.  A
 * lookup then sees a hole up to the next key; an insertion refuses it.
 */
static int vexfs_find_path(struct inode *inode, u32 lblk,
			   struct vexfs_ext_path *path)
{
	struct vexfs_extent_header *hdr = root_hdr(inode);
	int depth = le16_to_cpu(hdr->eh_depth), level, err;

	/* The rule refuses a depth the path array cannot hold. */
	err = vexfs_check_node(inode, hdr, VEXFS_ROOT_EXTENTS, depth, true);
	if (err)
		return err;

	memset(path, 0, sizeof(*path) * (depth + 1));
	for (level = 0; ; level++) {
		struct buffer_head *bh;
		int pos;

		path[level].hdr = hdr;
		pos = vexfs_search_node(hdr, lblk);
		path[level].pos = pos;
		if (level == depth)
			return depth;
		if (!le16_to_cpu(hdr->eh_entries))
			return level;
		if (pos < 0)
			path[level].pos = pos = 0;
		bh = vexfs_read_node(inode, &idx_entries(hdr)[pos],
				     depth - level - 1);
		if (IS_ERR(bh)) {
			err = PTR_ERR(bh);
			break;
		}
		path[level + 1].bh = bh;
		hdr = block_hdr(bh);
	}
	vexfs_release_path(path, depth);
	return err;
}

/*
 * Test builds check every node they change, as it is logged, with the
 * rule a later lookup (or fsck) will apply, and warn (which fails the
 * test run) with the node's bytes and the caller: a bad node is then
 * caught where it was made, not at its next use.  Only changed nodes:
 * the path to them was checked on the way down, so a warning here is
 * never corruption read from the disk.  An empty index root is allowed:
 * vexfs_drop_empty_node() logs one on its way to an empty leaf.
 */
#ifdef VEXFS_TESTING
static void vexfs_extent_audit(struct inode *inode,
			       struct vexfs_extent_header *hdr,
			       unsigned int max)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(inode->i_sb);
	const char *why;

	why = vexfs_extent_node_check(hdr, max, le16_to_cpu(hdr->eh_depth),
				      false, 0, VEXFS_MAX_LBLK + 1,
				      sbi->data_start, sbi->blocks_count);
	WARN(why, "vexfs: inode %llu: extent node made bad: %s: %*ph\n",
	     (unsigned long long)inode->i_ino, why,
	     (int)min_t(size_t, 64, sizeof(*hdr) +
			le16_to_cpu(hdr->eh_entries) *
			sizeof(struct vexfs_extent)), hdr);
}
#else
static void vexfs_extent_audit(struct inode *inode,
			       struct vexfs_extent_header *hdr,
			       unsigned int max)
{
}
#endif

/* Mark a node changed: the inode for the root, the block otherwise. */
static void vexfs_dirty_node(struct inode *inode, struct vexfs_ext_path *p)
{
	if (!p->bh) {
		vexfs_extent_audit(inode, p->hdr, VEXFS_ROOT_EXTENTS);
		mark_inode_dirty(inode);
		return;
	}
	vexfs_extent_audit(inode, p->hdr, block_capacity(inode->i_sb));
	vexfs_block_csum_set(inode->i_sb, p->bh->b_data);
	vexfs_dirty_metadata(inode->i_sb, inode, p->bh);
}

/*
 * The first logical block mapped after the leaf entry on @path: the next
 * entry of the leaf, or else the key of the nearest next subtree.  A hole
 * ends there, so allocating into it never overlaps a later extent.
 */
static u64 vexfs_next_key(struct vexfs_ext_path *path, int depth)
{
	u64 next = VEXFS_MAX_LBLK + 1;
	int level;

	for (level = depth; level >= 0; level--) {
		struct vexfs_extent_header *hdr = path[level].hdr;

		if (path[level].pos + 1 < le16_to_cpu(hdr->eh_entries)) {
			next = entry_lblk(hdr, path[level].pos + 1);
			break;
		}
	}
	return next;
}

/*
 * Look up @lblk.  On a hit, *@pblk and *@len describe the mapped run
 * starting at @lblk; on a hole, *@pblk is 0 and *@len is the length of the
 * hole (up to the next extent or the largest file).
 * *@goal is set to a good physical block to allocate @lblk at.
 */
static int vexfs_lookup_extent(struct inode *inode, u32 lblk, u64 *pblk,
			       u64 *len, u64 *goal)
{
	struct vexfs_ext_path path[VEXFS_EXT_MAX_DEPTH + 1];
	struct vexfs_extent_header *leaf;
	struct vexfs_extent *ex;
	int depth, pos;

	depth = vexfs_find_path(inode, lblk, path);
	if (depth < 0)
		return depth;
	leaf = path[depth].hdr;
	pos = path[depth].pos;
	*pblk = 0;
	*len = VEXFS_MAX_LBLK + 1;
	*goal = 0;

	if (pos >= 0) {
		u64 start, elen;	/* start + elen may be 2^32 */

		ex = &ext_entries(leaf)[pos];
		start = le32_to_cpu(ex->e_lblk);
		elen = le16_to_cpu(ex->e_len);
		if (lblk < start + elen) {
			*pblk = le64_to_cpu(ex->e_pblk) + (lblk - start);
			*len = start + elen - lblk;
			goto out;
		}
		/* Allocate right after the previous extent's blocks. */
		*goal = le64_to_cpu(ex->e_pblk) + elen;
	}
	*len = vexfs_next_key(path, depth) - lblk;
out:
	vexfs_release_path(path, depth);
	return 0;
}

/* Allocate and start a new tree block for @inode at @depth. */
static struct buffer_head *vexfs_new_node(struct inode *inode, u64 goal,
					  unsigned int depth)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_extent_header *hdr;
	struct buffer_head *bh;
	unsigned int count = 1;
	u64 blocknr;
	int err;

	err = vexfs_new_blocks(inode, goal, &blocknr, &count);
	if (err)
		return ERR_PTR(err);
	bh = sb_getblk(sb, blocknr);
	if (!bh) {
		vexfs_free_blocks(sb, blocknr, 1);
		return ERR_PTR(-ENOMEM);
	}
	err = vexfs_journal_get_create(sb, bh);
	if (err) {
		brelse(bh);
		vexfs_free_blocks(sb, blocknr, 1);
		return ERR_PTR(err);
	}
	lock_buffer(bh);
	vexfs_block_init(sb, bh->b_data, VEXFS_EXTENT_MAGIC, blocknr,
			 inode->i_ino);
	hdr = block_hdr(bh);
	hdr->eh_magic = cpu_to_le16(VEXFS_EXTENT_HDR_MAGIC);
	hdr->eh_max = cpu_to_le16(block_capacity(sb));
	hdr->eh_depth = cpu_to_le16(depth);
	set_buffer_uptodate(bh);
	unlock_buffer(bh);
	inode_add_bytes(inode, sb->s_blocksize);
	return bh;
}

/* Move the whole root into a new block and make the root point at it. */
static int vexfs_grow_root(struct inode *inode, u64 goal)
{
	struct vexfs_extent_header *root = root_hdr(inode), *hdr;
	unsigned int n = le16_to_cpu(root->eh_entries);
	unsigned int depth = le16_to_cpu(root->eh_depth);
	struct vexfs_extent_idx *ix;
	struct buffer_head *bh;

	if (depth >= VEXFS_EXT_MAX_DEPTH)
		return -EFBIG;
	bh = vexfs_new_node(inode, goal, depth);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	hdr = block_hdr(bh);
	memcpy(hdr + 1, root + 1, n * sizeof(struct vexfs_extent));
	hdr->eh_entries = cpu_to_le16(n);
	vexfs_block_csum_set(inode->i_sb, bh->b_data);
	vexfs_dirty_metadata(inode->i_sb, inode, bh);

	ix = idx_entries(root);
	ix->ei_lblk = cpu_to_le32(n ? entry_lblk(hdr, 0) : 0);
	ix->ei_child = cpu_to_le64(bh->b_blocknr);
	ix->ei_reserved = 0;
	root->eh_entries = cpu_to_le16(1);
	root->eh_depth = cpu_to_le16(depth + 1);
	mark_inode_dirty(inode);
	brelse(bh);
	return 0;
}

/*
 * Split the full block node at path[level] in two and add the new half to
 * its parent, which has room.
 */
static int vexfs_split_node(struct inode *inode, struct vexfs_ext_path *path,
			    int level, u64 goal)
{
	struct vexfs_ext_path *node = &path[level], *parent = &path[level - 1];
	struct vexfs_extent_header *hdr = node->hdr, *nhdr, *phdr = parent->hdr;
	unsigned int n = le16_to_cpu(hdr->eh_entries), keep = n / 2;
	unsigned int pn = le16_to_cpu(phdr->eh_entries);
	struct vexfs_extent_idx *pix;
	struct buffer_head *bh;
	int at = parent->pos + 1;

	bh = vexfs_new_node(inode, goal, le16_to_cpu(hdr->eh_depth));
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	nhdr = block_hdr(bh);
	/* Index entries and extents have the same size. */
	memcpy(ext_entries(nhdr), ext_entries(hdr) + keep,
	       (n - keep) * sizeof(struct vexfs_extent));
	nhdr->eh_entries = cpu_to_le16(n - keep);
	hdr->eh_entries = cpu_to_le16(keep);
	vexfs_block_csum_set(inode->i_sb, bh->b_data);
	vexfs_dirty_metadata(inode->i_sb, inode, bh);
	vexfs_dirty_node(inode, node);

	pix = idx_entries(phdr);
	memmove(pix + at + 1, pix + at, (pn - at) * sizeof(*pix));
	pix[at].ei_lblk = cpu_to_le32(entry_lblk(nhdr, 0));
	pix[at].ei_child = cpu_to_le64(bh->b_blocknr);
	pix[at].ei_reserved = 0;
	phdr->eh_entries = cpu_to_le16(pn + 1);
	vexfs_dirty_node(inode, parent);
	brelse(bh);
	return 0;
}

static bool node_full(struct vexfs_extent_header *hdr)
{
	return le16_to_cpu(hdr->eh_entries) >= le16_to_cpu(hdr->eh_max);
}

/*
 * Make room in the leaf on @path: split the lowest full node whose parent
 * has room, or push the root down when every level is full.  The caller
 * then looks the path up again.
 */
static int vexfs_make_room(struct inode *inode, struct vexfs_ext_path *path,
			   int depth, u64 goal)
{
	int level = depth;

	while (level > 0 && node_full(path[level - 1].hdr))
		level--;
	if (level == 0)
		return vexfs_grow_root(inode, goal);
	return vexfs_split_node(inode, path, level, goal);
}

/* Lower the keys on the path when a leaf gains a new first entry. */
static void vexfs_fix_keys(struct inode *inode, struct vexfs_ext_path *path,
			   int depth, u32 lblk)
{
	int level;

	for (level = depth - 1; level >= 0; level--) {
		struct vexfs_extent_idx *ix =
			&idx_entries(path[level].hdr)[path[level].pos];

		if (le32_to_cpu(ix->ei_lblk) <= lblk)
			break;
		ix->ei_lblk = cpu_to_le32(lblk);
		vexfs_dirty_node(inode, &path[level]);
	}
}

/* Can @ex be extended by @len blocks at @lblk / @pblk? */
static bool vexfs_can_append(struct vexfs_extent *ex, u32 lblk, u64 pblk,
			     u32 len)
{
	u32 elen = le16_to_cpu(ex->e_len);

	return le32_to_cpu(ex->e_lblk) + elen == lblk &&
	       le64_to_cpu(ex->e_pblk) + elen == pblk &&
	       elen + len <= VEXFS_EXT_MAX_LEN;
}

/* Add the extent [lblk, lblk + len) -> pblk, which must be a hole. */
static int vexfs_insert_extent(struct inode *inode, u32 lblk, u64 pblk,
			       u32 len)
{
	struct vexfs_ext_path path[VEXFS_EXT_MAX_DEPTH + 1];
	int tries, depth, err = -EFSCORRUPTED;

	/* Each round splits one node or grows the root: bounded. */
	for (tries = 0; tries < 2 * VEXFS_EXT_MAX_DEPTH + 2; tries++) {
		struct vexfs_extent_header *leaf;
		struct vexfs_extent *ex;
		int pos, n;

		depth = vexfs_find_path(inode, lblk, path);
		if (depth < 0)
			return depth;
		leaf = path[depth].hdr;
		if (leaf->eh_depth) {
			/* Truncation leaves none in a tree it has finished. */
			vexfs_error(inode->i_sb, "inode %llu: empty extent index node",
				    (unsigned long long)inode->i_ino);
			err = -EFSCORRUPTED;
			break;
		}
		pos = path[depth].pos;
		n = le16_to_cpu(leaf->eh_entries);
		ex = ext_entries(leaf);

		if (pos >= 0 && vexfs_can_append(&ex[pos], lblk, pblk, len)) {
			le16_add_cpu(&ex[pos].e_len, len);
			vexfs_dirty_node(inode, &path[depth]);
			err = 0;
			break;
		}
		if (!node_full(leaf)) {
			pos++;
			memmove(ex + pos + 1, ex + pos, (n - pos) * sizeof(*ex));
			ex[pos].e_lblk = cpu_to_le32(lblk);
			ex[pos].e_pblk = cpu_to_le64(pblk);
			ex[pos].e_len = cpu_to_le16(len);
			ex[pos].e_flags = 0;
			leaf->eh_entries = cpu_to_le16(n + 1);
			vexfs_dirty_node(inode, &path[depth]);
			if (pos == 0)
				vexfs_fix_keys(inode, path, depth, lblk);
			err = 0;
			break;
		}
		err = vexfs_make_room(inode, path, depth, pblk);
		vexfs_release_path(path, depth);
		if (err)
			return err;
	}
	vexfs_release_path(path, depth);
	return err;
}

/**
 * vexfs_map_blocks() - map a run of logical blocks, allocating if asked
 * @inode: the file
 * @lblk: first logical block
 * @max: the most blocks wanted
 * @create: allocate blocks for a hole
 * @pblk: set to the first physical block, or 0 for an unallocated hole
 * @len: set to the number of blocks mapped (or the hole's length, capped
 *	 at @max)
 * @is_new: set when the blocks were just allocated (their contents are
 *	    garbage until written)
 *
 * Context: process context; takes vi->i_map_lock; may sleep for I/O.
 * Return: 0, -EFBIG beyond the largest file, -ENOSPC, -EIO or
 * -EFSCORRUPTED.
 */
int vexfs_map_blocks(struct inode *inode, u64 lblk, unsigned int max,
		     bool create, u64 *pblk, unsigned int *len, bool *is_new)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	unsigned int count;
	u64 run, goal;
	int err;

	*is_new = false;
	if (lblk > VEXFS_MAX_LBLK)
		return -EFBIG;
	max = min_t(u64, max, VEXFS_MAX_LBLK + 1 - lblk);

	down_read(&vi->i_map_lock);
	err = vexfs_lookup_extent(inode, lblk, pblk, &run, &goal);
	up_read(&vi->i_map_lock);
	if (err || *pblk || !create) {
		*len = min_t(u64, run, max);
		return err;
	}

	down_write(&vi->i_map_lock);
	/* Someone may have filled the hole while the lock was dropped. */
	err = vexfs_lookup_extent(inode, lblk, pblk, &run, &goal);
	if (err || *pblk) {
		*len = min_t(u64, run, max);
		goto out;
	}
	count = min3(run, (u64)max, (u64)VEXFS_EXT_MAX_LEN);
	/* Best effort: the operation's credits normally cover this. */
	vexfs_journal_ensure(inode->i_sb, VEXFS_EXT_INSERT_CREDITS, 0);
	err = vexfs_new_blocks(inode, goal, pblk, &count);
	if (err)
		goto out;
	err = vexfs_insert_extent(inode, lblk, *pblk, count);
	if (err) {
		vexfs_free_blocks(inode->i_sb, *pblk, count);
		*pblk = 0;
		goto out;
	}
	inode_add_bytes(inode, (loff_t)count << inode->i_blkbits);
	mark_inode_dirty(inode);
	*len = count;
	*is_new = true;
out:
	up_write(&vi->i_map_lock);
	return err;
}

/**
 * vexfs_get_block() - the get_block_t of VexFS for the page cache
 * @inode: the file
 * @iblock: the logical block
 * @bh: the buffer to map; b_size says how many bytes the caller can take
 * @create: allocate a block for a hole
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno.
 */
int vexfs_get_block(struct inode *inode, sector_t iblock,
		    struct buffer_head *bh, int create)
{
	unsigned int max = bh->b_size >> inode->i_blkbits, len;
	handle_t *handle = NULL;
	bool is_new;
	u64 pblk;
	int err;

	/*
	 * Writers allocate inside their own handle (write_begin,
	 * page_mkwrite).  Writeback never should, as every dirty page had
	 * its blocks mapped when it was dirtied; if one still does, give it
	 * a handle of its own rather than an unjournaled change.
	 */
	if (create && VEXFS_SB(inode->i_sb)->journal &&
	    !vexfs_handle(inode->i_sb)) {
		handle = vexfs_journal_start(inode->i_sb,
					     VEXFS_DATA_CREDITS(inode->i_sb), 0);
		if (IS_ERR(handle))
			return PTR_ERR(handle);
	}
	err = vexfs_map_blocks(inode, iblock, max ? max : 1, create, &pblk,
			       &len, &is_new);
	if (handle)
		vexfs_journal_stop(handle);
	if (err)
		return err;
	if (pblk) {
		map_bh(bh, inode->i_sb, pblk);
		if (is_new)
			set_buffer_new(bh);
	}
	bh->b_size = (size_t)len << inode->i_blkbits;
	return 0;
}

/**
 * vexfs_bread() - read a logical block of a file or directory
 * @inode: the inode
 * @lblk: the logical block
 * @create: allocate (and zero) the block if it is a hole
 *
 * Context: process context; may sleep.
 * Return: the buffer, NULL for a hole when !@create, or an ERR_PTR.
 */
struct buffer_head *vexfs_bread(struct inode *inode, u64 lblk, bool create)
{
	struct super_block *sb = inode->i_sb;
	struct buffer_head *bh;
	unsigned int len;
	bool is_new;
	u64 pblk;
	int err;

	err = vexfs_map_blocks(inode, lblk, 1, create, &pblk, &len, &is_new);
	if (err)
		return ERR_PTR(err);
	if (!pblk)
		return NULL;
	if (!is_new) {
		bh = vexfs_sb_bread(sb, pblk);
		if (!bh)
			return ERR_PTR(-EIO);
		/* These blocks are metadata: inside a handle, log them. */
		err = vexfs_journal_get_write(sb, bh);
		if (err) {
			brelse(bh);
			return ERR_PTR(err);
		}
		return bh;
	}
	bh = sb_getblk(sb, pblk);
	if (!bh)
		return ERR_PTR(-ENOMEM);
	err = vexfs_journal_get_create(sb, bh);
	if (err) {
		brelse(bh);
		return ERR_PTR(err);
	}
	lock_buffer(bh);
	memset(bh->b_data, 0, sb->s_blocksize);
	set_buffer_uptodate(bh);
	unlock_buffer(bh);
	vexfs_dirty_metadata(sb, inode, bh);
	return bh;
}

/* ------------------------------------------------------------------ */
/* Truncation                                                          */
/* ------------------------------------------------------------------ */

/*
 * Are the data blocks of @inode metadata that the journal may have
 * logged (directory blocks, xattr values), to be revoked when freed?
 */
static bool vexfs_data_is_metadata(struct inode *inode)
{
	return S_ISDIR(inode->i_mode) ||
	       (VEXFS_I(inode)->i_flags & VEXFS_INODE_HIDDEN);
}

/*
 * Free the part of leaf @hdr at or beyond @first.  Returns -EAGAIN when
 * the handle must be restarted first; the leaf is consistent then (each
 * extent is freed and dropped in one step).
 */
static int vexfs_trunc_leaf(struct inode *inode,
			    struct vexfs_extent_header *hdr, u32 first)
{
	struct super_block *sb = inode->i_sb;
	int n = le16_to_cpu(hdr->eh_entries);
	struct vexfs_extent *ex = ext_entries(hdr);
	bool meta = vexfs_data_is_metadata(inode);
	int err = 0;

	while (n > 0) {
		struct vexfs_extent *e = &ex[n - 1];
		u32 start = le32_to_cpu(e->e_lblk), len = le16_to_cpu(e->e_len);
		u64 pblk = le64_to_cpu(e->e_pblk), i;
		u32 keep, drop;

		if ((u64)start + len <= first)
			break;
		keep = start >= first ? 0 : first - start;
		/*
		 * Free from the end of the extent, at most
		 * VEXFS_TRUNC_STEP blocks at a time when each needs a revoke
		 * record, so that every step fits a fresh handle.
		 */
		drop = len - keep;
		if (meta && drop > VEXFS_TRUNC_STEP)
			drop = VEXFS_TRUNC_STEP;
		/* Bitmap blocks the run spans, the leaf, the inode. */
		err = vexfs_journal_ensure(sb, drop / VEXFS_SB(sb)->bitmap_bits +
					   4 + VEXFS_TRUNC_NODES_CREDITS,
					   (meta ? drop : 0) +
					   VEXFS_TRUNC_NODES_REVOKES);
		if (err)
			break;
		if (meta)
			for (i = len - drop; i < len; i++)
				vexfs_forget_block(sb, NULL, pblk + i);
		vexfs_free_blocks(sb, pblk + len - drop, drop);
		inode_sub_bytes(inode, (loff_t)drop << inode->i_blkbits);
		if (len - drop > keep) {
			e->e_len = cpu_to_le16(len - drop);
			continue;
		}
		if (keep) {
			e->e_len = cpu_to_le16(keep);
			break;
		}
		n--;
	}
	hdr->eh_entries = cpu_to_le16(n);
	return err;
}

/*
 * Free everything at or beyond @first below the node @hdr at @depth.
 * Children that end up empty are freed and dropped from the node.
 */
static int vexfs_trunc_node(struct inode *inode,
			    struct vexfs_extent_header *hdr,
			    unsigned int depth, u32 first)
{
	struct super_block *sb = inode->i_sb;
	int n = le16_to_cpu(hdr->eh_entries);

	if (!depth)
		return vexfs_trunc_leaf(inode, hdr, first);
	while (n > 0) {
		struct vexfs_extent_idx *ix = &idx_entries(hdr)[n - 1];
		u32 key = le32_to_cpu(ix->ei_lblk);
		struct buffer_head *bh;
		int err;

		/*
		 * Room to free this child and every node above it, should
		 * they all end up empty: the map lock is dropped while a full
		 * handle restarts, and a lookup then must not meet an empty
		 * index node (vexfs_find_path() can only call it a hole).
		 */
		err = vexfs_journal_ensure(sb, VEXFS_TRUNC_NODES_CREDITS,
					   VEXFS_TRUNC_NODES_REVOKES);
		if (err)
			return err;
		bh = vexfs_read_node(inode, ix, depth - 1);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
		err = vexfs_trunc_node(inode, block_hdr(bh), depth - 1, first);
		if (err == -EAGAIN || (!err && block_hdr(bh)->eh_entries)) {
			/* Changed and still in use (-EAGAIN: not empty). */
			vexfs_block_csum_set(sb, bh->b_data);
			vexfs_dirty_metadata(sb, inode, bh);
			brelse(bh);
			return err;
		}
		if (err) {
			brelse(bh);
			return err;
		}
		err = vexfs_journal_ensure(sb, VEXFS_TRUNC_NODE_CREDITS, 1);
		if (err) {
			/*
			 * Not expected (the room was reserved above), and
			 * legal: an empty child goes after the restart.
			 */
			brelse(bh);
			return err;
		}
		/* The child is empty: forget it and free its block. */
		vexfs_forget_block(sb, bh, le64_to_cpu(ix->ei_child));
		vexfs_free_blocks(sb, le64_to_cpu(ix->ei_child), 1);
		inode_sub_bytes(inode, sb->s_blocksize);
		n--;
		hdr->eh_entries = cpu_to_le16(n);
		if (key < first && n)
			break;
	}
	return 0;
}

/*
 * Commit what the running handle did and go on in a new one, for a
 * truncation or a punch that holds vi->i_map_lock for writing and left
 * every node consistent and logged.  As ext4 does, the map lock is not
 * held while waiting for jbd2: a handle that needs it may be what the
 * commit waits for.
 */
static int vexfs_map_restart(struct inode *inode, int credits, int revokes)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err;

	up_write(&vi->i_map_lock);
	err = vexfs_journal_restart(inode->i_sb, credits, revokes);
	down_write(&vi->i_map_lock);
	return err;
}

/**
 * vexfs_truncate_blocks() - free the blocks of a file from a logical block on
 * @inode: the file; the caller holds i_rwsem (or the inode is being evicted)
 * @first_lblk: the first logical block to free
 *
 * Context: process context; takes vi->i_map_lock; may sleep for I/O.
 * Return: 0 or a negative errno; on error the tree is left consistent but
 * some blocks may not have been freed (fsck finds them).
 */
int vexfs_truncate_blocks(struct inode *inode, u64 first_lblk)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct vexfs_extent_header *root = root_hdr(inode);
	unsigned int depth;
	int err;

	if (first_lblk > VEXFS_MAX_LBLK)
		return 0;
	down_write(&vi->i_map_lock);
	for (;;) {
		depth = le16_to_cpu(root->eh_depth);
		err = vexfs_check_node(inode, root, VEXFS_ROOT_EXTENTS, depth,
				       true);
		if (!err)
			err = vexfs_trunc_node(inode, root, depth, first_lblk);
		if (!err && !root->eh_entries)
			root->eh_depth = 0; /* an empty tree is an empty leaf */
		/* Log the root and i_blocks as they are now. */
		vexfs_journal_write_inode(inode);
		if (err != -EAGAIN)
			break;
		/*
		 * The handle is full.  Every node is consistent and logged
		 * and the caller put the inode on the orphan list.
		 */
		err = vexfs_map_restart(inode, VEXFS_TRUNC_CREDITS,
					VEXFS_TRUNC_REVOKES);
		if (err)
			break;
	}
	mark_inode_dirty(inode);
	up_write(&vi->i_map_lock);
	return err;
}

/* ------------------------------------------------------------------ */
/* Hole punching                                                       */
/* ------------------------------------------------------------------ */

/*
 * A punch removes the mapping of [first, end) one extent at a time, from
 * the right, each step in one handle: the tree it leaves is a valid tree
 * and every block it takes out of the tree is freed in the same handle,
 * so a crash leaves the hole partly punched (from its end down), never a
 * block both mapped and free.  Only regular file data is punched, which
 * the journal never logged, so freed data blocks need no revoke.
 *
 * The index keys above a leaf are left alone when the leaf loses its
 * first entries: a key may be lower than its child's first extent (the
 * child then also takes the hole in front of it; a later insertion into
 * that hole lands in the child).  A leaf or index block left empty is
 * freed and dropped from its parent.
 */

/*
 * The first logical block the leaf on @path answers for: the key of the
 * deepest index entry on the path that is not its node's first, or 0 for
 * the leftmost leaf of the tree.
 */
static u64 vexfs_leaf_start(struct vexfs_ext_path *path, int depth)
{
	int level;

	for (level = depth - 1; level >= 0; level--)
		if (path[level].pos > 0)
			return entry_lblk(path[level].hdr, path[level].pos);
	return 0;
}

/*
 * Free the empty block node at path[level] and drop its entry from the
 * parent, and so on up while parents become empty.  An empty root is an
 * empty leaf.
 */
static void vexfs_drop_empty_node(struct inode *inode,
				  struct vexfs_ext_path *path, int level)
{
	struct super_block *sb = inode->i_sb;

	for (; level > 0; level--) {
		struct vexfs_ext_path *parent = &path[level - 1];
		struct vexfs_extent_header *phdr = parent->hdr;
		struct vexfs_extent_idx *pix = idx_entries(phdr);
		unsigned int pn = le16_to_cpu(phdr->eh_entries);
		int at = parent->pos;

		if (le16_to_cpu(path[level].hdr->eh_entries))
			return;
		vexfs_forget_block(sb, path[level].bh, path[level].bh->b_blocknr);
		vexfs_free_blocks(sb, le64_to_cpu(pix[at].ei_child), 1);
		inode_sub_bytes(inode, sb->s_blocksize);
		path[level].bh = NULL;	/* the reference went with it */
		memmove(pix + at, pix + at + 1, (pn - at - 1) * sizeof(*pix));
		phdr->eh_entries = cpu_to_le16(pn - 1);
		vexfs_dirty_node(inode, parent);
	}
	if (!path[0].hdr->eh_entries) {
		path[0].hdr->eh_depth = 0;
		mark_inode_dirty(inode);
	}
}

/*
 * Split the extent at path[depth].pos around the hole [ps, pe) inside it:
 * the extent keeps its head, and its tail [pe, e) becomes a new extent.
 * The tail is inserted before the middle is freed; if it cannot be (no
 * block for a new node), the head is grown back to the whole extent, so
 * nothing outside the hole is ever lost.
 */
static int vexfs_punch_split(struct inode *inode, struct vexfs_ext_path *path,
			     int depth, u32 ps, u32 pe)
{
	struct vexfs_extent *ex = &ext_entries(path[depth].hdr)[path[depth].pos];
	u32 s = le32_to_cpu(ex->e_lblk), len = le16_to_cpu(ex->e_len);
	u64 pblk = le64_to_cpu(ex->e_pblk);
	int err, err2;

	ex->e_len = cpu_to_le16(ps - s);
	vexfs_dirty_node(inode, &path[depth]);
	vexfs_release_path(path, depth);
	err = vexfs_insert_extent(inode, pe, pblk + (pe - s), s + len - pe);
	if (err) {
		/* Appends to the head: needs no room, cannot fail but by EIO. */
		err2 = vexfs_insert_extent(inode, ps, pblk + (ps - s),
					   s + len - ps);
		if (err2)
			vexfs_error(inode->i_sb, "inode %llu: cannot restore blocks %u-%u after a failed split (error %d)",
				    (unsigned long long)inode->i_ino, ps,
				    s + len - 1, err2);
		return err;
	}
	vexfs_free_blocks(inode->i_sb, pblk + (ps - s), pe - ps);
	inode_sub_bytes(inode, (loff_t)(pe - ps) << inode->i_blkbits);
	return 0;
}

/*
 * Remove from the tree the part of [first, *cursor) that the last extent
 * starting before *cursor maps, and lower *cursor to where that part
 * began.  Return: 1 when nothing of the range is left mapped, 0 to go on,
 * -EAGAIN when the handle must be restarted first (nothing was changed),
 * or another negative errno.
 */
static int vexfs_punch_step(struct inode *inode, u32 first, u64 *cursor)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_ext_path path[VEXFS_EXT_MAX_DEPTH + 1];
	struct vexfs_extent_header *leaf;
	struct vexfs_extent *ex;
	u32 s, len, ps, pe;
	u64 pblk, e;
	int depth, pos, err;

	depth = vexfs_find_path(inode, *cursor - 1, path);
	if (depth < 0)
		return depth;
	leaf = path[depth].hdr;
	pos = path[depth].pos;
	if (pos < 0) {
		/* Nothing here before the cursor: go on in the leaf before. */
		e = vexfs_leaf_start(path, depth);
		err = e <= first ? 1 : 0;
		*cursor = e;
		goto out;
	}
	ex = &ext_entries(leaf)[pos];
	s = le32_to_cpu(ex->e_lblk);
	len = le16_to_cpu(ex->e_len);
	pblk = le64_to_cpu(ex->e_pblk);
	e = (u64)s + len;
	if (e <= first) {
		err = 1;
		goto out;
	}
	ps = max(s, first);
	pe = min_t(u64, e, *cursor);
	err = vexfs_journal_ensure(sb, VEXFS_PUNCH_CREDITS, VEXFS_PUNCH_REVOKES);
	if (err)
		goto out;

	if (ps > s && pe < e) {
		err = vexfs_punch_split(inode, path, depth, ps, pe);
		/* The split released the path. */
		if (!err)
			*cursor = ps;
		return err ? err : (ps <= first);
	}
	if (ps > s) {			/* the hole takes the extent's tail */
		ex->e_len = cpu_to_le16(ps - s);
	} else if (pe < e) {		/* ... its head */
		ex->e_lblk = cpu_to_le32(pe);
		ex->e_pblk = cpu_to_le64(pblk + (pe - s));
		ex->e_len = cpu_to_le16(e - pe);
	} else {			/* ... all of it */
		unsigned int n = le16_to_cpu(leaf->eh_entries);

		memmove(ex, ex + 1, (n - pos - 1) * sizeof(*ex));
		leaf->eh_entries = cpu_to_le16(n - 1);
	}
	vexfs_dirty_node(inode, &path[depth]);
	vexfs_free_blocks(sb, pblk + (ps - s), pe - ps);
	inode_sub_bytes(inode, (loff_t)(pe - ps) << inode->i_blkbits);
	if (!leaf->eh_entries)
		vexfs_drop_empty_node(inode, path, depth);
	*cursor = ps;
	err = ps <= first;
out:
	vexfs_release_path(path, depth);
	return err;
}

/**
 * vexfs_punch_blocks() - unmap and free the blocks of a range of a file
 * @inode: a regular file; the caller holds i_rwsem and the invalidate
 *	lock, dropped the range from the page cache and holds a handle of
 *	VEXFS_PUNCH_CREDITS (restarted here as needed)
 * @first: the first logical block to punch
 * @end: the block after the last one
 *
 * Context: process context; takes vi->i_map_lock; may sleep for I/O.
 * Return: 0 or a negative errno; on error the part of the range from
 * its end down to some block is punched, the rest is mapped as before.
 */
int vexfs_punch_blocks(struct inode *inode, u64 first, u64 end)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 cursor = min_t(u64, end, VEXFS_MAX_LBLK + 1);
	int err = 0;

	if (first >= cursor)
		return 0;
	down_write(&vi->i_map_lock);
	for (;;) {
		err = vexfs_punch_step(inode, first, &cursor);
		if (!err)
			continue;
		if (err != -EAGAIN)
			break;
		/* The handle is full: log the root and i_blocks as they are. */
		vexfs_journal_write_inode(inode);
		err = vexfs_map_restart(inode, VEXFS_PUNCH_CREDITS,
					VEXFS_PUNCH_REVOKES);
		if (err)
			break;
	}
	vexfs_journal_write_inode(inode);
	mark_inode_dirty(inode);
	up_write(&vi->i_map_lock);
	return err < 0 ? err : 0;
}
