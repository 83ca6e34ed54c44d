// SPDX-License-Identifier: GPL-2.0
/*
 * vindex.c - the ANN index inode of a vector collection: its geometry,
 * its record checksums, and an offline build (fsck's repair, mkfs -d).
 *
 * The layout is include/vexfs_format.h's "Vector index (HNSW)": a header
 * block, the quantizer, one node record per store slot addressed by
 * arithmetic, and upper-level records from VEXFS_VINDEX_UPPER_LBLK.  The
 * build runs the index core (common/hnsw.c) over in-memory storage
 * (hnsw_mem.c), then lays the graph out in that format in freshly
 * allocated blocks.  Documented in libvexfs.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"
#include "hnsw_mem.h"

int vexfs_vindex_geom(struct vexfs_vindex_geom *g, uint32_t bs, uint32_t dim,
		      uint32_t m)
{
	memset(g, 0, sizeof(*g));
	if (!dim || dim > VEXFS_MAX_DIM || m < HNSW_MIN_M || m > HNSW_MAX_M)
		return -EINVAL;
	g->bs = bs;
	g->dim = dim;
	g->m = m;
	g->code_bytes = (dim + 3) & ~3U;
	g->node_size = (uint32_t)VEXFS_VINDEX_NODE_SIZE(dim, m);
	g->upper_size = (uint32_t)VEXFS_VINDEX_UPPER_SIZE(m);
	g->q_blocks = (uint32_t)(((uint64_t)dim * 8 + bs - 1) / bs);
	g->node_start = 1 + g->q_blocks;
	g->per_block_u = bs / g->upper_size;
	if (g->node_size > bs)
		return -EFBIG;	/* the kernel does not index it either */
	g->per_block = bs / g->node_size;
	g->max_slots = (uint64_t)(VEXFS_VINDEX_UPPER_LBLK - g->node_start) *
		       g->per_block;
	if (g->max_slots > UINT32_MAX)
		g->max_slots = UINT32_MAX;
	return 0;
}

void vexfs_vindex_node_pos(const struct vexfs_vindex_geom *g, uint64_t slot,
			   uint64_t *lblk, uint32_t *off)
{
	*lblk = g->node_start + (slot - 1) / g->per_block;
	*off = (uint32_t)((slot - 1) % g->per_block) * g->node_size;
}

void vexfs_vindex_upper_pos(const struct vexfs_vindex_geom *g, uint64_t rec,
			    uint64_t *lblk, uint32_t *off)
{
	*lblk = VEXFS_VINDEX_UPPER_LBLK + (rec - 1) / g->per_block_u;
	*off = (uint32_t)((rec - 1) % g->per_block_u) * g->upper_size;
}

uint64_t vexfs_vindex_seed(uint32_t fs_seed, uint32_t coll_id)
{
	return 0x9e3779b97f4a7c15ULL ^ ((uint64_t)fs_seed << 32 | coll_id);
}

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

struct vbuild {
	struct vexfs_fs *fs;
	const struct vexfs_vindex_params *prm;
	struct vexfs_vindex_geom g;
	struct hnsw_mem hm;
	uint64_t upper_total;		/* upper records: sum of the levels */
	uint64_t node_blocks, upper_blocks;
	struct vexfs_ext_list map;	/* the new blocks */
	uint8_t *blk;
};

/* Train on every vector, then insert them in slot order. */
static int vb_graph(struct vbuild *b, vexfs_vindex_vec_fn vec, void *priv,
		    struct vexfs_err *err)
{
	const struct vexfs_vindex_params *p = b->prm;
	uint32_t *v = malloc((size_t)p->dim * 4);
	uint64_t s;
	int ret, pass;

	if (!v)
		return vexfs_errf(err, ENOMEM, "out of memory");
	hnsw_train_begin(&b->hm.ix);
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			hnsw_train_end(&b->hm.ix);
		for (s = 1; s <= p->nslots; s++) {
			ret = vec(priv, s, v);
			if (ret < 0) {
				ret = vexfs_errf(err, -ret,
						 "cannot read vector slot %llu",
						 (unsigned long long)s);
				goto out;
			}
			if (!ret)
				continue;
			if (!pass) {
				hnsw_train_add(&b->hm.ix, v);
				continue;
			}
			ret = hnsw_insert(&b->hm.ix, (uint32_t)s, v,
					  b->hm.scratch);
			if (ret) {
				ret = vexfs_errf(err, -ret,
						 "cannot index vector slot %llu",
						 (unsigned long long)s);
				goto out;
			}
		}
	}
	ret = 0;
out:
	free(v);
	return ret;
}

/* Allocate @n blocks from logical block @lblk on. */
static int vb_alloc(struct vbuild *b, struct vexfs_alloc *alloc,
		    uint64_t lblk, uint64_t n, struct vexfs_err *err)
{
	while (n) {
		uint64_t start, got, want = n < VEXFS_EXT_MAX_LEN ? n :
					    VEXFS_EXT_MAX_LEN;
		struct vexfs_ext e;
		int ret;

		if (vexfs_alloc_blocks(alloc, want, &start, &got))
			return vexfs_errf(err, ENOSPC,
					  "no space left for the index");
		e = (struct vexfs_ext){ .lblk = (uint32_t)lblk,
					.len = (uint32_t)got, .pblk = start };
		ret = vexfs_ext_list_add(&b->map, &e, err);
		if (ret) {
			vexfs_alloc_free(alloc, start, got);
			return ret;
		}
		lblk += got;
		n -= got;
	}
	return 0;
}

static int vb_write(struct vbuild *b, uint64_t lblk, struct vexfs_err *err)
{
	return vexfs_write_block(&b->fs->dev,
				 vexfs_ext_list_map(&b->map, (uint32_t)lblk),
				 b->blk, err);
}

static void vb_header(struct vbuild *b, uint64_t ino, const uint8_t *q)
{
	const struct vexfs_vindex_params *p = b->prm;
	struct vexfs_vindex_header *vh = (void *)b->blk;
	const struct hnsw_index *ix = &b->hm.ix;
	uint32_t bs = b->fs->bs;

	vexfs_meta_block_init(b->blk, bs, VEXFS_VINDEX_MAGIC,
			      vexfs_ext_list_map(&b->map, 0), ino);
	vh->vh_version = cpu_le32(VEXFS_VINDEX_VERSION);
	vh->vh_dim = cpu_le32(p->dim);
	vh->vh_metric = (uint8_t)p->metric;
	vh->vh_trained = 1;
	vh->vh_m = cpu_le16((uint16_t)p->m);
	vh->vh_ef_construction = cpu_le16((uint16_t)p->ef_construction);
	vh->vh_node_size = cpu_le16((uint16_t)b->g.node_size);
	vh->vh_upper_size = cpu_le16((uint16_t)b->g.upper_size);
	vh->vh_max_level = cpu_le16((uint16_t)ix->max_level);
	vh->vh_epoch = cpu_le32(p->epoch);
	vh->vh_seed = cpu_le64(p->seed);
	vh->vh_q_exp = cpu_le32((uint32_t)ix->q_exp);
	vh->vh_q_blocks = cpu_le32(b->g.q_blocks);
	vh->vh_q_step = cpu_le64(ix->q_step);
	vh->vh_entry = cpu_le32(ix->entry);
	vh->vh_node_start = cpu_le32(b->g.node_start);
	vh->vh_upper_used = cpu_le32((uint32_t)b->upper_total);
	vh->vh_q_checksum = cpu_le32(vexfs_crc32c(b->fs->seed, q,
						  (size_t)p->dim * 8));
	vh->vh_live = cpu_le64(ix->live);
	vh->vh_deleted = cpu_le64(ix->deleted);
	vh->vh_slots = cpu_le64(p->nslots);
	vexfs_meta_block_seal(b->fs->seed, b->blk, bs);
}

/* One node record of slot @s at @rec; *@next_upper: its first upper. */
static void vb_node(struct vbuild *b, uint32_t s, uint8_t *rec,
		    uint64_t *next_upper)
{
	struct vexfs_vindex_node *vn = (void *)rec;
	const u32 *l0 = hnsw_mem_links0(&b->hm, s);
	__le32 *links = (void *)(rec + sizeof(*vn) + b->g.code_bytes);
	uint8_t level = b->hm.info[s].level;
	uint32_t i;

	vn->vn_epoch = cpu_le32(b->prm->epoch);
	vn->vn_level = level;
	vn->vn_flags = b->hm.info[s].flags & HNSW_NODE_DELETED ?
		       VEXFS_VNODE_DELETED : 0;
	vn->vn_count = cpu_le16((uint16_t)l0[0]);
	if (level) {
		vn->vn_upper = cpu_le32((uint32_t)*next_upper);
		*next_upper += level;
	}
	memcpy(rec + sizeof(*vn), hnsw_mem_code(&b->hm, s), b->g.dim);
	for (i = 0; i < l0[0]; i++)
		links[i] = cpu_le32(l0[1 + i]);
	vn->vn_checksum = cpu_le32(vexfs_vindex_rec_csum(b->fs->seed, rec,
							 b->g.node_size));
}

static int vb_write_all(struct vbuild *b, uint64_t ino, struct vexfs_err *err)
{
	const struct vexfs_vindex_params *p = b->prm;
	const struct vexfs_vindex_geom *g = &b->g;
	uint32_t bs = b->fs->bs, m = p->m, s, i, lev;
	uint64_t k, next = 1, r, rblk;
	uint8_t *q = calloc(g->q_blocks, bs);
	int ret = 0;

	if (!q)
		return vexfs_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < p->dim; i++) {
		uint64_t x = (uint64_t)b->hm.q_lo[i];

		x = htole64(x);
		memcpy(q + (size_t)i * 8, &x, 8);
	}
	for (k = 0; k < g->q_blocks && !ret; k++) {
		memcpy(b->blk, q + k * bs, bs);
		ret = vb_write(b, 1 + k, err);
	}
	vb_header(b, ino, q);
	free(q);
	if (!ret)
		ret = vb_write(b, 0, err);
	/* node records; upper records are numbered in slot order */
	for (k = 0; k < b->node_blocks && !ret; k++) {
		memset(b->blk, 0, bs);
		for (i = 0; i < g->per_block; i++) {
			uint64_t slot = k * g->per_block + i + 1;

			if (slot > p->nslots)
				break;
			s = (uint32_t)slot;
			if (b->hm.info[s].level == 0xff)
				continue;
			vb_node(b, s, b->blk + (size_t)i * g->node_size, &next);
		}
		ret = vb_write(b, g->node_start + k, err);
	}
	/* upper records, in the same order */
	memset(b->blk, 0, bs);
	r = 0;
	rblk = 0;
	for (s = 1; s <= p->nslots && !ret; s++) {
		uint8_t level = b->hm.info[s].level;

		if (level == 0xff)
			continue;
		for (lev = 1; lev <= level && !ret; lev++) {
			const u32 *l = b->hm.upper[s] + (size_t)(lev - 1) * (m + 1);
			uint8_t *rec = b->blk + (r % g->per_block_u) * g->upper_size;
			struct vexfs_vindex_upper *vu = (void *)rec;
			__le32 *links = (void *)(vu + 1);

			vu->vu_epoch = cpu_le32(p->epoch);
			vu->vu_slot = cpu_le32(s);
			vu->vu_level = (uint8_t)lev;
			vu->vu_count = cpu_le16((uint16_t)l[0]);
			for (i = 0; i < l[0]; i++)
				links[i] = cpu_le32(l[1 + i]);
			vu->vu_checksum =
				cpu_le32(vexfs_vindex_rec_csum(b->fs->seed, rec,
							       g->upper_size));
			if (++r % g->per_block_u == 0) {
				ret = vb_write(b, VEXFS_VINDEX_UPPER_LBLK + rblk++,
					       err);
				memset(b->blk, 0, bs);
			}
		}
	}
	if (!ret && r % g->per_block_u)
		ret = vb_write(b, VEXFS_VINDEX_UPPER_LBLK + rblk, err);
	return ret;
}

int vexfs_vindex_build(struct vexfs_fs *fs, struct vexfs_alloc *alloc,
		       uint64_t ino, struct vexfs_inode *inode,
		       const struct vexfs_vindex_params *p,
		       vexfs_vindex_vec_fn vec, void *priv,
		       struct vexfs_err *err)
{
	struct vbuild b = { .fs = fs, .prm = p };
	uint64_t nodes = 0, last;
	size_t k;
	int ret;

	if (p->metric != VEXFS_METRIC_L2)
		return vexfs_errf(err, EOPNOTSUPP,
				  "the index core supports only the l2 metric");
	ret = vexfs_vindex_geom(&b.g, fs->bs, p->dim, p->m);
	if (ret == -EFBIG)
		return vexfs_errf(err, EFBIG,
				  "a node record (%llu bytes) would exceed a block",
				  (unsigned long long)VEXFS_VINDEX_NODE_SIZE(p->dim, p->m));
	if (ret || !p->epoch || !p->ef_construction ||
	    p->ef_construction > HNSW_MAX_EF)
		return vexfs_errf(err, EINVAL, "bad index parameters");
	if (p->nslots > b.g.max_slots)
		return vexfs_errf(err, EFBIG, "too many slots for an index");
	ret = hnsw_mem_create(&b.hm, p->dim, p->m, p->ef_construction,
			      p->seed, (uint32_t)p->nslots, NULL,
			      p->ef_construction);
	if (ret)
		return vexfs_errf(err, -ret, "cannot set up the index: %s",
				  ret == -ENOMEM ? "out of memory" :
				  "bad parameters");
	b.blk = malloc(fs->bs);
	if (!b.blk) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	ret = vb_graph(&b, vec, priv, err);
	if (ret)
		goto out;
	b.upper_total = hnsw_mem_upper_lists(&b.hm);
	if (b.upper_total > UINT32_MAX) {
		ret = vexfs_errf(err, EFBIG, "too many upper-level lists");
		goto out;
	}
	b.node_blocks = (p->nslots + b.g.per_block - 1) / b.g.per_block;
	b.upper_blocks = (b.upper_total + b.g.per_block_u - 1) /
			 b.g.per_block_u;
	ret = vb_alloc(&b, alloc, 0, b.g.node_start + b.node_blocks, err);
	if (!ret && b.upper_blocks)
		ret = vb_alloc(&b, alloc, VEXFS_VINDEX_UPPER_LBLK,
			       b.upper_blocks, err);
	if (!ret)
		ret = vexfs_extent_build(fs, alloc, ino, inode, b.map.e, b.map.n,
					 &nodes, err);
	if (ret) {
		for (k = 0; k < b.map.n; k++)
			vexfs_alloc_free(alloc, b.map.e[k].pblk, b.map.e[k].len);
		goto out;
	}
	ret = vb_write_all(&b, ino, err);
	if (ret)
		goto out;
	last = b.upper_blocks ? VEXFS_VINDEX_UPPER_LBLK + b.upper_blocks :
				b.g.node_start + b.node_blocks;
	inode->i_size = cpu_le64(last * fs->bs);
	inode->i_blocks = cpu_le64(b.g.node_start + b.node_blocks +
				   b.upper_blocks + nodes);
out:
	vexfs_ext_list_free(&b.map);
	hnsw_mem_destroy(&b.hm);
	free(b.blk);
	return ret;
}
