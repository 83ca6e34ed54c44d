// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c - directories: the hashed B+tree of names, and readdir.
 *
 * A directory is a B+tree stored in its own logical blocks and keyed by a
 * 63-bit SipHash of the name (see include/vexfs_format.h for the exact
 * definition and the tree invariants).  Logical block 0 is the root once
 * the directory has held an entry; an empty, never used directory has no
 * blocks at all.  "." and ".." are not stored: ".." is the inode's
 * i_parent.
 *
 * - Lookup descends to the leftmost leaf that may hold the hash and scans
 *   forward along the leaf chain while the hashes are not larger, so that
 *   names of equal hash work even when they straddle a leaf boundary.
 * - Insertion descends to the rightmost candidate leaf and inserts after
 *   the names of equal or smaller hash.  A full leaf is split in two by
 *   bytes, a full interior node by entries, bottom up; a full root is
 *   copied into a new block so that the root stays at logical block 0 and
 *   the tree grows at the top.  Every block a split needs is allocated
 *   before anything is changed, so ENOSPC leaves the tree untouched.
 * - Deletion removes the record from its leaf and nothing else: there is
 *   no merging.  An emptied leaf stays linked and indexed (its separator
 *   remains a valid lower bound), later insertions of nearby hashes reuse
 *   it, and the directory keeps its size until it is deleted.
 * - readdir walks the leaves in hash order.  The cookie of an entry
 *   (ctx->pos) is its hash + 2; 0 and 1 are "." and "..", and
 *   VEXFS_DIR_POS_EOF (2^63 - 1) is the end.  A cookie stays valid while
 *   other entries come and go, because it names a place in hash order, not
 *   an offset.  Names of equal hash share one cookie; when a getdents
 *   buffer fills in the middle of such a group, the number of the group's
 *   entries already returned is kept in file->private_data (reset by
 *   llseek) so that the next call neither repeats nor skips them.
 *
 * Every node is checked before use: its header and checksum, then every
 * count, length, hash order, hash range (against the separators of the
 * path that led to it), child and sibling block and inode number.
 * Anything wrong is reported once through vexfs_error() and returns
 * -EFSCORRUPTED; every walk is bounded (the depth by
 * VEXFS_DIRTREE_MAX_DEPTH, the leaf chain by the number of blocks).
 *
 * Locking: the tree is protected by the directory's i_rwsem, which the VFS
 * holds exclusively around every change (create, link, unlink, mkdir,
 * rmdir, rename, ...) and at least shared around lookup and readdir.
 * Readers only read buffers; the block mapping below is protected by
 * vi->i_map_lock inside vexfs_bread().  Nothing here takes another lock.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "vexfs.h"

/* readdir cookies: "." is 0, ".." is 1, an entry is its hash + 2. */
#define VEXFS_DIR_POS_FIRST	2
#define VEXFS_DIR_POS_EOF	((loff_t)LLONG_MAX)

#define DT_NODE_OFFSET	sizeof(struct vexfs_block_header)
#define DT_BODY_OFFSET	(DT_NODE_OFFSET + sizeof(struct vexfs_dir_node))
#define DE_HDR_SIZE	offsetof(struct vexfs_dir_entry, de_name)

#ifdef VEXFS_TESTING
/*
 * Testing aid: keep only this many low bits of every name hash so that a
 * test can create names of equal hash at will.  A directory written this
 * way does not follow the format (fsck reports its hashes); never set it
 * outside a test VM.  Only test builds have it (src/Kbuild).
 */
static unsigned int dir_hash_test_bits;
module_param(dir_hash_test_bits, uint, 0444);
MODULE_PARM_DESC(dir_hash_test_bits,
		 "testing only: truncate directory name hashes to this many bits to force collisions (0 = off)");
#else
static const unsigned int dir_hash_test_bits;
#endif

/* One node of a root-to-leaf path. */
struct dt_level {
	struct buffer_head *bh;
	u32 lblk;
	unsigned int idx;	/* interior: the entry followed */
	u64 lo, hi;		/* the hashes this subtree may hold */
};

struct dt_path {
	unsigned int depth;	/* nodes in p[]; p[depth - 1] is a leaf */
	struct dt_level p[VEXFS_DIRTREE_MAX_DEPTH + 1];
};

static void dt_path_release(struct dt_path *path)
{
	while (path->depth)
		brelse(path->p[--path->depth].bh);
}

static struct vexfs_dir_node *dt_node(struct buffer_head *bh)
{
	return (struct vexfs_dir_node *)(bh->b_data + DT_NODE_OFFSET);
}

static struct vexfs_dir_index *dt_index(struct buffer_head *bh)
{
	return (struct vexfs_dir_index *)(bh->b_data + DT_BODY_OFFSET);
}

static u8 *dt_recs(struct buffer_head *bh)
{
	return (u8 *)bh->b_data + DT_BODY_OFFSET;
}

static struct vexfs_dir_entry *dt_rec(u8 *recs, unsigned int off)
{
	return (struct vexfs_dir_entry *)(recs + off);
}

/* Bytes of records a leaf can hold. */
static unsigned int dt_leaf_space(struct super_block *sb)
{
	return vexfs_dir_leaf_space(sb->s_blocksize);
}

/* Index entries an interior node can hold. */
static unsigned int dt_index_max(struct super_block *sb)
{
	return vexfs_dir_index_max(sb->s_blocksize);
}

static u32 dt_nblocks(struct inode *dir)
{
	return i_size_read(dir) >> dir->i_blkbits;
}

static u64 vexfs_name_hash(struct super_block *sb, const u8 *name,
			   unsigned int len)
{
	const __le32 *seed = VEXFS_SB(sb)->raw->s_hash_seed;
	siphash_key_t key = {
		.key = {
			le32_to_cpu(seed[0]) | (u64)le32_to_cpu(seed[1]) << 32,
			le32_to_cpu(seed[2]) | (u64)le32_to_cpu(seed[3]) << 32,
		},
	};
	u64 hash = siphash(name, len, &key) >> 1;

	if (dir_hash_test_bits && dir_hash_test_bits < 63)
		hash &= (1ULL << dir_hash_test_bits) - 1;
	return min_t(u64, hash, VEXFS_DIR_HASH_MAX);
}

static bool dt_name_eq(const struct vexfs_dir_entry *de,
		       const struct qstr *name)
{
	return de->de_name_len == name->len &&
	       !memcmp(de->de_name, name->name, name->len);
}

/*
 * A directory's size must be whole blocks that logical numbers reach, and
 * no more blocks than the filesystem has: every walk along the leaf chain
 * is bounded by the size, so a corrupt size must not make that bound huge.
 */
static int dt_check_size(struct inode *dir)
{
	loff_t size = i_size_read(dir);

	if (!(size & (i_blocksize(dir) - 1)) &&
	    (size >> dir->i_blkbits) <= U32_MAX &&
	    (size >> dir->i_blkbits) <= VEXFS_SB(dir->i_sb)->blocks_count)
		return 0;
	vexfs_error(dir->i_sb, "directory %llu: bad size %lld",
		    (unsigned long long)dir->i_ino, size);
	return -EFSCORRUPTED;
}

static int dt_corrupt(struct inode *dir, u32 lblk, const char *why)
{
	vexfs_error(dir->i_sb, "directory %llu, block %u: %s",
		    (unsigned long long)dir->i_ino, lblk, why);
	return -EFSCORRUPTED;
}

/* The rules of nodes and entries are common/dir.c, shared with fsck. */
static const char *dt_check_leaf(struct inode *dir, struct buffer_head *bh,
				 u64 lo, u64 hi)
{
	return vexfs_dir_leaf_check(bh->b_data, dir->i_sb->s_blocksize, lo, hi,
				    VEXFS_SB(dir->i_sb)->inodes_count);
}

/*
 * The part of dt_check_leaf() that depends on the path: a verified leaf
 * has its records in hash order, so its first and last hash bound them
 * all.
 */
static const char *dt_check_leaf_range(struct buffer_head *bh, u64 lo,
				       u64 hi)
{
	unsigned int count = le16_to_cpu(dt_node(bh)->dn_count);
	u8 *recs = dt_recs(bh);
	unsigned int off = 0, i;

	if (!count)
		return NULL;
	if (le64_to_cpu(dt_rec(recs, 0)->de_hash) < lo)
		return "hashes out of order";
	for (i = 1; i < count; i++)
		off += le16_to_cpu(dt_rec(recs, off)->de_rec_len);
	if (le64_to_cpu(dt_rec(recs, off)->de_hash) > hi)
		return "hashes out of order";
	return NULL;
}

static const char *dt_check_interior(struct inode *dir,
				     struct buffer_head *bh, u64 lo, u64 hi)
{
	return vexfs_dir_interior_check(bh->b_data, dir->i_sb->s_blocksize,
					dt_nblocks(dir), lo, hi);
}

/*
 * Read directory tree node @lblk and check it completely.  @level is the
 * level the parent expects, or -1 for the root; [@lo, @hi] are the hashes
 * the node may hold.
 */
static struct buffer_head *dt_read(struct inode *dir, u32 lblk, int level,
				   u64 lo, u64 hi)
{
	struct super_block *sb = dir->i_sb;
	struct vexfs_dir_node *node;
	struct buffer_head *bh;
	unsigned int nlevel;
	const char *why;
	int err;

	if (lblk >= dt_nblocks(dir)) {
		dt_corrupt(dir, lblk, "block beyond the directory size");
		return ERR_PTR(-EFSCORRUPTED);
	}
	bh = vexfs_bread(dir, lblk, false);
	if (IS_ERR(bh))
		return bh;
	if (!bh) {
		dt_corrupt(dir, lblk, "hole in the directory");
		return ERR_PTR(-EFSCORRUPTED);
	}
	err = vexfs_bh_verify(sb, bh, VEXFS_DIRTREE_MAGIC, dir->i_ino);
	if (err)
		goto out_err;

	node = dt_node(bh);
	nlevel = le16_to_cpu(node->dn_level);
	if (level < 0 ? nlevel >= VEXFS_DIRTREE_MAX_DEPTH : nlevel != level)
		why = "wrong tree level";
	else if (nlevel)
		why = dt_check_interior(dir, bh, lo, hi);
	else if (le32_to_cpu(node->dn_next) >= dt_nblocks(dir) ||
		 le32_to_cpu(node->dn_prev) >= dt_nblocks(dir) ||
		 (lblk && le32_to_cpu(node->dn_next) == lblk))
		why = "sibling block out of range";
	else if (buffer_vexfs_verified(bh))
		why = dt_check_leaf_range(bh, lo, hi);
	else
		why = dt_check_leaf(dir, bh, lo, hi);
	if (!why) {
		set_buffer_vexfs_verified(bh);
		return bh;
	}
	err = dt_corrupt(dir, lblk, why);
out_err:
	brelse(bh);
	return ERR_PTR(err);
}

/*
 * Checksum a changed node and log it (or queue it for writeback with the
 * directory).  The caller's handle took write access when it read the
 * node through vexfs_bread().
 */
static void dt_dirty(struct inode *dir, struct buffer_head *bh)
{
	vexfs_block_csum_set(dir->i_sb, bh->b_data);
	vexfs_dirty_metadata(dir->i_sb, dir, bh);
}

/*
 * Descend from the root towards @hash.  With @rightmost the path follows
 * the last child whose separator is <= @hash (where a new name goes);
 * otherwise the last child whose separator is < @hash, i.e. the leftmost
 * leaf that may hold a name of that hash.
 */
static int dt_descend(struct inode *dir, u64 hash, bool rightmost,
		      struct dt_path *path)
{
	u64 lo = 0, hi = VEXFS_DIR_HASH_MAX;
	int level = -1;
	u32 lblk = 0;

	path->depth = 0;
	for (;;) {
		struct dt_level *lv = &path->p[path->depth];
		struct vexfs_dir_index *idx;
		struct buffer_head *bh;
		unsigned int count, a, b;

		bh = dt_read(dir, lblk, level, lo, hi);
		if (IS_ERR(bh)) {
			dt_path_release(path);
			return PTR_ERR(bh);
		}
		path->depth++;
		lv->bh = bh;
		lv->lblk = lblk;
		lv->lo = lo;
		lv->hi = hi;
		lv->idx = 0;
		level = le16_to_cpu(dt_node(bh)->dn_level);
		if (!level)
			return 0;

		/* a = the number of separators below (or not above) hash */
		idx = dt_index(bh);
		count = le16_to_cpu(dt_node(bh)->dn_count);
		a = 0;
		b = count;
		while (a < b) {
			unsigned int m = a + (b - a) / 2;
			u64 sep = le64_to_cpu(idx[m].di_hash);

			if (sep < hash || (rightmost && sep == hash))
				a = m + 1;
			else
				b = m;
		}
		lv->idx = a ? a - 1 : 0;
		if (lv->idx)
			lo = le64_to_cpu(idx[lv->idx].di_hash);
		if (lv->idx + 1 < count)
			hi = le64_to_cpu(idx[lv->idx + 1].di_hash);
		lblk = le32_to_cpu(idx[lv->idx].di_child);
		level--;
	}
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */
/* ------------------------------------------------------------------ */

/**
 * vexfs_dir_find() - look a name up in a directory
 * @dir: the directory
 * @name: the name
 * @slot: if not NULL, receives the leaf and the place of the entry; the
 *	caller releases it with vexfs_dir_slot_release()
 * @ino: receives the inode number of the entry
 *
 * Context: process context; the caller holds @dir's i_rwsem (shared is
 * enough); may sleep for I/O.
 * Return: 0, -ENOENT if the name is not there, -EFSCORRUPTED, -EIO.
 */
int vexfs_dir_find(struct inode *dir, const struct qstr *name,
		   struct vexfs_dir_slot *slot, u64 *ino)
{
	struct dt_path path;
	struct buffer_head *bh;
	u32 steps = 0;
	u64 hash, last;
	int err;

	if (!i_size_read(dir))
		return -ENOENT;
	if (name->len > VEXFS_NAME_LEN)
		return -ENAMETOOLONG;
	err = dt_check_size(dir);
	if (err)
		return err;
	hash = vexfs_name_hash(dir->i_sb, name->name, name->len);
	err = dt_descend(dir, hash, false, &path);
	if (err)
		return err;
	/* Keep the leaf, drop the rest of the path. */
	bh = path.p[--path.depth].bh;
	dt_path_release(&path);

	last = 0;
	for (;;) {
		struct vexfs_dir_node *node = dt_node(bh);
		unsigned int count = le16_to_cpu(node->dn_count);
		u8 *recs = dt_recs(bh);
		unsigned int off = 0, i;
		u32 next;

		for (i = 0; i < count; i++) {
			struct vexfs_dir_entry *de = dt_rec(recs, off);
			u64 h = le64_to_cpu(de->de_hash);

			if (h > hash)
				goto out_noent;
			if (h == hash && dt_name_eq(de, name)) {
				*ino = le64_to_cpu(de->de_ino);
				if (slot) {
					slot->bh = bh;
					slot->off = off;
				} else {
					brelse(bh);
				}
				return 0;
			}
			last = h;
			off += le16_to_cpu(de->de_rec_len);
		}
		/* Equal hashes may continue in the next leaf. */
		next = le32_to_cpu(node->dn_next);
		if (!next)
			goto out_noent;
		brelse(bh);
		if (++steps > dt_nblocks(dir))
			return dt_corrupt(dir, next, "leaf chain loops");
		bh = dt_read(dir, next, 0, last, VEXFS_DIR_HASH_MAX);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
	}

out_noent:
	brelse(bh);
	return -ENOENT;
}

/**
 * vexfs_dir_slot_release() - release an entry found by vexfs_dir_find()
 * @slot: the slot
 *
 * Context: any context; drops the leaf's buffer reference.
 */
void vexfs_dir_slot_release(struct vexfs_dir_slot *slot)
{
	brelse(slot->bh);
	slot->bh = NULL;
}

/**
 * vexfs_dir_slot_set() - point a directory entry at another inode
 * @dir: the directory holding the entry
 * @slot: the entry, from vexfs_dir_find()
 * @inode: the inode the name now refers to
 *
 * Used by rename over an existing name and by RENAME_EXCHANGE.  The hash
 * and the name stay; the directory's times are the caller's business.
 *
 * Context: process context; the caller holds @dir's i_rwsem exclusively.
 */
void vexfs_dir_slot_set(struct inode *dir, struct vexfs_dir_slot *slot,
			struct inode *inode)
{
	struct vexfs_dir_entry *de = dt_rec(dt_recs(slot->bh), slot->off);

	lock_buffer(slot->bh);
	de->de_ino = cpu_to_le64(inode->i_ino);
	de->de_file_type = fs_umode_to_ftype(inode->i_mode);
	dt_dirty(dir, slot->bh);
	unlock_buffer(slot->bh);
}

/**
 * vexfs_dir_slot_delete() - remove a directory entry
 * @dir: the directory holding the entry
 * @slot: the entry, from vexfs_dir_find(); still to be released
 *
 * The leaf keeps its place in the tree even when it becomes empty.
 *
 * Context: process context; the caller holds @dir's i_rwsem exclusively.
 */
void vexfs_dir_slot_delete(struct inode *dir, struct vexfs_dir_slot *slot)
{
	struct vexfs_dir_node *node = dt_node(slot->bh);
	unsigned int used = le16_to_cpu(node->dn_used);
	u8 *recs = dt_recs(slot->bh);
	struct vexfs_dir_entry *de = dt_rec(recs, slot->off);
	unsigned int len = le16_to_cpu(de->de_rec_len);

	lock_buffer(slot->bh);
	memmove(recs + slot->off, recs + slot->off + len,
		used - slot->off - len);
	memset(recs + used - len, 0, len);
	node->dn_used = cpu_to_le16(used - len);
	le16_add_cpu(&node->dn_count, -1);
	dt_dirty(dir, slot->bh);
	unlock_buffer(slot->bh);
}

/* ------------------------------------------------------------------ */
/* Insertion                                                           */
/* ------------------------------------------------------------------ */

/* A new record, built on the caller's stack. */
struct dt_newrec {
	unsigned int len;
	union {
		struct vexfs_dir_entry de;
		u8 bytes[VEXFS_DIR_REC_LEN(VEXFS_NAME_LEN)];
	};
};

static void dt_init_node(struct inode *dir, struct buffer_head *bh,
			 unsigned int level)
{
	lock_buffer(bh);
	vexfs_block_init(dir->i_sb, bh->b_data, VEXFS_DIRTREE_MAGIC,
			 bh->b_blocknr, dir->i_ino);
	dt_node(bh)->dn_level = cpu_to_le16(level);
	unlock_buffer(bh);
}

/* Give an empty directory its root: an empty leaf at logical block 0. */
static int dt_create_root(struct inode *dir)
{
	struct buffer_head *bh;

	bh = vexfs_bread(dir, 0, true);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	if (!bh)
		return -EIO;
	dt_init_node(dir, bh, 0);
	dt_dirty(dir, bh);
	brelse(bh);
	i_size_write(dir, i_blocksize(dir));
	mark_inode_dirty(dir);
	return 0;
}

/* Put @rec at byte @pos of a leaf that has room for it. */
static void dt_leaf_insert(struct inode *dir, struct buffer_head *bh,
			   unsigned int pos, const struct dt_newrec *rec)
{
	struct vexfs_dir_node *node = dt_node(bh);
	unsigned int used = le16_to_cpu(node->dn_used);
	u8 *recs = dt_recs(bh);

	lock_buffer(bh);
	memmove(recs + pos + rec->len, recs + pos, used - pos);
	memcpy(recs + pos, rec->bytes, rec->len);
	node->dn_used = cpu_to_le16(used + rec->len);
	le16_add_cpu(&node->dn_count, 1);
	dt_dirty(dir, bh);
	unlock_buffer(bh);
}

/* Put @ent at position @pos of an interior node that has room for it. */
static void dt_index_insert(struct inode *dir, struct buffer_head *bh,
			    unsigned int pos, const struct vexfs_dir_index *ent)
{
	struct vexfs_dir_node *node = dt_node(bh);
	unsigned int count = le16_to_cpu(node->dn_count);
	struct vexfs_dir_index *idx = dt_index(bh);

	lock_buffer(bh);
	memmove(&idx[pos + 1], &idx[pos], (count - pos) * sizeof(*idx));
	idx[pos] = *ent;
	node->dn_count = cpu_to_le16(count + 1);
	dt_dirty(dir, bh);
	unlock_buffer(bh);
}

/*
 * Split full leaf @lv while inserting @rec at byte @pos: the records are
 * laid out in @scratch with the new one in place, the first half (by
 * bytes) stays, the rest moves to the new leaf @nbh (logical block
 * @nlblk), which is linked after @lv in the leaf chain (@next is the
 * following leaf, if any).  Returns the separator of the new leaf.
 *
 * The halves fit: with T = used + rec->len <= space + 280 bytes in all,
 * the first half is at most T / 2 and more than T / 2 - 280, so the
 * second is below T / 2 + 280, which is within a leaf for every block
 * size from 1024 bytes on.
 */
static u64 dt_split_leaf(struct inode *dir, struct dt_level *lv,
			 unsigned int pos, const struct dt_newrec *rec,
			 struct buffer_head *nbh, u32 nlblk,
			 struct buffer_head *next, u8 *scratch)
{
	struct vexfs_dir_node *node = dt_node(lv->bh), *nnode;
	unsigned int used = le16_to_cpu(node->dn_used);
	unsigned int total = used + rec->len;
	unsigned int off = 0, count = 0, n;
	u8 *recs = dt_recs(lv->bh);

	memcpy(scratch, recs, pos);
	memcpy(scratch + pos, rec->bytes, rec->len);
	memcpy(scratch + pos + rec->len, recs + pos, used - pos);

	while (off < total) {
		unsigned int len = le16_to_cpu(dt_rec(scratch, off)->de_rec_len);

		if (off && off + len > total / 2)
			break;
		off += len;
		count++;
	}
	n = le16_to_cpu(node->dn_count) + 1 - count;

	dt_init_node(dir, nbh, 0);
	lock_buffer(nbh);
	nnode = dt_node(nbh);
	memcpy(dt_recs(nbh), scratch + off, total - off);
	nnode->dn_count = cpu_to_le16(n);
	nnode->dn_used = cpu_to_le16(total - off);
	nnode->dn_next = node->dn_next;
	nnode->dn_prev = cpu_to_le32(lv->lblk);
	dt_dirty(dir, nbh);
	unlock_buffer(nbh);

	lock_buffer(lv->bh);
	memcpy(recs, scratch, off);
	memset(recs + off, 0, dt_leaf_space(dir->i_sb) - off);
	node->dn_count = cpu_to_le16(count);
	node->dn_used = cpu_to_le16(off);
	node->dn_next = cpu_to_le32(nlblk);
	dt_dirty(dir, lv->bh);
	unlock_buffer(lv->bh);

	if (next) {
		lock_buffer(next);
		dt_node(next)->dn_prev = cpu_to_le32(nlblk);
		dt_dirty(dir, next);
		unlock_buffer(next);
	}
	return le64_to_cpu(dt_rec(scratch, off)->de_hash);
}

/*
 * Split full interior node @lv while inserting @ent at position @pos; the
 * upper half moves to the new node @nbh.  Returns the new node's
 * separator.
 */
static u64 dt_split_index(struct inode *dir, struct dt_level *lv,
			  unsigned int pos, const struct vexfs_dir_index *ent,
			  struct buffer_head *nbh, u8 *scratch)
{
	struct vexfs_dir_node *node = dt_node(lv->bh);
	unsigned int count = le16_to_cpu(node->dn_count);
	struct vexfs_dir_index *all = (struct vexfs_dir_index *)scratch;
	struct vexfs_dir_index *idx = dt_index(lv->bh);
	unsigned int left = (count + 1) / 2;

	memcpy(all, idx, pos * sizeof(*idx));
	all[pos] = *ent;
	memcpy(&all[pos + 1], &idx[pos], (count - pos) * sizeof(*idx));

	dt_init_node(dir, nbh, le16_to_cpu(node->dn_level));
	lock_buffer(nbh);
	memcpy(dt_index(nbh), &all[left], (count + 1 - left) * sizeof(*idx));
	dt_node(nbh)->dn_count = cpu_to_le16(count + 1 - left);
	dt_dirty(dir, nbh);
	unlock_buffer(nbh);

	lock_buffer(lv->bh);
	memcpy(idx, all, left * sizeof(*idx));
	memset(&idx[left], 0, (count - left) * sizeof(*idx));
	node->dn_count = cpu_to_le16(left);
	dt_dirty(dir, lv->bh);
	unlock_buffer(lv->bh);

	return le64_to_cpu(all[left].di_hash);
}

/*
 * Move the root's contents into the new block @nbh (logical @nlblk) and
 * make the root an interior node with that block as its only child, one
 * level up.  The path gains a level at the top.
 */
static void dt_grow(struct inode *dir, struct dt_path *path,
		    struct buffer_head *nbh, u32 nlblk)
{
	struct buffer_head *root = path->p[0].bh;
	unsigned int level = le16_to_cpu(dt_node(root)->dn_level);
	struct vexfs_dir_index *idx;
	unsigned int i;

	dt_init_node(dir, nbh, level);
	lock_buffer(nbh);
	memcpy(nbh->b_data + DT_NODE_OFFSET, root->b_data + DT_NODE_OFFSET,
	       dir->i_sb->s_blocksize - DT_NODE_OFFSET);
	dt_dirty(dir, nbh);
	unlock_buffer(nbh);

	lock_buffer(root);
	memset(root->b_data + DT_NODE_OFFSET, 0,
	       dir->i_sb->s_blocksize - DT_NODE_OFFSET);
	dt_node(root)->dn_level = cpu_to_le16(level + 1);
	dt_node(root)->dn_count = cpu_to_le16(1);
	idx = dt_index(root);
	idx[0].di_hash = 0;
	idx[0].di_child = cpu_to_le32(nlblk);
	dt_dirty(dir, root);
	unlock_buffer(root);

	for (i = path->depth; i > 0; i--)
		path->p[i] = path->p[i - 1];
	path->depth++;
	path->p[0].idx = 0;
	path->p[1].bh = nbh;
	path->p[1].lblk = nlblk;
}

/*
 * Insert @rec at byte @pos of the full leaf at the end of @path, splitting
 * it and as many of its ancestors as needed.
 */
static int dt_split_insert(struct inode *dir, struct dt_path *path,
			   unsigned int pos, const struct dt_newrec *rec)
{
	struct super_block *sb = dir->i_sb;
	struct buffer_head *newbh[VEXFS_DIRTREE_MAX_DEPTH + 1] = { NULL };
	struct buffer_head *next = NULL;
	unsigned int d = path->depth, s, nnew, k, i;
	struct vexfs_dir_index ent;
	u32 nblocks = dt_nblocks(dir), next_lblk;
	u8 *scratch;
	bool grow;
	int err;

	/* Nodes p[s..d-1] are full and split; p[s-1] takes the new entry. */
	s = d - 1;
	while (s > 0 && le16_to_cpu(dt_node(path->p[s - 1].bh)->dn_count) >=
		       dt_index_max(sb))
		s--;
	grow = s == 0;
	if (grow && d + 1 > VEXFS_DIRTREE_MAX_DEPTH)
		return -ENOSPC;		/* the tree is as deep as allowed */
	nnew = d - s + grow;
	if ((u64)nblocks + nnew > VEXFS_MAX_LBLK)
		return -ENOSPC;

	next_lblk = le32_to_cpu(dt_node(path->p[d - 1].bh)->dn_next);
	if (next_lblk) {
		next = dt_read(dir, next_lblk, 0, 0, VEXFS_DIR_HASH_MAX);
		if (IS_ERR(next))
			return PTR_ERR(next);
	}
	scratch = kmalloc(2 * sb->s_blocksize, GFP_NOFS);
	if (!scratch) {
		err = -ENOMEM;
		goto out_next;
	}
	for (k = 0; k < nnew; k++) {
		newbh[k] = vexfs_bread(dir, nblocks + k, true);
		if (IS_ERR_OR_NULL(newbh[k])) {
			err = newbh[k] ? PTR_ERR(newbh[k]) : -EIO;
			newbh[k] = NULL;
			goto out_undo;
		}
	}
	i_size_write(dir, (loff_t)(nblocks + nnew) << dir->i_blkbits);
	mark_inode_dirty(dir);

	/* Nothing fails from here on. */
	k = 0;
	if (grow) {
		dt_grow(dir, path, newbh[k], nblocks + k);
		newbh[k++] = NULL;	/* the path owns it now */
		d++;
		s = 1;
	}
	ent.di_reserved = 0;
	ent.di_child = cpu_to_le32(nblocks + k);
	ent.di_hash = cpu_to_le64(dt_split_leaf(dir, &path->p[d - 1], pos, rec,
						newbh[k], nblocks + k, next,
						scratch));
	k++;
	for (i = d - 1; i-- > 0; ) {
		struct dt_level *lv = &path->p[i];

		if (i < s) {
			dt_index_insert(dir, lv->bh, lv->idx + 1, &ent);
			break;
		}
		ent.di_hash = cpu_to_le64(dt_split_index(dir, lv, lv->idx + 1,
							 &ent, newbh[k],
							 scratch));
		ent.di_child = cpu_to_le32(nblocks + k);
		k++;
	}
	WARN_ON_ONCE(k != nnew);
	err = 0;
	goto out_release;

out_undo:
	for (i = 0; i < k; i++) {
		vexfs_forget_block(sb, newbh[i], newbh[i]->b_blocknr);
		newbh[i] = NULL;
	}
	vexfs_truncate_blocks(dir, nblocks);
out_release:
	for (i = 0; i < ARRAY_SIZE(newbh); i++)
		brelse(newbh[i]);
	kfree(scratch);
out_next:
	brelse(next);
	return err;
}

/**
 * vexfs_dir_add() - add a name for an inode to a directory
 * @dir: the directory
 * @name: the new name; the VFS has checked that it does not exist
 * @inode: the inode it names
 *
 * Gives an empty directory its root block, and splits full nodes on the
 * way.  The directory's times and link count are the caller's business.
 *
 * Context: process context; the caller holds @dir's i_rwsem exclusively;
 * may sleep for I/O and allocation.
 * Return: 0, -ENAMETOOLONG, -EEXIST, -ENOSPC (no block left, or the tree
 * is at its maximum depth), -ENOMEM, -EFSCORRUPTED or -EIO.
 */
int vexfs_dir_add(struct inode *dir, const struct qstr *name,
		  struct inode *inode)
{
	struct dt_newrec rec;
	struct dt_path path;
	struct dt_level *leaf;
	struct vexfs_dir_node *node;
	unsigned int count, used, off, i;
	u64 hash;
	u8 *recs;
	int err;

	if (name->len > VEXFS_NAME_LEN)
		return -ENAMETOOLONG;
	if (!name->len)
		return -EINVAL;
	err = dt_check_size(dir);
	if (err)
		return err;
	if (!i_size_read(dir)) {
		err = dt_create_root(dir);
		if (err)
			return err;
	}

	hash = vexfs_name_hash(dir->i_sb, name->name, name->len);
	memset(&rec, 0, sizeof(rec));
	rec.len = VEXFS_DIR_REC_LEN(name->len);
	rec.de.de_hash = cpu_to_le64(hash);
	rec.de.de_ino = cpu_to_le64(inode->i_ino);
	rec.de.de_rec_len = cpu_to_le16(rec.len);
	rec.de.de_name_len = name->len;
	rec.de.de_file_type = fs_umode_to_ftype(inode->i_mode);
	memcpy(rec.de.de_name, name->name, name->len);

	err = dt_descend(dir, hash, true, &path);
	if (err)
		return err;
	leaf = &path.p[path.depth - 1];
	node = dt_node(leaf->bh);
	count = le16_to_cpu(node->dn_count);
	used = le16_to_cpu(node->dn_used);
	recs = dt_recs(leaf->bh);

	/* After every name of smaller or equal hash. */
	for (i = 0, off = 0; i < count; i++) {
		struct vexfs_dir_entry *de = dt_rec(recs, off);
		u64 h = le64_to_cpu(de->de_hash);

		if (h > hash)
			break;
		if (h == hash && dt_name_eq(de, name)) {
			err = -EEXIST;
			goto out;
		}
		off += le16_to_cpu(de->de_rec_len);
	}
	if (used + rec.len <= dt_leaf_space(dir->i_sb))
		dt_leaf_insert(dir, leaf->bh, off, &rec);
	else
		err = dt_split_insert(dir, &path, off, &rec);
out:
	dt_path_release(&path);
	return err;
}

/* ------------------------------------------------------------------ */
/* readdir                                                             */
/* ------------------------------------------------------------------ */

/**
 * vexfs_dir_for_each() - call @actor on every entry of a directory
 * @dir: the directory; the caller holds its i_rwsem (shared is enough)
 * @actor: called with @arg, the name, its length, the inode number and the
 *	VEXFS_FT_* type of each entry, in hash order; a non-zero return
 *	stops the walk and is returned
 * @arg: passed to @actor
 *
 * @actor may sleep, read other inodes and start journal handles: the walk
 * holds only a reference to the current leaf, never its lock.
 *
 * Context: process context, @dir's i_rwsem held; may sleep for I/O.
 * Return: 0 after the last entry, what @actor returned if not 0,
 * -EFSCORRUPTED or -EIO.
 */
int vexfs_dir_for_each(struct inode *dir,
		       int (*actor)(void *arg, const u8 *name,
				    unsigned int len, u64 ino,
				    unsigned int ftype),
		       void *arg)
{
	struct buffer_head *bh;
	struct dt_path path;
	u32 steps = 0;
	u64 last = 0;
	int err;

	if (!i_size_read(dir))
		return 0;
	err = dt_check_size(dir);
	if (err)
		return err;
	err = dt_descend(dir, 0, false, &path);
	if (err)
		return err;
	bh = path.p[--path.depth].bh;
	dt_path_release(&path);

	for (;;) {
		struct vexfs_dir_node *node = dt_node(bh);
		unsigned int count = le16_to_cpu(node->dn_count);
		u8 *recs = dt_recs(bh);
		unsigned int off = 0, i;
		u32 next;

		for (i = 0; i < count; i++) {
			struct vexfs_dir_entry *de = dt_rec(recs, off);

			off += le16_to_cpu(de->de_rec_len);
			last = le64_to_cpu(de->de_hash);
			err = actor(arg, de->de_name, de->de_name_len,
				    le64_to_cpu(de->de_ino), de->de_file_type);
			if (err) {
				brelse(bh);
				return err;
			}
		}
		next = le32_to_cpu(node->dn_next);
		brelse(bh);
		if (!next)
			return 0;
		if (++steps > dt_nblocks(dir))
			return dt_corrupt(dir, next, "leaf chain loops");
		bh = dt_read(dir, next, 0, last, VEXFS_DIR_HASH_MAX);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
	}
}

struct vexfs_name_of {
	u64 ino;
	char *name;
	unsigned int *len;
};

static int vexfs_name_of_actor(void *arg, const u8 *name, unsigned int len,
			       u64 ino, unsigned int ftype)
{
	struct vexfs_name_of *want = arg;

	if (ino != want->ino)
		return 0;
	memcpy(want->name, name, len);
	want->name[len] = '\0';
	*want->len = len;
	return 1;
}

/**
 * vexfs_dir_name_of() - find the name under which @dir holds inode @ino
 * @dir: the directory; the caller holds its i_rwsem (shared is enough)
 * @ino: the inode to look for
 * @name: out: the name, NUL-terminated; VEXFS_NAME_LEN + 1 bytes
 * @len: out: its length
 *
 * Walks the leaves in hash order and returns the first entry naming @ino:
 * what naming a search hit needs when its dentry is not cached.
 *
 * Context: process context, @dir's i_rwsem held; may sleep for I/O.
 * Return: 0, -ENOENT if no entry names @ino, -EFSCORRUPTED, -EIO.
 */
int vexfs_dir_name_of(struct inode *dir, u64 ino, char *name,
		      unsigned int *len)
{
	struct vexfs_name_of want = { .ino = ino, .name = name, .len = len };
	int err = vexfs_dir_for_each(dir, vexfs_name_of_actor, &want);

	if (err > 0)
		return 0;
	return err ?: -ENOENT;
}

static int vexfs_any_entry_actor(void *arg, const u8 *name, unsigned int len,
				 u64 ino, unsigned int ftype)
{
	return 1;
}

/**
 * vexfs_dir_is_empty() - does a directory hold no entry?
 * @dir: the directory
 *
 * Context: process context; the caller holds @dir's i_rwsem; may sleep.
 * Return: 1 if empty, 0 if not, or a negative errno.
 */
int vexfs_dir_is_empty(struct inode *dir)
{
	int err = vexfs_dir_for_each(dir, vexfs_any_entry_actor, NULL);

	if (err < 0)
		return err;
	return !err;
}

static int vexfs_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file_inode(file);
	unsigned long skip, done;
	struct buffer_head *bh;
	struct dt_path path;
	u64 hash, cur, last;
	u32 steps = 0;
	int err;

	if (vexfs_forced_shutdown(dir->i_sb))
		return -EIO;
	if (ctx->pos >= VEXFS_DIR_POS_EOF)
		return 0;
	if (!i_size_read(dir)) {
		if (!dir_emit_dots(file, ctx))
			return 0;
		goto out_eof;
	}
	err = dt_check_size(dir);
	if (err)
		return err;

	/*
	 * Resume at the cookie, past what this group already returned.  The
	 * tree is read before "." and ".." are emitted, so that a corrupt
	 * directory fails the first getdents() (one error, one log line)
	 * rather than the second.
	 */
	hash = max_t(loff_t, ctx->pos, VEXFS_DIR_POS_FIRST) - VEXFS_DIR_POS_FIRST;
	skip = (unsigned long)file->private_data;
	done = skip;
	cur = hash;
	last = 0;
	err = dt_descend(dir, hash, false, &path);
	if (err)
		return err;
	bh = path.p[--path.depth].bh;
	dt_path_release(&path);
	if (!dir_emit_dots(file, ctx)) {
		brelse(bh);
		return 0;
	}

	for (;;) {
		struct vexfs_dir_node *node = dt_node(bh);
		unsigned int count = le16_to_cpu(node->dn_count);
		u8 *recs = dt_recs(bh);
		unsigned int off = 0, i;
		u32 next;

		for (i = 0; i < count; i++) {
			struct vexfs_dir_entry *de = dt_rec(recs, off);
			u64 h = le64_to_cpu(de->de_hash);

			off += le16_to_cpu(de->de_rec_len);
			last = h;
			if (h < hash)
				continue;
			if (h == hash && skip) {
				skip--;
				continue;
			}
			if (h != cur) {
				cur = h;
				done = 0;
			}
			ctx->pos = h + VEXFS_DIR_POS_FIRST;
			if (!dir_emit(ctx, de->de_name, de->de_name_len,
				      le64_to_cpu(de->de_ino),
				      fs_ftype_to_dtype(de->de_file_type))) {
				file->private_data = (void *)done;
				brelse(bh);
				return 0;
			}
			done++;
		}
		next = le32_to_cpu(node->dn_next);
		brelse(bh);
		if (!next)
			break;
		/*
		 * Whatever stops the walk from here on, what was returned
		 * stays returned: the next call resumes after it.
		 */
		file->private_data = (void *)done;
		if (++steps > dt_nblocks(dir))
			return dt_corrupt(dir, next, "leaf chain loops");
		bh = dt_read(dir, next, 0, last, VEXFS_DIR_HASH_MAX);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
	}
out_eof:
	ctx->pos = VEXFS_DIR_POS_EOF;
	file->private_data = NULL;
	return 0;
}

/*
 * Any cookie is a valid place to seek to; SEEK_END goes to the end of the
 * directory.  A move forgets how much of a group of equal hashes the last
 * readdir returned (see vexfs_readdir()).
 */
static loff_t vexfs_dir_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t pos;

	pos = generic_file_llseek_size(file, offset, whence, VEXFS_DIR_POS_EOF,
				       VEXFS_DIR_POS_EOF);
	if (pos >= 0 && !(whence == SEEK_CUR && !offset))
		file->private_data = NULL;
	return pos;
}

const struct file_operations vexfs_dir_operations = {
	.llseek		= vexfs_dir_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= vexfs_readdir,
	.fsync		= vexfs_fsync,
	.unlocked_ioctl	= vexfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};
