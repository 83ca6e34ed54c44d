// SPDX-License-Identifier: GPL-2.0
/*
 * extent.c - extent trees: walk and check them, list a file's mappings,
 * build a new tree, and a simple block allocator to build it with.
 *
 * The walk applies the rule the kernel applies, vexfs_extent_node_check()
 * of common/extent.c, to every node, with the range each index entry gives
 * its child, and bounds the tree by the size of the filesystem.  The
 * exported functions are documented in libvexfs.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"

#define BH_SIZE		sizeof(struct vexfs_block_header)
#define EH_SIZE		sizeof(struct vexfs_extent_header)

unsigned int vexfs_extent_block_capacity(uint32_t bs)
{
	return (bs - BH_SIZE - EH_SIZE) / sizeof(struct vexfs_extent);
}

struct walk {
	struct vexfs_fs *fs;
	uint64_t ino;
	const struct vexfs_extent_visitor *v;
	uint64_t nodes;			/* visited, bounded by the fs size */
	uint8_t *buf[VEXFS_EXT_MAX_DEPTH + 1];
	struct vexfs_err *err;
};

/*
 * Check one node with the rule the kernel applies (common/extent.c).
 * [@lo, @hi) is the logical range the parent gives it.
 * Return: NULL or why the node is bad.
 */
static const char *check_node(const struct vexfs_fs *fs,
			      const struct vexfs_extent_header *eh,
			      unsigned int max, unsigned int depth, bool root,
			      uint64_t lo, uint64_t hi)
{
	return vexfs_extent_node_check(eh, max, depth, root, lo, hi,
				       le64(fs->sb.s_data_start),
				       le64(fs->sb.s_blocks_count));
}

static int walk_node(struct walk *w, const struct vexfs_extent_header *eh,
		     unsigned int depth, uint64_t lo, uint64_t hi)
{
	unsigned int n = le16(eh->eh_entries), i;
	int ret;

	for (i = 0; i < n; i++) {
		if (!depth) {
			const struct vexfs_extent *ex =
				(const void *)(eh + 1) + i * sizeof(*ex);
			struct vexfs_ext e = {
				.lblk = le32(ex->e_lblk),
				.len = le16(ex->e_len),
				.pblk = le64(ex->e_pblk),
				.flags = le16(ex->e_flags),
			};

			if (w->v->extent) {
				ret = w->v->extent(w->v->priv, &e);
				if (ret)
					return ret;
			}
			continue;
		}
		const struct vexfs_extent_idx *ix =
			(const void *)(eh + 1) + i * sizeof(*ix);
		uint64_t child = le64(ix->ei_child);
		uint64_t clo = i ? le32(ix->ei_lblk) : lo;
		uint64_t chi = hi;
		uint8_t *blk = w->buf[depth - 1];
		const char *why = NULL;

		if (i + 1 < n)
			chi = le32(((const struct vexfs_extent_idx *)
				    (const void *)(eh + 1))[i + 1].ei_lblk);
		if (++w->nodes > le64(w->fs->sb.s_blocks_count))
			return vexfs_errf(w->err, EUCLEAN,
					  "inode %llu: extent tree has more nodes than the filesystem has blocks",
					  (unsigned long long)w->ino);
		ret = vexfs_read_block(&w->fs->dev, child, blk, w->err);
		if (ret)
			return ret;
		ret = vexfs_meta_block_check(w->fs->seed, blk, w->fs->bs,
					     VEXFS_EXTENT_MAGIC, child, w->ino);
		if (ret == -EBADMSG)
			why = "checksum does not match";
		else if (ret)
			why = "bad block header";
		else
			why = check_node(w->fs, (const void *)(blk + BH_SIZE),
					 vexfs_extent_block_capacity(w->fs->bs),
					 depth - 1, false, clo, chi);
		if (w->v->node) {
			ret = w->v->node(w->v->priv, child, depth - 1, why);
			if (ret)
				return ret;
		}
		if (why) {
			if (!w->v->bad)
				return vexfs_errf(w->err, EUCLEAN,
						  "inode %llu: extent block %llu: %s",
						  (unsigned long long)w->ino,
						  (unsigned long long)child,
						  why);
			continue;
		}
		ret = walk_node(w, (const void *)(blk + BH_SIZE), depth - 1,
				clo, chi);
		if (ret)
			return ret;
	}
	return 0;
}

int vexfs_extent_walk(struct vexfs_fs *fs, uint64_t ino,
		      const struct vexfs_inode *inode,
		      const struct vexfs_extent_visitor *v,
		      struct vexfs_err *err)
{
	const struct vexfs_extent_header *eh = (const void *)inode->i_data;
	unsigned int depth = le16(eh->eh_depth), i;
	struct walk w = { .fs = fs, .ino = ino, .v = v, .err = err };
	const char *why = NULL;
	int ret = 0;

	if (le32(inode->i_flags) & VEXFS_INODE_INLINE)
		return 0;
	why = check_node(fs, eh, VEXFS_ROOT_EXTENTS, depth, true, 0,
			 VEXFS_MAX_LBLK + 1);
	if (why) {
		if (v->bad) {
			v->bad(v->priv, 0, depth, why);
			return 0;
		}
		return vexfs_errf(err, EUCLEAN, "inode %llu: extent root: %s",
				  (unsigned long long)ino, why);
	}
	for (i = 0; i < depth; i++) {
		w.buf[i] = malloc(fs->bs);
		if (!w.buf[i]) {
			ret = vexfs_errf(err, ENOMEM, "out of memory");
			goto out_free;
		}
	}
	ret = walk_node(&w, eh, depth, 0, VEXFS_MAX_LBLK + 1);
out_free:
	for (i = 0; i < depth; i++)
		free(w.buf[i]);
	return ret;
}

/* ------------------------------------------------------------------ */
/* A file's mappings as a list                                         */
/* ------------------------------------------------------------------ */

struct lister {
	struct vexfs_ext_list *list;
	struct vexfs_err *err;
};

static int list_add_cb(void *priv, const struct vexfs_ext *ex)
{
	struct lister *l = priv;

	return vexfs_ext_list_add(l->list, ex, l->err);
}

int vexfs_ext_list_add(struct vexfs_ext_list *list, const struct vexfs_ext *ex,
		       struct vexfs_err *err)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct vexfs_ext *e = realloc(list->e, cap * sizeof(*e));

		if (!e)
			return vexfs_errf(err, ENOMEM, "out of memory");
		list->e = e;
		list->cap = cap;
	}
	list->e[list->n++] = *ex;
	return 0;
}

void vexfs_ext_list_free(struct vexfs_ext_list *list)
{
	free(list->e);
	memset(list, 0, sizeof(*list));
}

int vexfs_extent_list(struct vexfs_fs *fs, uint64_t ino,
		      const struct vexfs_inode *inode,
		      struct vexfs_ext_list *list, struct vexfs_err *err)
{
	struct lister l = { .list = list, .err = err };
	struct vexfs_extent_visitor v = { .priv = &l, .extent = list_add_cb };

	memset(list, 0, sizeof(*list));
	return vexfs_extent_walk(fs, ino, inode, &v, err);
}

uint64_t vexfs_ext_list_map(const struct vexfs_ext_list *list, uint32_t lblk)
{
	size_t lo = 0, hi = list->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vexfs_ext *e = &list->e[mid];

		if (lblk < e->lblk)
			hi = mid;
		else if (lblk - e->lblk >= e->len)
			lo = mid + 1;
		else
			return e->pblk + (lblk - e->lblk);
	}
	return 0;
}

int vexfs_file_read(struct vexfs_fs *fs, uint64_t ino,
		    const struct vexfs_inode *inode, void *buf, size_t len,
		    struct vexfs_err *err)
{
	struct vexfs_ext_list list;
	ssize_t got;
	int ret;

	if (len > le64(inode->i_size))
		return vexfs_errf(err, EINVAL, "inode %llu: read past the end",
				  (unsigned long long)ino);
	ret = vexfs_extent_list(fs, ino, inode, &list, err);
	if (ret)
		return ret;
	got = vexfs_file_pread(fs, &list, le64(inode->i_size), 0, buf, len,
			       err);
	vexfs_ext_list_free(&list);
	return got < 0 ? (int)got : 0;
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

void vexfs_alloc_init(struct vexfs_alloc *a, uint8_t *map,
		      const struct vexfs_super_block *sb)
{
	a->map = map;
	a->first = le64(sb->s_data_start);
	a->end = le64(sb->s_blocks_count);
	a->goal = a->first;
}

int vexfs_alloc_blocks(struct vexfs_alloc *a, uint64_t want, uint64_t *start,
		       uint64_t *got)
{
	uint64_t n, pass;

	for (pass = 0; pass < 2; pass++) {
		uint64_t from = pass ? a->first : a->goal;
		uint64_t to = pass ? a->goal : a->end;

		for (n = from; n < to; n++) {
			uint64_t len = 0;

			if (vexfs_test_bit(a->map, n))
				continue;
			while (len < want && n + len < a->end &&
			       !vexfs_test_bit(a->map, n + len))
				vexfs_set_bit(a->map, n + len++);
			*start = n;
			*got = len;
			a->goal = n + len;
			return 0;
		}
	}
	return -ENOSPC;
}

void vexfs_alloc_free(struct vexfs_alloc *a, uint64_t start, uint64_t len)
{
	while (len--)
		vexfs_clear_bit(a->map, start++);
}

/* ------------------------------------------------------------------ */
/* Building a tree                                                     */
/* ------------------------------------------------------------------ */

static void put_entry(struct vexfs_extent_header *eh, unsigned int i,
		      unsigned int depth, const struct vexfs_ext *e)
{
	if (depth) {
		struct vexfs_extent_idx *ix = (void *)(eh + 1);

		ix[i].ei_child = cpu_le64(e->pblk);
		ix[i].ei_lblk = cpu_le32(e->lblk);
		ix[i].ei_reserved = 0;
	} else {
		struct vexfs_extent *ex = (void *)(eh + 1);

		ex[i].e_pblk = cpu_le64(e->pblk);
		ex[i].e_lblk = cpu_le32(e->lblk);
		ex[i].e_len = cpu_le16((uint16_t)e->len);
		ex[i].e_flags = 0;
	}
}

int vexfs_extent_build(struct vexfs_fs *fs, struct vexfs_alloc *alloc,
		       uint64_t ino, struct vexfs_inode *inode,
		       const struct vexfs_ext *ext, size_t n,
		       uint64_t *nodes, struct vexfs_err *err)
{
	unsigned int cap = vexfs_extent_block_capacity(fs->bs);
	struct vexfs_extent_header *root = (void *)inode->i_data;
	struct vexfs_ext *level = NULL, *up = NULL;
	unsigned int depth = 0;
	uint8_t *blk = NULL;
	size_t i, k, nup;
	int ret = 0;

	*nodes = 0;
	for (i = 0; i < n; i++)
		if (!ext[i].len || ext[i].len > VEXFS_EXT_MAX_LEN)
			return vexfs_errf(err, EINVAL, "bad extent length");
	level = malloc((n ? n : 1) * sizeof(*level));
	blk = malloc(fs->bs);
	if (!level || !blk) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	if (n)
		memcpy(level, ext, n * sizeof(*level));
	/* Bottom up: pack @level into blocks until the root can hold it. */
	while (n > VEXFS_ROOT_EXTENTS) {
		if (depth == VEXFS_EXT_MAX_DEPTH) {
			ret = vexfs_errf(err, EFBIG, "inode %llu: too many extents",
					 (unsigned long long)ino);
			goto out;
		}
		nup = (n + cap - 1) / cap;
		up = malloc(nup * sizeof(*up));
		if (!up) {
			ret = vexfs_errf(err, ENOMEM, "out of memory");
			goto out;
		}
		for (k = 0; k < nup; k++) {
			size_t first = k * cap, cnt = n - first < cap ? n - first : cap;
			struct vexfs_extent_header *eh = (void *)(blk + BH_SIZE);
			uint64_t pblk, got;

			if (vexfs_alloc_blocks(alloc, 1, &pblk, &got)) {
				ret = vexfs_errf(err, ENOSPC,
						 "no free block for an extent tree node");
				goto out;
			}
			(*nodes)++;
			vexfs_meta_block_init(blk, fs->bs, VEXFS_EXTENT_MAGIC,
					      pblk, ino);
			eh->eh_magic = cpu_le16(VEXFS_EXTENT_HDR_MAGIC);
			eh->eh_entries = cpu_le16((uint16_t)cnt);
			eh->eh_max = cpu_le16((uint16_t)cap);
			eh->eh_depth = cpu_le16((uint16_t)depth);
			for (i = 0; i < cnt; i++)
				put_entry(eh, (unsigned int)i, depth,
					  &level[first + i]);
			vexfs_meta_block_seal(fs->seed, blk, fs->bs);
			ret = vexfs_write_block(&fs->dev, pblk, blk, err);
			if (ret)
				goto out;
			up[k].lblk = level[first].lblk;
			up[k].pblk = pblk;
			up[k].len = 1;
		}
		free(level);
		level = up;
		up = NULL;
		n = nup;
		depth++;
	}
	memset(inode->i_data, 0, sizeof(inode->i_data));
	root->eh_magic = cpu_le16(VEXFS_EXTENT_HDR_MAGIC);
	root->eh_entries = cpu_le16((uint16_t)n);
	root->eh_max = cpu_le16(VEXFS_ROOT_EXTENTS);
	root->eh_depth = cpu_le16((uint16_t)depth);
	for (i = 0; i < n; i++)
		put_entry(root, (unsigned int)i, depth, &level[i]);
out:
	free(up);
	free(level);
	free(blk);
	return ret;
}
