// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c - directory B+trees: walk and check them, salvage the entries of a
 * broken one, and build a new tree from a list of entries.
 *
 * The walk applies the kernel's rules (common/dir.c, which src/dir.c
 * dt_read() applies too) to every node reached from the root, and those
 * the kernel only relies on: every node is reached once, the leaf chain
 * links the leaves in tree order, and no block is mapped past i_size.
 * What an entry says (its inode, type, name and hash) is left to the
 * caller, who knows the inodes: the leaf rule runs with its framing only.
 * The exported functions are documented in libvexfs.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"

#define BH_SIZE		sizeof(struct vexfs_block_header)
#define NODE_OFF	BH_SIZE
#define BODY_OFF	(BH_SIZE + sizeof(struct vexfs_dir_node))
#define DE_HDR		offsetof(struct vexfs_dir_entry, de_name)


uint8_t vexfs_mode_to_ftype(uint16_t mode)
{
	switch (mode & 0170000) {
	case 0100000: return VEXFS_FT_REG_FILE;
	case 0040000: return VEXFS_FT_DIR;
	case 0020000: return VEXFS_FT_CHRDEV;
	case 0060000: return VEXFS_FT_BLKDEV;
	case 0010000: return VEXFS_FT_FIFO;
	case 0140000: return VEXFS_FT_SOCK;
	case 0120000: return VEXFS_FT_SYMLINK;
	default: return VEXFS_FT_UNKNOWN;
	}
}

struct dwalk {
	struct vexfs_fs *fs;
	uint64_t ino;
	const struct vexfs_dir_visitor *v;
	struct vexfs_ext_list ext;
	uint32_t nblocks;
	uint8_t *seen;			/* lblks reached */
	uint32_t *leaves;		/* in tree order */
	uint32_t nleaves;
	uint8_t *buf[VEXFS_DIRTREE_MAX_DEPTH + 1];
	unsigned int bad;
	struct vexfs_err *err;
};

static void bad(struct dwalk *w, uint32_t lblk, const char *why)
{
	w->bad++;
	if (w->v->bad)
		w->v->bad(w->v->priv, lblk, why);
}

/* Read directory block @lblk and check its header. */
static const char *read_node(struct dwalk *w, uint32_t lblk, uint8_t *blk,
			     int *ret)
{
	uint64_t pblk = vexfs_ext_list_map(&w->ext, lblk);
	int r;

	*ret = 0;
	if (lblk >= w->nblocks)
		return "block beyond the directory size";
	if (!pblk)
		return "hole in the directory";
	*ret = vexfs_read_block(&w->fs->dev, pblk, blk, w->err);
	if (*ret)
		return NULL;
	r = vexfs_meta_block_check(w->fs->seed, blk, w->fs->bs,
				   VEXFS_DIRTREE_MAGIC, pblk, w->ino);
	if (r == -EBADMSG)
		return "checksum does not match";
	if (r)
		return "bad block header (magic, location or owner)";
	return NULL;
}

static int walk_dnode(struct dwalk *w, uint32_t lblk, int level, uint64_t lo,
		      uint64_t hi, unsigned int depth)
{
	uint8_t *blk = w->buf[depth];
	const struct vexfs_dir_node *node = (const void *)(blk + NODE_OFF);
	unsigned int nlevel, count, i, off;
	const char *why;
	int ret;

	if (lblk < w->nblocks && vexfs_test_bit(w->seen, lblk)) {
		bad(w, lblk, "block reached twice in the tree");
		return 0;
	}
	why = read_node(w, lblk, blk, &ret);
	if (ret)
		return ret;
	if (why) {
		bad(w, lblk, why);
		return 0;
	}
	vexfs_set_bit(w->seen, lblk);
	nlevel = le16(node->dn_level);
	if (level < 0 ? nlevel >= VEXFS_DIRTREE_MAX_DEPTH : nlevel != (unsigned int)level)
		why = "wrong tree level";
	else if (nlevel)
		why = vexfs_dir_interior_check(blk, w->fs->bs, w->nblocks, lo,
					       hi);
	else if (le32(node->dn_next) >= w->nblocks ||
		 le32(node->dn_prev) >= w->nblocks ||
		 (lblk && le32(node->dn_next) == lblk))
		why = "sibling block out of range";
	else
		why = vexfs_dir_leaf_check(blk, w->fs->bs, lo, hi, 0);
	if (why) {
		bad(w, lblk, why);
		return 0;
	}
	count = le16(node->dn_count);
	if (!nlevel) {
		w->leaves[w->nleaves++] = lblk;
		for (i = 0, off = 0; i < count; i++) {
			const struct vexfs_dir_entry *de =
				(const void *)(blk + BODY_OFF + off);

			off += le16(de->de_rec_len);
			if (w->v->entry) {
				ret = w->v->entry(w->v->priv, de, lblk);
				if (ret)
					return ret;
			}
		}
		return 0;
	}
	if (depth + 1 > VEXFS_DIRTREE_MAX_DEPTH) {
		bad(w, lblk, "tree too deep");
		return 0;
	}
	for (i = 0; i < count; i++) {
		const struct vexfs_dir_index *idx =
			(const void *)(blk + BODY_OFF);
		uint64_t clo = i ? le64(idx[i].di_hash) : lo;
		uint64_t chi = i + 1 < count ? le64(idx[i + 1].di_hash) : hi;

		ret = walk_dnode(w, le32(idx[i].di_child), (int)nlevel - 1,
				 clo, chi, depth + 1);
		if (ret)
			return ret;
	}
	return 0;
}

/* The leaf chain must link the leaves in the order the tree has them. */
static int check_chain(struct dwalk *w)
{
	uint8_t *blk = w->buf[0];
	uint32_t i;
	int ret;

	for (i = 0; i < w->nleaves; i++) {
		const struct vexfs_dir_node *node =
			(const void *)(blk + NODE_OFF);
		uint32_t want_next = i + 1 < w->nleaves ? w->leaves[i + 1] : 0;
		uint32_t want_prev = i ? w->leaves[i - 1] : 0;

		if (read_node(w, w->leaves[i], blk, &ret) || ret)
			return ret;
		if (le32(node->dn_next) != want_next ||
		    le32(node->dn_prev) != want_prev) {
			bad(w, w->leaves[i], "leaf chain does not follow the tree");
			return 0;
		}
	}
	return 0;
}

int vexfs_dir_walk(struct vexfs_fs *fs, uint64_t ino,
		   const struct vexfs_inode *inode,
		   const struct vexfs_dir_visitor *v, struct vexfs_err *err)
{
	struct dwalk w = { .fs = fs, .ino = ino, .v = v, .err = err };
	uint64_t size = le64(inode->i_size);
	unsigned int i;
	int ret;

	if (size % fs->bs || size / fs->bs > UINT32_MAX) {
		bad(&w, 0, "directory size is not a whole number of blocks");
		return 0;
	}
	/* also bounds what the walk allocates below */
	if (size / fs->bs > le64(fs->sb.s_blocks_count)) {
		bad(&w, 0, "directory larger than the filesystem");
		return 0;
	}
	w.nblocks = (uint32_t)(size / fs->bs);
	ret = vexfs_extent_list(fs, ino, inode, &w.ext, err);
	if (ret == -EUCLEAN || ret == -EBADMSG) {
		bad(&w, 0, "extent tree is corrupt");
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	if (w.ext.n && w.ext.e[w.ext.n - 1].lblk +
	    (uint64_t)w.ext.e[w.ext.n - 1].len > w.nblocks) {
		bad(&w, w.nblocks, "blocks mapped past the directory size");
		goto out;
	}
	if (!w.nblocks)
		goto out;
	w.seen = calloc(w.nblocks / 8 + 1, 1);
	w.leaves = calloc(w.nblocks, sizeof(*w.leaves));
	for (i = 0; i <= VEXFS_DIRTREE_MAX_DEPTH; i++)
		w.buf[i] = malloc(fs->bs);
	for (i = 0; i <= VEXFS_DIRTREE_MAX_DEPTH; i++)
		if (!w.buf[i])
			break;
	if (!w.seen || !w.leaves || i <= VEXFS_DIRTREE_MAX_DEPTH) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	ret = walk_dnode(&w, 0, -1, 0, VEXFS_DIR_HASH_MAX, 0);
	if (!ret && !w.bad)
		ret = check_chain(&w);
out:
	for (i = 0; i <= VEXFS_DIRTREE_MAX_DEPTH; i++)
		free(w.buf[i]);
	free(w.seen);
	free(w.leaves);
	vexfs_ext_list_free(&w.ext);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Entry lists                                                         */
/* ------------------------------------------------------------------ */

int vexfs_dirent_add(struct vexfs_dirent_list *l, uint64_t hash, uint64_t ino,
		     uint8_t type, const char *name, size_t len,
		     struct vexfs_err *err)
{
	struct vexfs_dirent *d;

	if (!len || len > VEXFS_NAME_LEN)
		return vexfs_errf(err, ENAMETOOLONG, "bad name length %zu", len);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		d = realloc(l->d, cap * sizeof(*d));
		if (!d)
			return vexfs_errf(err, ENOMEM, "out of memory");
		l->d = d;
		l->cap = cap;
	}
	d = &l->d[l->n++];
	memset(d, 0, sizeof(*d));
	d->hash = hash;
	d->ino = ino;
	d->type = type;
	d->name_len = (uint8_t)len;
	memcpy(d->name, name, len);
	return 0;
}

void vexfs_dirent_list_free(struct vexfs_dirent_list *l)
{
	free(l->d);
	memset(l, 0, sizeof(*l));
}

int vexfs_dirent_find(const struct vexfs_dirent_list *l, const char *name,
		      size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->d[i].name_len == len && !memcmp(l->d[i].name, name, len))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Salvage                                                             */
/* ------------------------------------------------------------------ */

int vexfs_dir_salvage(struct vexfs_fs *fs, uint64_t ino,
		      const struct vexfs_inode *inode,
		      struct vexfs_dirent_list *out, struct vexfs_err *err)
{
	struct vexfs_ext_list ext;
	uint8_t *blk = malloc(fs->bs);
	uint64_t size = le64(inode->i_size);
	size_t k;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!blk)
		return vexfs_errf(err, ENOMEM, "out of memory");
	ret = vexfs_extent_list(fs, ino, inode, &ext, err);
	if (ret == -EUCLEAN || ret == -EBADMSG) {
		/* Nothing can be found without a block map. */
		free(blk);
		return 0;
	}
	for (k = 0; k < ext.n && !ret; k++) {
		uint32_t j;

		for (j = 0; j < ext.e[k].len && !ret; j++) {
			const struct vexfs_block_header *bh = (const void *)blk;
			const struct vexfs_dir_node *node =
				(const void *)(blk + NODE_OFF);
			uint64_t pblk = ext.e[k].pblk + j;
			unsigned int used, off = 0;

			if ((uint64_t)(ext.e[k].lblk + j) * fs->bs >= size)
				break;
			ret = vexfs_read_block(&fs->dev, pblk, blk, err);
			if (ret)
				break;
			if (le32(bh->bh_magic) != VEXFS_DIRTREE_MAGIC ||
			    le64(bh->bh_owner) != ino ||
			    le64(bh->bh_blocknr) != pblk || node->dn_level)
				continue;
			used = le16(node->dn_used);
			if (used > vexfs_dir_leaf_space(fs->bs))
				used = vexfs_dir_leaf_space(fs->bs);
			while (used - off >= DE_HDR) {
				const struct vexfs_dir_entry *de =
					(const void *)(blk + BODY_OFF + off);

				if (!de->de_name_len ||
				    le16(de->de_rec_len) !=
				    VEXFS_DIR_REC_LEN(de->de_name_len) ||
				    le16(de->de_rec_len) > used - off)
					break;
				if (vexfs_dirent_find(out, de->de_name,
						      de->de_name_len) < 0)
					ret = vexfs_dirent_add(out,
						le64(de->de_hash),
						le64(de->de_ino),
						de->de_file_type, de->de_name,
						de->de_name_len, err);
				if (ret)
					break;
				off += le16(de->de_rec_len);
			}
		}
	}
	vexfs_ext_list_free(&ext);
	free(blk);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

static int cmp_hash(const void *a, const void *b)
{
	const struct vexfs_dirent *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	/* equal hashes: keep the list's order (the index is in .pos) */
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

struct dnode {
	uint32_t lblk;
	uint64_t first_hash;
	size_t first, count;		/* entries (leaves) or children */
};

static void fill_leaf(uint8_t *blk, const struct vexfs_dirent *d, size_t n,
		      uint32_t prev, uint32_t next)
{
	struct vexfs_dir_node *node = (void *)(blk + NODE_OFF);
	unsigned int off = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct vexfs_dir_entry *de = (void *)(blk + BODY_OFF + off);
		unsigned int rl = VEXFS_DIR_REC_LEN(d[i].name_len);

		de->de_hash = cpu_le64(d[i].hash);
		de->de_ino = cpu_le64(d[i].ino);
		de->de_rec_len = cpu_le16((uint16_t)rl);
		de->de_name_len = d[i].name_len;
		de->de_file_type = d[i].type;
		memcpy(de->de_name, d[i].name, d[i].name_len);
		off += rl;
	}
	node->dn_level = 0;
	node->dn_count = cpu_le16((uint16_t)n);
	node->dn_used = cpu_le16((uint16_t)off);
	node->dn_next = cpu_le32(next);
	node->dn_prev = cpu_le32(prev);
}

int vexfs_dir_build(struct vexfs_fs *fs, struct vexfs_alloc *alloc,
		    uint64_t ino, struct vexfs_inode *inode,
		    struct vexfs_dirent_list *list, uint64_t *blocks,
		    struct vexfs_err *err)
{
	uint32_t bs = fs->bs, nb = 0, imax = vexfs_dir_index_max(bs);
	struct dnode *nodes = NULL;
	size_t nnodes = 0, cap, i, lvl_first, lvl_n, nleaves;
	struct vexfs_ext_list ext = { 0 };
	uint64_t *pblk = NULL, nodes_blocks = 0;
	uint8_t *blk = NULL;
	unsigned int level;
	int ret = 0;

	*blocks = 0;
	for (i = 0; i < list->n; i++)
		list->d[i].pos = i;
	if (list->n)
		qsort(list->d, list->n, sizeof(*list->d), cmp_hash);
	if (!list->n) {
		inode->i_size = 0;
		return vexfs_extent_build(fs, alloc, ino, inode, NULL, 0,
					  blocks, err);
	}
	/* Leaves: pack records in hash order. */
	cap = list->n + 8;
	nodes = calloc(cap * 2, sizeof(*nodes));
	blk = malloc(bs);
	if (!nodes || !blk) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < list->n;) {
		struct dnode *nd = &nodes[nnodes++];
		unsigned int used = 0;

		nd->first = i;
		nd->first_hash = list->d[i].hash;
		while (i < list->n &&
		       used + VEXFS_DIR_REC_LEN(list->d[i].name_len) <= vexfs_dir_leaf_space(bs)) {
			used += VEXFS_DIR_REC_LEN(list->d[i].name_len);
			i++;
		}
		nd->count = i - nd->first;
	}
	nleaves = nnodes;
	/* Interior levels until one node is left. */
	lvl_first = 0;
	lvl_n = nleaves;
	level = 0;
	while (lvl_n > 1) {
		size_t up_first = nnodes;

		if (++level >= VEXFS_DIRTREE_MAX_DEPTH) {
			ret = vexfs_errf(err, EFBIG, "directory %llu: tree too deep",
					 (unsigned long long)ino);
			goto out;
		}
		for (i = 0; i < lvl_n; i += imax) {
			struct dnode *nd = &nodes[nnodes++];

			nd->first = lvl_first + i;
			nd->count = lvl_n - i < imax ? lvl_n - i : imax;
			nd->first_hash = nodes[nd->first].first_hash;
		}
		lvl_first = up_first;
		lvl_n = nnodes - up_first;
	}
	/* Logical blocks: the root is 0, then the others in order. */
	nodes[nnodes - 1].lblk = 0;
	for (i = 0; i + 1 < nnodes; i++)
		nodes[i].lblk = (uint32_t)(i + 1);
	nb = (uint32_t)nnodes;
	pblk = calloc(nb, sizeof(*pblk));
	if (!pblk) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	/* Physical blocks, in as few runs as the allocator gives. */
	for (i = 0; i < nb;) {
		uint64_t start, got, want = nb - i, k;
		struct vexfs_ext e;

		if (want > VEXFS_EXT_MAX_LEN)
			want = VEXFS_EXT_MAX_LEN;
		if (vexfs_alloc_blocks(alloc, want, &start, &got)) {
			ret = vexfs_errf(err, ENOSPC,
					 "directory %llu: no space for its blocks",
					 (unsigned long long)ino);
			goto out;
		}
		e.lblk = (uint32_t)i;
		e.len = (uint32_t)got;
		e.pblk = start;
		e.flags = 0;
		ret = vexfs_ext_list_add(&ext, &e, err);
		if (ret)
			goto out;
		for (k = 0; k < got; k++)
			pblk[i + k] = start + k;
		i += got;
	}
	for (i = 0; i < nnodes; i++) {
		struct dnode *nd = &nodes[i];
		uint32_t lb = nd->lblk;

		vexfs_meta_block_init(blk, bs, VEXFS_DIRTREE_MAGIC, pblk[lb], ino);
		if (i < nleaves) {
			fill_leaf(blk, &list->d[nd->first], nd->count,
				  i ? nodes[i - 1].lblk : 0,
				  i + 1 < nleaves ? nodes[i + 1].lblk : 0);
		} else {
			struct vexfs_dir_node *node = (void *)(blk + NODE_OFF);
			struct vexfs_dir_index *idx = (void *)(blk + BODY_OFF);
			size_t c;

			for (c = 0; c < nd->count; c++) {
				idx[c].di_hash = cpu_le64(nodes[nd->first + c].first_hash);
				idx[c].di_child = cpu_le32(nodes[nd->first + c].lblk);
			}
			node->dn_count = cpu_le16((uint16_t)nd->count);
			/* the level: how many interior levels are below */
			level = 1;
			for (c = nd->first; c >= nleaves; c = nodes[c].first)
				level++;
			node->dn_level = cpu_le16((uint16_t)level);
		}
		vexfs_meta_block_seal(fs->seed, blk, bs);
		ret = vexfs_write_block(&fs->dev, pblk[lb], blk, err);
		if (ret)
			goto out;
	}
	ret = vexfs_extent_build(fs, alloc, ino, inode, ext.e, ext.n,
				 &nodes_blocks, err);
	if (ret)
		goto out;
	inode->i_size = cpu_le64((uint64_t)nb * bs);
	*blocks = nb + nodes_blocks;
out:
	vexfs_ext_list_free(&ext);
	free(pblk);
	free(nodes);
	free(blk);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */
/* ------------------------------------------------------------------ */

struct lookup {
	const char *name;
	size_t len;
	uint64_t ino;
};

static int lookup_cb(void *priv, const struct vexfs_dir_entry *de,
		     uint32_t lblk)
{
	struct lookup *l = priv;

	(void)lblk;
	if (de->de_name_len == l->len && !memcmp(de->de_name, l->name, l->len)) {
		l->ino = le64(de->de_ino);
		return 1;
	}
	return 0;
}

static void lookup_bad(void *priv, uint32_t lblk, const char *why)
{
	(void)priv;
	(void)lblk;
	(void)why;
}

int vexfs_lookup(struct vexfs_fs *fs, const char *path, uint64_t *ino,
		 struct vexfs_err *err)
{
	struct vexfs_dir_visitor v = { .bad = lookup_bad, .entry = lookup_cb };
	uint64_t cur = VEXFS_ROOT_INO;
	const char *p = path;
	int ret;

	while (*p) {
		struct vexfs_inode inode;
		struct lookup l = { 0 };

		while (*p == '/')
			p++;
		if (!*p)
			break;
		l.name = p;
		l.len = strcspn(p, "/");
		p += l.len;
		ret = vexfs_inode_read(fs, cur, &inode, err);
		if (ret)
			return ret;
		if ((le16(inode.i_mode) & 0170000) != 0040000)
			return vexfs_errf(err, ENOTDIR, "%s: not a directory",
					  path);
		v.priv = &l;
		ret = vexfs_dir_walk(fs, cur, &inode, &v, err);
		if (ret < 0)
			return ret;
		if (!l.ino)
			return vexfs_errf(err, ENOENT, "%s: not found", path);
		cur = l.ino;
	}
	*ino = cur;
	return 0;
}
