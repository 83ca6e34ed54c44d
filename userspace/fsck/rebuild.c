// SPDX-License-Identifier: GPL-2.0
/*
 * rebuild.c - pass 6B: the vector-index rebuild.  Builds anew, from the
 * store, each index that pass 6 condemned or that -E rebuild-index asks
 * for, into blocks that pass 5 then accounts for.
 */
#include <errno.h>
#include <stdlib.h>

#include "fsck.h"
#include "vexfs_hnsw.h"

struct vstore {
	struct check *c;
	const struct vcoll *vc;
	struct vexfs_ext_list map;
	uint8_t *img;
};

/* vexfs_vindex_vec_fn over a store: the used slots that verify. */
static int vstore_vec(void *priv, uint64_t slot, uint32_t *vec)
{
	struct vstore *st = priv;
	const struct vexfs_coll_geom *g = &st->vc->g;
	const struct vexfs_vec_slot *hdr = (const void *)st->img;
	uint32_t dim = le16(st->vc->d.c_dim), i;
	uint64_t lblk;
	uint32_t off;

	vexfs_slot_pos(g, slot, &lblk, &off);
	if (vec_io(st->c, &st->map, lblk * st->c->fs.bs + off, st->img,
		   g->slot_size, false))
		return -EIO;
	if (!hdr->vs_ino || le32(hdr->vs_checksum) !=
	    vexfs_slot_csum(st->c->fs.seed, st->img, g->slot_size))
		return 0;
	for (i = 0; i < dim; i++)
		vec[i] = le32(hdr->vs_data[i]);
	return 1;
}

/* Mark @id's index for the kernel to rebuild, as the last resort. */
static void vec_index_dirty(struct check *c, uint32_t id, const char *why)
{
	struct vcoll *vc = &c->vec->colls[id - 1];

	out(c, "%s: collection %u: cannot rebuild the index (%s); the kernel will rebuild it at mount\n",
	    c->name, id, why);
	vc->d.c_flags = cpu_le32(le32(vc->d.c_flags) | VEXFS_COLL_INDEX_DIRTY);
	vec_write_desc(c, id);
}

static void vec_rebuild_index(struct check *c, uint32_t id)
{
	struct vcoll *vc = &c->vec->colls[id - 1];
	struct vexfs_collection *d = &vc->d;
	uint64_t ino = le64(d->c_index_ino), store = le64(d->c_store_ino);
	struct vstore st = { .c = c, .vc = vc };
	struct vexfs_vindex_params p = {
		.dim = le16(d->c_dim), .metric = d->c_metric,
		.m = le16(d->c_hnsw_m) ? le16(d->c_hnsw_m) : HNSW_DEFAULT_M,
		.ef_construction = le16(d->c_hnsw_ef_construction) ?
			le16(d->c_hnsw_ef_construction) :
			HNSW_DEFAULT_EF_CONSTRUCTION,
		.seed = vc->old_hdr ? vc->old_seed :
			vexfs_vindex_seed(c->fs.seed, id),
		.epoch = vc->old_hdr && vc->old_epoch != UINT32_MAX ?
			 vc->old_epoch + 1 : 1,
	};
	struct vexfs_inode inode, sinode;
	struct vexfs_err err;
	int ret;

	if (p.metric != VEXFS_METRIC_L2) {
		if (ino)
			vec_index_dirty(c, id, "only l2 indexes can be built offline");
		return;
	}
	if (read_inode(c, store, &sinode))
		return;
	ret = vexfs_extent_list(&c->fs, store, &sinode, &st.map, &err);
	if (ret) {
		if (ino)
			vec_index_dirty(c, id, err.msg);
		return;
	}
	st.img = malloc(vc->g.slot_size);
	p.nslots = le64(d->c_slots);
	if (p.nslots > vexfs_store_capacity(&vc->g, le64(sinode.i_size) / c->fs.bs))
		p.nslots = vexfs_store_capacity(&vc->g,
						le64(sinode.i_size) / c->fs.bs);
	if (!ino) {
		/* -E rebuild-index on a collection without one: a new inode */
		ino = vec_new_store(c, le64(d->c_root_ino));
		if (!ino)
			goto out;
		d->c_index_ino = cpu_le64(ino);
		c->fs.sb.s_feature_ro_compat =
			cpu_le32(le32(c->fs.sb.s_feature_ro_compat) |
				 VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX);
		c->sb_dirty = true;
	}
	if (!st.img || read_inode(c, ino, &inode)) {
		vec_index_dirty(c, id, "out of memory");
		goto out;
	}
	ret = vexfs_vindex_build(&c->fs, &c->alloc, ino, &inode, &p,
				 vstore_vec, &st, &err);
	if (ret) {
		vec_index_dirty(c, id, err.msg);
		goto out;
	}
	note_freed(c, ino);		/* the old blocks, before the new inode */
	write_inode(c, ino, &inode);
	c->ii[ino].size = le64(inode.i_size);
	d->c_flags = cpu_le32(le32(d->c_flags) & ~VEXFS_COLL_INDEX_DIRTY);
	vec_write_desc(c, id);
	if (c->opts->verbose)
		out(c, "%s: collection %u: index rebuilt (epoch %u)\n", c->name,
		    id, p.epoch);
out:
	vexfs_ext_list_free(&st.map);
	free(st.img);
}

/*
 * Pass 6B, after pass 4 (which may still free slots, see vec_forget()):
 * rebuild the indexes pass 6 found wrong, from the stores as the repairs
 * left them.  Before pass 5, which counts the new blocks.
 */
void vec_rebuild_indexes(struct check *c)
{
	struct vcheck *v = c->vec;
	bool any = false;
	uint32_t id;

	if (!v || !v->ready || !can_write(c))
		return;
	for (id = 1; id <= v->ndesc; id++) {
		struct vcoll *vc = &v->colls[id - 1];

		if (vc->state != VC_LIVE)
			continue;
		if (c->opts->rebuild_index)
			vc->rebuild = true;
		if (!vc->rebuild)
			continue;
		if (!any && c->opts->mode != VEXFS_CHECK_PREEN)
			out(c, "Pass 6B: Rebuilding vector indexes\n");
		any = true;
		vec_rebuild_index(c, id);
	}
}
