// SPDX-License-Identifier: GPL-2.0
/*
 * pass6.c - pass 6: vector collections: the table, the descriptors, the
 * stores and every inode's membership and embedding.  It runs between
 * passes 3 and 4 (see below); index.c checks the ANN indexes and
 * rebuild.c rebuilds them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fsck.h"
#include "vexfs_hnsw.h"

/*
 * Pass 6 runs after pass 3 and before pass 4, although it is numbered
 * after the passes it does not depend on:
 *  - it needs pass 2 and 3's view of the tree (which directory holds
 *    each inode, settled by the reconnections of pass 3) to check that
 *    membership is inherited from the parent directory;
 *  - pass 4 counts the references to hidden inodes, and the collections
 *    table names the vector stores and indexes: it must count them as
 *    this pass leaves them, so that the store of a collection removed here
 *    is cleared there as unused, and a store made anew here is kept.
 * Two things pass 4 does later are accounted for: a file it clears gives
 * its slot back (vec_forget()), and a file it reconnects to /lost+found
 * keeps its collection and embedding (a file in /lost+found may be in any
 * collection, so that mv, which copies across collections, can bring the
 * embedding back through user.vexfs.embedding).
 *
 * Repairs never remove a file.  A collection whose descriptor is unusable
 * is removed; its files stay where they are, in no collection, without
 * their embeddings.  An embedding that does not verify is dropped (its
 * slot freed, the file's i_vec_slot cleared).  An inode naming a
 * collection that does not exist, or not the collection of its directory,
 * is moved to its directory's collection, as the kernel would have made
 * it, losing its embedding.  With -n, a collection whose descriptor is
 * left broken is not looked into further, so that one problem is not
 * reported once per file.
 */

void vec_release(struct check *c)
{
	struct vcheck *v = c->vec;

	if (!v)
		return;
	vexfs_ext_list_free(&v->tmap);
	for (uint32_t i = 0; v->colls && i < v->ndesc; i++)
		free(v->colls[i].used);
	free(v->colls);
	free(v->coll);
	free(v->slot);
	free(v->gen);
	free(v->rootof);
	free(v->moved);
	free(v->mslot);
	free(v->done);
	free(v->claims);
	free(v->img);
	free(v);
	c->vec = NULL;
}

static bool vec_live(const struct vcheck *v, uint32_t id)
{
	return id && id <= v->ndesc && v->colls[id - 1].state == VC_LIVE;
}

static bool vec_kept(const struct vcheck *v, uint32_t id)
{
	return id && id <= v->ndesc && v->colls[id - 1].state == VC_KEPT;
}

/* The physical block of @lblk, 0 for a hole or an unwritten extent. */
uint64_t vec_map(const struct vexfs_ext_list *l, uint64_t lblk)
{
	size_t lo = 0, hi = l->n;

	if (lblk > VEXFS_MAX_LBLK)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vexfs_ext *e = &l->e[mid];

		if (lblk < e->lblk)
			hi = mid;
		else if (lblk - e->lblk >= e->len)
			lo = mid + 1;
		else
			return (e->flags & VEXFS_EXT_UNWRITTEN) ? 0 :
			       e->pblk + (lblk - e->lblk);
	}
	return 0;
}

/* Read or zero @len bytes at byte @pos of a file mapped by @l. */
int vec_io(struct check *c, const struct vexfs_ext_list *l,
	   uint64_t pos, void *buf, uint32_t len, bool zero)
{
	uint8_t *p = buf;
	struct vexfs_err err;

	while (len) {
		uint64_t pblk = vec_map(l, pos / c->fs.bs);
		uint32_t off = (uint32_t)(pos % c->fs.bs);
		uint32_t n = c->fs.bs - off < len ? c->fs.bs - off : len;

		if (zero) {
			if (pblk && can_write(c)) {
				memset(c->blk, 0, n);
				if (vexfs_dev_write(&c->fs.dev, pblk * c->fs.bs + off,
						    c->blk, n, &err)) {
					out(c, "%s: %s\n", c->name, err.msg);
					c->uncorrected = true;
					return -1;
				}
				c->modified = true;
			}
		} else if (!pblk) {
			memset(p, 0, n);
		} else if (vexfs_dev_read(&c->fs.dev, pblk * c->fs.bs + off, p,
					  n, &err)) {
			out(c, "%s: %s\n", c->name, err.msg);
			c->uncorrected = true;
			return -1;
		}
		if (!zero)
			p += n;
		pos += n;
		len -= n;
	}
	return 0;
}

/* Write descriptor @id back to the table, with a fresh checksum. */
void vec_write_desc(struct check *c, uint32_t id)
{
	struct vcheck *v = c->vec;
	struct vcoll *vc = &v->colls[id - 1];
	uint64_t pos = (uint64_t)(id - 1) * sizeof(vc->d);
	uint64_t pblk = vec_map(&v->tmap, pos / c->fs.bs);
	struct vexfs_err err;

	vc->dirty = false;
	if (vc->d.c_id)
		vc->d.c_checksum = cpu_le32(vexfs_desc_csum(c->fs.seed, &vc->d));
	if (!can_write(c))
		return;
	if (!pblk) {
		out(c, "%s: collection %u: its descriptor is in a hole of the table\n",
		    c->name, id);
		c->uncorrected = true;
		return;
	}
	if (vexfs_dev_write(&c->fs.dev, pblk * c->fs.bs + pos % c->fs.bs,
			    &vc->d, sizeof(vc->d), &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
}

/* Set an inode's collection and slot on disk and in the pass's view. */
static void vec_set_inode(struct check *c, uint64_t ino, uint32_t coll,
			  uint64_t slot)
{
	struct vexfs_inode inode;

	c->vec->coll[ino] = coll;
	c->vec->slot[ino] = slot;
	if (!can_write(c) || read_inode(c, ino, &inode))
		return;
	inode.i_collection = cpu_le32(coll);
	inode.i_vec_slot = cpu_le64(slot);
	write_inode(c, ino, &inode);
}

/* The collection fields of every inode in use. */
static int vec_scan_inodes(struct check *c, struct vexfs_err *err)
{
	struct vcheck *v = c->vec;
	uint64_t ipb = c->fs.bs / VEXFS_INODE_SIZE;
	uint64_t start = le64(c->fs.sb.s_inode_table_start);
	uint64_t nblocks = (c->ninodes + ipb - 1) / ipb, k, i;
	struct vexfs_inode *table = (void *)c->blk;
	int ret;

	for (k = 0; k < nblocks; k++) {
		ret = vexfs_read_block(&c->fs.dev, start + k, table, err);
		if (ret)
			return ret;
		for (i = 0; i < ipb; i++) {
			uint64_t ino = k * ipb + i;

			if (ino >= c->ninodes || c->ii[ino].state != IS_USED)
				continue;
			v->coll[ino] = le32(table[i].i_collection);
			v->slot[ino] = le64(table[i].i_vec_slot);
			v->gen[ino] = le32(table[i].i_generation);
		}
	}
	return 0;
}

static bool vec_hidden_reg(struct check *c, uint64_t ino)
{
	return ino >= VEXFS_FIRST_INO && ino < c->ninodes &&
	       c->ii[ino].state == IS_USED && S_ISREG(c->ii[ino].mode) &&
	       (c->ii[ino].flags & VEXFS_INODE_HIDDEN);
}

/* The superblock's view: the feature, the table inode and its size. */
static int vec_table(struct check *c, struct vexfs_err *err)
{
	struct vcheck *v = c->vec;
	struct vexfs_super_block *sb = &c->fs.sb;
	const uint64_t dsize = sizeof(struct vexfs_collection);
	uint32_t ro = le32(sb->s_feature_ro_compat);
	uint64_t table = le64(sb->s_collections_ino), size;
	struct vexfs_inode inode;
	const char *why = NULL;
	uint32_t i;
	int ret;

	if (table && !vec_hidden_reg(c, table))
		why = table < VEXFS_FIRST_INO || table >= c->ninodes ?
		      "out of range" : c->ii[table].state != IS_USED ?
		      "not in use" : "not a hidden regular file";
	if (why) {
		if (!fix_problem(c, PR_6_TABLE_BAD, (unsigned long long)table,
				 why))
			return 1;	/* nothing more can be checked */
		sb->s_collections_ino = 0;
		sb->s_collections_count = 0;
		ro &= ~VEXFS_FEATURE_RO_COMPAT_COLLECTIONS;
		sb->s_feature_ro_compat = cpu_le32(ro);
		c->sb_dirty = true;
		v->table_dropped = true;
		table = 0;
	}
	if (table && !(ro & VEXFS_FEATURE_RO_COMPAT_COLLECTIONS) &&
	    fix_problem(c, PR_6_SB_FEATURE, (unsigned long long)table)) {
		sb->s_feature_ro_compat =
			cpu_le32(ro | VEXFS_FEATURE_RO_COMPAT_COLLECTIONS);
		c->sb_dirty = true;
	}
	if (!table && (ro & VEXFS_FEATURE_RO_COMPAT_COLLECTIONS) &&
	    fix_problem(c, PR_6_SB_NO_TABLE)) {
		sb->s_feature_ro_compat =
			cpu_le32(ro & ~VEXFS_FEATURE_RO_COMPAT_COLLECTIONS);
		c->sb_dirty = true;
	}
	v->table = table;
	if (!table)
		return 0;
	if (c->ii[table].parent != VEXFS_ROOT_INO &&
	    fix_problem(c, PR_6_TABLE_PARENT, (unsigned long long)table,
			(unsigned long long)c->ii[table].parent, VEXFS_ROOT_INO))
		set_parent(c, table, VEXFS_ROOT_INO);
	if (read_inode(c, table, &inode))
		return 1;
	size = le64(inode.i_size);
	if ((size % dsize || size > VEXFS_MAX_COLLECTIONS * dsize) &&
	    fix_problem(c, PR_6_TABLE_SIZE, (unsigned long long)table,
			(unsigned long long)size, VEXFS_MAX_COLLECTIONS)) {
		if (size > VEXFS_MAX_COLLECTIONS * dsize)
			size = VEXFS_MAX_COLLECTIONS * dsize;
		size -= size % dsize;
		inode.i_size = cpu_le64(size);
		c->ii[table].size = size;
		write_inode(c, table, &inode);
	}
	if (size > VEXFS_MAX_COLLECTIONS * dsize)
		size = VEXFS_MAX_COLLECTIONS * dsize;
	v->ndesc = (uint32_t)(size / dsize);
	ret = vexfs_extent_list(&c->fs, table, &inode, &v->tmap, err);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		/* pass 1 reported the tree (-n left it): nothing to read */
		err->msg[0] = '\0';
		c->uncorrected = true;
		return 1;
	}
	v->colls = calloc(v->ndesc ? v->ndesc : 1, sizeof(*v->colls));
	if (!v->colls)
		return vexfs_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < v->ndesc; i++)
		if (vec_io(c, &v->tmap, i * dsize, &v->colls[i].d,
			   (uint32_t)dsize, false))
			return 1;
	return 0;
}

/* Why a descriptor cannot be used as it is, or NULL. */
static const char *vec_desc_insanity(struct check *c, uint32_t id,
				     const struct vexfs_collection *d)
{
	struct vcheck *v = c->vec;
	uint64_t root = le64(d->c_root_ino);
	const char *why = vexfs_coll_desc_check(d, id, c->ninodes);
	uint32_t k;

	if (why)
		return why;
	if (c->ii[root].state != IS_USED || !S_ISDIR(c->ii[root].mode) ||
	    (c->ii[root].flags & VEXFS_INODE_HIDDEN))
		return "its root is not a directory in use";
	for (k = 1; k < id; k++)
		if (v->colls[k - 1].state == VC_LIVE &&
		    le64(v->colls[k - 1].d.c_root_ino) == root)
			return "its root is another collection's";
	return NULL;
}

/* Why collection @id cannot use @ino as its store, or NULL. */
static const char *vec_store_insanity(struct check *c, uint32_t id,
				      uint64_t ino)
{
	struct vcheck *v = c->vec;
	uint32_t k;

	if (!vec_hidden_reg(c, ino))
		return ino < VEXFS_FIRST_INO || ino >= c->ninodes ?
		       "out of range" : c->ii[ino].state != IS_USED ?
		       "not in use" : "not a hidden regular file";
	if (ino == v->table)
		return "it is the collections table";
	for (k = 1; k < id; k++) {
		const struct vcoll *o = &v->colls[k - 1];

		if (o->state != VC_LIVE && o->state != VC_KEPT)
			continue;
		if (le64(o->d.c_store_ino) == ino ||
		    le64(o->d.c_index_ino) == ino)
			return "another collection uses it";
	}
	return NULL;
}

/* A new, empty hidden store for collection @id; Return: its inode or 0. */
uint64_t vec_new_store(struct check *c, uint64_t parent)
{
	struct vexfs_extent_header *eh;
	struct vexfs_inode inode;
	uint64_t ino = find_free_ino(c);
	int64_t now = (int64_t)time(NULL);

	if (!ino) {
		out(c, "%s: no free inode for a vector store\n", c->name);
		c->uncorrected = true;
		return 0;
	}
	memset(&inode, 0, sizeof(inode));
	inode.i_mode = cpu_le16(S_IFREG | 0600);
	inode.i_links_count = cpu_le16(1);
	inode.i_flags = cpu_le32(VEXFS_INODE_HIDDEN);
	inode.i_atime.sec = inode.i_mtime.sec = cpu_le64((uint64_t)now);
	inode.i_ctime.sec = inode.i_crtime.sec = cpu_le64((uint64_t)now);
	inode.i_ino = cpu_le64(ino);
	inode.i_parent = cpu_le64(parent);
	eh = (void *)inode.i_data;
	eh->eh_magic = cpu_le16(VEXFS_EXTENT_HDR_MAGIC);
	eh->eh_max = cpu_le16(VEXFS_ROOT_EXTENTS);
	write_inode(c, ino, &inode);
	vexfs_set_bit(c->inode_used, ino);
	inode_alloc_stats(c, ino, true);
	c->ii[ino] = (struct ino_info){
		.state = IS_USED, .mode = S_IFREG | 0600, .links = 1,
		.flags = VEXFS_INODE_HIDDEN, .parent = parent,
	};
	return ino;
}

/* Check descriptor @id (1-based); fields first, then the checksum. */
static void vec_check_desc(struct check *c, uint32_t id)
{
	struct vcheck *v = c->vec;
	struct vcoll *vc = &v->colls[id - 1];
	struct vexfs_collection *d = &vc->d;
	uint32_t ro = le32(c->fs.sb.s_feature_ro_compat);
	uint64_t root, store, index;
	const char *why;

	if (!d->c_id)
		return;
	why = vec_desc_insanity(c, id, d);
	if (why) {
		if (fix_problem(c, PR_6_DESC_BAD, id, why)) {
			struct vexfs_super_block *sb = &c->fs.sb;

			memset(d, 0, sizeof(*d));
			vec_write_desc(c, id);
			vc->state = VC_DROPPED;
			if (le32(sb->s_collections_count)) {
				sb->s_collections_count =
					cpu_le32(le32(sb->s_collections_count) - 1);
				c->sb_dirty = true;
			}
		} else {
			vc->state = VC_KEPT;
		}
		return;
	}
	if (le32(d->c_checksum) != vexfs_desc_csum(c->fs.seed, d)) {
		if (!fix_problem(c, PR_6_DESC_CSUM, id)) {
			vc->state = VC_KEPT;
			return;
		}
		vc->dirty = true;
	}
	vc->state = VC_LIVE;
	vexfs_coll_geom(&vc->g, c->fs.bs, le16(d->c_dim));
	root = le64(d->c_root_ino);
	v->rootof[root] = id;
	if (v->coll[root] != id) {
		if (!fix_problem(c, PR_6_ROOT_COLL, id,
				 (unsigned long long)root, v->coll[root])) {
			vc->state = VC_KEPT;
			return;
		}
		vec_set_inode(c, root, id, 0);
	}

	store = le64(d->c_store_ino);
	why = vec_store_insanity(c, id, store);
	if (why) {
		if (!fix_problem(c, PR_6_STORE_BAD, id,
				 (unsigned long long)store, why)) {
			vc->state = VC_KEPT;
		} else {
			store = can_write(c) ? vec_new_store(c, root) : 0;
			if (!store) {
				vc->state = VC_KEPT;
				return;
			}
			d->c_store_ino = cpu_le64(store);
			d->c_count = 0;
			d->c_slots = 0;
			vc->new_store = true;
			vc->dirty = true;
		}
	} else if (c->ii[store].parent != root &&
		   fix_problem(c, PR_6_STORE_PARENT, id,
			       (unsigned long long)store,
			       (unsigned long long)c->ii[store].parent,
			       (unsigned long long)root)) {
		set_parent(c, store, root);
	}

	index = le64(d->c_index_ino);
	why = NULL;
	if (index && !(ro & VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX))
		why = "the vector_index feature is not set";
	else if (index && (index < VEXFS_FIRST_INO || index >= c->ninodes ||
			   c->ii[index].state != IS_USED ||
			   !(c->ii[index].flags & VEXFS_INODE_HIDDEN)))
		why = "not a hidden inode in use";
	else if (index && !S_ISREG(c->ii[index].mode))
		why = "not a regular file";
	else if (index && (index == store || index == v->table ||
			   vec_store_insanity(c, id, index)))
		why = "it is used for something else";
	if (why && fix_problem(c, PR_6_INDEX_BAD, id,
			       (unsigned long long)index, why)) {
		d->c_index_ino = 0;
		vc->dirty = true;
	} else if (!why && index && c->ii[index].parent != root &&
		   fix_problem(c, PR_6_INDEX_PARENT, id,
			       (unsigned long long)index,
			       (unsigned long long)c->ii[index].parent,
			       (unsigned long long)root)) {
		set_parent(c, index, root);
	}
	if (vexfs_coll_tunables_check(d) &&
	    fix_problem(c, PR_6_DESC_TUNABLES, id, le16(d->c_hnsw_m),
			le16(d->c_hnsw_ef_construction))) {
		/* 0 is the default; an index built with others is rebuilt */
		d->c_hnsw_m = 0;
		d->c_hnsw_ef_construction = 0;
		vc->dirty = true;
	}
	if ((le32(d->c_flags) & ~VEXFS_COLL_FLAGS_ALL) &&
	    fix_problem(c, PR_6_DESC_FLAGS, id,
			le32(d->c_flags) & ~VEXFS_COLL_FLAGS_ALL)) {
		d->c_flags = cpu_le32(le32(d->c_flags) & VEXFS_COLL_FLAGS_ALL);
		vc->dirty = true;
	}
	if (vc->dirty)
		vec_write_desc(c, id);
}

/*
 * Is @ino where an interrupted `collection create` leaves an inode: in
 * no collection, with no embedding, below a directory the create has
 * adopted?  The kernel adopts top down, so re-running the create would
 * move it in; fsck does the same, and preen may, as e2fsck finishes an
 * interrupted truncation.
 */
static bool vec_unadopted(const struct vcheck *v, uint64_t ino, uint32_t own)
{
	return !own && !v->slot[ino];
}

/*
 * Settle the membership of inode @ino, whose parent's is settled; return
 * the collection its children inherit.
 */
static uint32_t vec_settle(struct check *c, uint64_t ino)
{
	struct vcheck *v = c->vec;
	struct ino_info *ii = &c->ii[ino];
	uint32_t own = v->coll[ino], want;
	uint64_t parent = ii->found_in;
	bool unattached = ino != VEXFS_ROOT_INO &&
			  (!parent || parent == c->lost_found);

	if (v->rootof[ino])
		want = v->rootof[ino];
	else if (ino == VEXFS_ROOT_INO)
		want = 0;
	else if (unattached)
		want = vec_live(v, own) ? own : 0;	/* no parent to follow */
	else
		want = v->coll[parent];
	if (own == want || vec_kept(v, own) || vec_kept(v, want))
		return own;
	if (own && (v->table_dropped || (own <= v->ndesc &&
				       v->colls[own - 1].state == VC_DROPPED))) {
		/* removed by this check, which said its files leave it */
	} else if (own && !vec_live(v, own)) {
		if (!fix_problem(c, PR_6_DANGLING, (unsigned long long)ino, own))
			return own;
	} else if (vec_unadopted(v, ino, own)) {
		if (!fix_problem(c, PR_6_UNADOPTED, (unsigned long long)ino,
				 want, (unsigned long long)parent))
			return own;
	} else if (!fix_problem(c, PR_6_INHERIT, (unsigned long long)ino, own,
				(unsigned long long)parent, want)) {
		return own;
	}
	/*
	 * An embedding cannot move between collections.  Its slot number is
	 * kept for now: if the slot of the new collection is this file's
	 * (only the inode's collection was damaged), the embedding stays;
	 * otherwise pass 6 drops it and frees the slot in the old one.
	 */
	v->mslot[ino] = v->slot[ino];
	if (S_ISREG(ii->mode) && v->slot[ino] && vec_live(v, want)) {
		v->moved[ino] = own ? own : UINT32_MAX;
		vec_set_inode(c, ino, want, v->slot[ino]);
	} else {
		if (S_ISREG(ii->mode) && v->slot[ino] && vec_live(v, own))
			v->moved[ino] = own;
		vec_set_inode(c, ino, want, 0);
	}
	return want;
}

/*
 * Settle @ino after the directories above it, 64 levels at a time (a
 * recursion per 64 levels).  Directories in loops are settled already.
 */
static void vec_settle_up(struct check *c, uint64_t ino)
{
	struct vcheck *v = c->vec;
	uint64_t chain[64];
	size_t n;

	while (!v->done[ino]) {
		uint64_t up = ino;

		/* climb to a settled directory or the top */
		for (n = 0; n < VEXFS_ARRAY_SIZE(chain); n++) {
			chain[n] = up;
			if (up == VEXFS_ROOT_INO || v->rootof[up] ||
			    !c->ii[up].found_in || up == c->lost_found)
				break;
			up = c->ii[up].found_in;
			if (up >= c->ninodes || v->done[up])
				break;
		}
		if (n == VEXFS_ARRAY_SIZE(chain)) {
			vec_settle_up(c, up);
			continue;
		}
		/* chain[n] has a settled parent or none; go back down */
		for (;;) {
			uint64_t x = chain[n];

			if (!v->done[x]) {
				v->coll[x] = vec_settle(c, x);
				v->done[x] = 1;
			}
			if (!n--)
				break;
		}
	}
}

/* Record that @ino claims (or releases) slot @slot in @coll. */
static int vec_add_claim(struct check *c, uint32_t coll, uint64_t ino,
			 uint64_t slot, uint8_t kind, struct vexfs_err *err)
{
	struct vcheck *v = c->vec;

	if (v->nclaims == v->claims_cap) {
		size_t cap = v->claims_cap ? v->claims_cap * 2 : 64;
		struct vclaim *n = realloc(v->claims, cap * sizeof(*n));

		if (!n)
			return vexfs_errf(err, ENOMEM, "out of memory");
		v->claims = n;
		v->claims_cap = cap;
	}
	v->claims[v->nclaims++] = (struct vclaim){
		.slot = slot,
		.ino = ino, .coll = coll, .kind = kind };
	return 0;
}

/* Membership of every inode; gathers the slot claims. */
static int vec_members(struct check *c, struct vexfs_err *err)
{
	struct vcheck *v = c->vec;
	uint64_t ino;

	/* directories in a loop pass 3 left: take them as they are */
	for (ino = VEXFS_FIRST_INO; ino < c->ninodes; ino++)
		if (c->ii[ino].state == IS_USED && S_ISDIR(c->ii[ino].mode) &&
		    c->ii[ino].found_in && !reaches_root(c, ino))
			v->done[ino] = 1;
	for (ino = VEXFS_ROOT_INO; ino < c->ninodes && !c->stop; ino++) {
		struct ino_info *ii = &c->ii[ino];
		uint32_t coll;

		if (ii->state != IS_USED ||
		    (ino != VEXFS_ROOT_INO && ino < VEXFS_FIRST_INO))
			continue;
		if (ii->flags & VEXFS_INODE_HIDDEN) {
			if ((v->coll[ino] || v->slot[ino]) &&
			    fix_problem(c, PR_6_HIDDEN_VEC,
					(unsigned long long)ino, v->coll[ino],
					(unsigned long long)v->slot[ino]))
				vec_set_inode(c, ino, 0, 0);
			continue;
		}
		vec_settle_up(c, ino);
		coll = v->coll[ino];
		if (vec_live(v, v->moved[ino]) &&
		    vec_add_claim(c, v->moved[ino], ino, v->mslot[ino],
				  CL_RELEASE, err))
			return -ENOMEM;
		if (!v->slot[ino] || vec_kept(v, coll))
			continue;
		if (!S_ISREG(ii->mode) || !vec_live(v, coll)) {
			if (fix_problem(c, PR_6_STRAY_SLOT,
					(unsigned long long)ino,
					(unsigned long long)v->slot[ino]))
				vec_set_inode(c, ino, coll, 0);
			continue;
		}
		if (v->colls[coll - 1].new_store) {
			/* its store was made anew: the embedding is gone */
			vec_set_inode(c, ino, coll, 0);
			continue;
		}
		if (vec_add_claim(c, coll, ino, v->slot[ino],
				  v->moved[ino] ? CL_MOVED : CL_CLAIM, err))
			return -ENOMEM;
	}
	return 0;
}

static int claim_cmp(const void *a, const void *b)
{
	const struct vclaim *x = a, *y = b;

	if (x->coll != y->coll)
		return x->coll < y->coll ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/*
 * Decide claim @cl on the slot @img (all zero for a hole; @beyond: past
 * the end of the store).  Return: true if the claim stands; *@freed is
 * set when the slot, which names the claimant, is to be freed.
 */
static bool vec_judge(struct check *c, const struct vclaim *cl,
		      const struct vcoll *vc, const uint8_t *img, bool beyond,
		      bool *freed)
{
	struct vcheck *v = c->vec;
	const struct vexfs_vec_slot *hdr = (const void *)img;
	bool mine = !beyond && le64(hdr->vs_ino) == cl->ino;
	char why[96];

	if (cl->kind == CL_RELEASE) {
		*freed |= mine;
		return false;
	}
	if (beyond)
		snprintf(why, sizeof(why), "beyond the end of the store");
	else if (!hdr->vs_ino)
		snprintf(why, sizeof(why), "the slot is free");
	else if (le64(hdr->vs_ino) != cl->ino)
		snprintf(why, sizeof(why), "the slot belongs to inode %llu",
			 (unsigned long long)le64(hdr->vs_ino));
	else if (le32(hdr->vs_generation) != v->gen[cl->ino])
		snprintf(why, sizeof(why), "generation %u, should be %u",
			 le32(hdr->vs_generation), v->gen[cl->ino]);
	else if (le32(hdr->vs_checksum) !=
		 vexfs_slot_csum(c->fs.seed, img, vc->g.slot_size))
		snprintf(why, sizeof(why), "checksum mismatch");
	else if (vec_first_nonfinite((const u32 *)hdr->vs_data,
				     le16(vc->d.c_dim)) < le16(vc->d.c_dim))
		/* the kernel's check: a slot it could never have written */
		snprintf(why, sizeof(why), "a value is a NaN or an infinity");
	else
		return true;
	/* moved by this check: its slot was from elsewhere, say no more */
	if (cl->kind != CL_MOVED &&
	    !fix_problem(c, PR_6_BAD_SLOT, (unsigned long long)cl->ino,
			 (unsigned long long)cl->slot, cl->coll, why))
		return true;	/* left as it is: not an orphan either */
	vec_set_inode(c, cl->ino, cl->coll, 0);
	/* the slot names this inode: it goes with the embedding */
	*freed |= mine;
	return false;
}

/*
 * The first slot at or after the one starting at logical block @lblk
 * whose first block is mapped; UINT64_MAX - 1 if none.  Sparse stores
 * are then scanned in the time their mapped blocks take.
 */
static uint64_t vec_next_mapped(const struct vexfs_ext_list *l, uint64_t lblk,
				const struct vexfs_coll_geom *g)
{
	size_t k;

	for (k = 0; k < l->n; k++) {
		const struct vexfs_ext *e = &l->e[k];
		uint64_t b = lblk + 1, end = (uint64_t)e->lblk + e->len;

		if (end <= b || (e->flags & VEXFS_EXT_UNWRITTEN))
			continue;
		if (b < e->lblk)
			b = e->lblk;
		/* the slot holding block b, or the next one starting after */
		if (g->per_block)
			return b * g->per_block + 1;
		return (b + g->blocks_per_slot - 1) / g->blocks_per_slot + 1;
	}
	return UINT64_MAX - 1;
}

/* Check collection @id's store against the claims on it. */
static int vec_check_store(struct check *c, uint32_t id, size_t *ci,
			   struct vexfs_err *err)
{
	struct vcheck *v = c->vec;
	struct vcoll *vc = &v->colls[id - 1];
	struct vexfs_collection *d = &vc->d;
	uint64_t store = le64(d->c_store_ino), cap, scan, s, count = 0;
	uint64_t high = 0, mapped = 0;
	struct vexfs_ext_list map;
	struct vexfs_inode inode;
	size_t k;
	int ret;

	if (read_inode(c, store, &inode))
		return 0;
	ret = vexfs_extent_list(&c->fs, store, &inode, &map, err);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		/* pass 1 reported the tree (-n left it): skip this store */
		err->msg[0] = '\0';
		c->uncorrected = true;
		return 0;
	}
	for (k = 0; k < map.n; k++)
		if ((uint64_t)map.e[k].lblk + map.e[k].len > mapped)
			mapped = (uint64_t)map.e[k].lblk + map.e[k].len;
	cap = vexfs_store_capacity(&vc->g, le64(inode.i_size) / c->fs.bs);
	if (cap > vc->g.max_slots)
		cap = vc->g.max_slots;
	scan = vexfs_store_capacity(&vc->g, mapped);
	if (scan > cap)
		scan = cap;
	free(v->img);
	v->img = malloc(vc->g.slot_size);
	free(vc->used);
	vc->used = calloc(scan / 8 + 1, 1);
	vc->used_n = scan;
	vc->cap = cap;
	if (!v->img || !vc->used) {
		vexfs_ext_list_free(&map);
		return vexfs_errf(err, ENOMEM, "out of memory");
	}
	for (s = 1; s <= scan && !c->stop; s++) {
		const struct vexfs_vec_slot *hdr = (const void *)v->img;
		bool owned = false, freed = false;
		uint64_t lblk;
		uint32_t off;

		vexfs_slot_pos(&vc->g, s, &lblk, &off);
		if (!vec_map(&map, lblk) &&
		    (*ci >= v->nclaims || v->claims[*ci].coll != id ||
		     v->claims[*ci].slot > s)) {
			/* a hole, and no claim on it: on to the next of either */
			uint64_t next = vec_next_mapped(&map, lblk, &vc->g);

			if (*ci < v->nclaims && v->claims[*ci].coll == id &&
			    v->claims[*ci].slot < next)
				next = v->claims[*ci].slot;
			s = next - 1;
			continue;
		}
		if (vec_io(c, &map, lblk * c->fs.bs + off, v->img,
			   vc->g.slot_size, false))
			break;
		for (; *ci < v->nclaims && v->claims[*ci].coll == id &&
		       v->claims[*ci].slot == s; (*ci)++)
			owned |= vec_judge(c, &v->claims[*ci], vc, v->img,
					   false, &freed);
		if (!hdr->vs_ino)
			continue;
		/*
		 * A file the orphan list released (pass 1C) gives its slot
		 * back as the kernel's eviction would: nothing to report.
		 */
		if (!owned && orphan_released(c, le64(hdr->vs_ino)))
			freed = true;
		if (!owned && !freed &&
		    !fix_problem(c, PR_6_ORPHAN_SLOT, id, (unsigned long long)s,
				 (unsigned long long)le64(hdr->vs_ino)))
			owned = true;	/* left in place, still counted */
		if (!owned) {
			/* freed by a repair: counted out as the kernel does */
			vec_io(c, &map, lblk * c->fs.bs + off, NULL,
			       vc->g.slot_size, true);
			if (le64(d->c_count)) {
				d->c_count = cpu_le64(le64(d->c_count) - 1);
				vc->dirty = true;
			}
			continue;
		}
		count++;
		high = s;
		vexfs_set_bit(vc->used, s);
	}
	/* claims on slots past what the store holds: all free */
	for (; *ci < v->nclaims && v->claims[*ci].coll == id; (*ci)++) {
		bool freed = false;

		memset(v->img, 0, vc->g.slot_size);
		vec_judge(c, &v->claims[*ci], vc, v->img,
			  v->claims[*ci].slot > cap, &freed);
	}
	vexfs_ext_list_free(&map);
	if (le64(d->c_count) != count &&
	    fix_problem(c, PR_6_COUNT, id,
			(unsigned long long)le64(d->c_count),
			(unsigned long long)count)) {
		d->c_count = cpu_le64(count);
		vc->dirty = true;
	}
	if ((le64(d->c_slots) < high || le64(d->c_slots) > cap) &&
	    fix_problem(c, PR_6_SLOTS, id,
			(unsigned long long)le64(d->c_slots),
			(unsigned long long)high)) {
		d->c_slots = cpu_le64(high);
		vc->dirty = true;
	}
	if (vc->dirty)
		vec_write_desc(c, id);
	return vec_check_index(c, id, err);
}

static int vec_setup(struct check *c, struct vexfs_err *err)
{
	struct vcheck *v = calloc(1, sizeof(*v));

	c->vec = v;
	if (!v)
		return vexfs_errf(err, ENOMEM, "out of memory");
	v->coll = calloc(c->ninodes, sizeof(*v->coll));
	v->slot = calloc(c->ninodes, sizeof(*v->slot));
	v->gen = calloc(c->ninodes, sizeof(*v->gen));
	v->rootof = calloc(c->ninodes, sizeof(*v->rootof));
	v->moved = calloc(c->ninodes, sizeof(*v->moved));
	v->mslot = calloc(c->ninodes, sizeof(*v->mslot));
	v->done = calloc(c->ninodes, 1);
	if (!v->coll || !v->slot || !v->gen || !v->rootof || !v->done ||
	    !v->moved || !v->mslot)
		return vexfs_errf(err, ENOMEM, "out of memory");
	return 0;
}

int pass6(struct check *c, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	struct vcheck *v;
	uint32_t id, live = 0;
	size_t ci = 0;
	int ret;

	pass_header(c, 6, "Checking vector collections");
	ret = vec_setup(c, err);
	if (!ret)
		ret = vec_scan_inodes(c, err);
	if (ret)
		return ret;
	v = c->vec;
	ret = vec_table(c, err);
	if (ret)
		return ret < 0 ? ret : 0;
	for (id = 1; id <= v->ndesc && !c->stop; id++)
		vec_check_desc(c, id);
	if (!c->stop)
		ret = vec_members(c, err);
	if (ret || c->stop)
		return ret;
	if (v->nclaims)
		qsort(v->claims, v->nclaims, sizeof(*v->claims), claim_cmp);
	for (id = 1; id <= v->ndesc && !ret && !c->stop; id++) {
		if (v->colls[id - 1].state == VC_LIVE)
			ret = vec_check_store(c, id, &ci, err);
		/* claims on a collection skipped (kept) are left alone */
		while (ci < v->nclaims && v->claims[ci].coll <= id)
			ci++;
	}
	if (ret)
		return ret;
	for (id = 1; id <= v->ndesc; id++)
		if (v->colls[id - 1].state == VC_LIVE ||
		    v->colls[id - 1].state == VC_KEPT)
			live++;
	if (le32(sb->s_collections_count) != live &&
	    fix_problem(c, PR_6_SB_COUNT, le32(sb->s_collections_count),
			live)) {
		sb->s_collections_count = cpu_le32(live);
		c->sb_dirty = true;
	}
	v->ready = true;
	progress(c, 6, 1, 1);
	return 0;
}

/*
 * Inode @ino is being cleared after pass 6 (pass 4): give its slot back,
 * so that the store does not keep an embedding nobody owns.
 */
void vec_forget(struct check *c, uint64_t ino)
{
	struct vcheck *v = c->vec;
	struct vcoll *vc;
	struct vexfs_ext_list map;
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t lblk;
	uint32_t off, id;

	if (!v || !v->ready || ino >= c->ninodes || !v->slot[ino] ||
	    !vec_live(v, v->coll[ino]) || !can_write(c))
		return;
	id = v->coll[ino];
	vc = &v->colls[id - 1];
	if (read_inode(c, le64(vc->d.c_store_ino), &inode) ||
	    vexfs_extent_list(&c->fs, le64(vc->d.c_store_ino), &inode, &map,
			      &err))
		return;
	vexfs_slot_pos(&vc->g, v->slot[ino], &lblk, &off);
	vec_io(c, &map, lblk * c->fs.bs + off, NULL, vc->g.slot_size, true);
	vexfs_ext_list_free(&map);
	/* the index has a node for it: pass 6B rebuilds the index */
	if (le64(vc->d.c_index_ino) &&
	    !(le32(vc->d.c_flags) & VEXFS_COLL_INDEX_DIRTY))
		vc->rebuild = true;
	v->slot[ino] = 0;
	if (le64(vc->d.c_count))
		vc->d.c_count = cpu_le64(le64(vc->d.c_count) - 1);
	vec_write_desc(c, id);
}
