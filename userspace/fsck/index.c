// SPDX-License-Identifier: GPL-2.0
/*
 * index.c - pass 6, the ANN index of each collection: derived data, checked
 * against its store; every fix is a rebuild (rebuild.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsck.h"
#include "vexfs_hnsw.h"

/*
 * The ANN index of a collection (include/vexfs_format.h, "Vector index").
 * It is derived data: the store is the truth, and every fix is the same,
 * a rebuild from the store after pass 4 (pass 6B, vec_rebuild_indexes()),
 * so checking an index stops at the first problem the user agrees to fix.
 * With -n, at most VI_MAX_REPORTS problems are listed per index.
 *
 * An index whose descriptor says VEXFS_COLL_INDEX_DIRTY is not looked
 * into: the kernel rebuilds it before any reader sees it.  Otherwise the
 * header must match the descriptor, every record of the current epoch
 * must verify, every link must name a node of this epoch that reaches the
 * list's level (and not the node itself), each node owns its upper
 * records alone, the counts and the entry point must match the nodes,
 * and the nodes must match the store exactly: one live node per used
 * slot, none for a free one.  An untrained index (header only) is what a
 * collection below VEXFS_INDEX_MIN_VECTORS may keep; it must be empty.
 */
#define VI_MAX_REPORTS	16
#define VI_NONE		0xff	/* vi->level: no node of this epoch */
#define VF_TOMB		0x01	/* vi->flags: a tombstone */
#define VF_BAD		0x02	/* ... its record does not verify */

struct vupc {			/* a node's claim on an upper record */
	uint64_t rec, slot;
	uint32_t level;
};

struct vidx {
	struct check *c;
	struct vcoll *vc;
	uint32_t id;
	uint64_t ino;
	struct vexfs_ext_list map;
	struct vexfs_vindex_geom g;
	struct vexfs_vindex_header h;
	uint32_t epoch, upper_used;
	uint64_t nslots;		/* slots the arrays cover */
	uint8_t *level, *flags;
	uint32_t *upper;
	struct hnsw_index lv;		/* for hnsw_level_of() */
	s64 q0;
	uint8_t *blk;			/* one block, cached */
	uint64_t blk_lblk;
	bool blk_valid;
	unsigned int reported;
	bool stop;			/* a rebuild is decided, or enough said */
	bool ioerr;
	struct vupc *claims;
	size_t nclaims;
};

/* Report an index problem; a fix means a rebuild, and nothing more to see. */
static void vi_problem(struct vidx *x, uint32_t code, ...)
{
	va_list ap;
	bool fix;

	if (x->stop)
		return;
	if (x->reported == VI_MAX_REPORTS) {
		fix_problem(x->c, PR_6_VINDEX_MORE, x->id,
			    (unsigned long long)x->ino);
		x->stop = true;
		return;
	}
	x->reported++;
	va_start(ap, code);
	fix = vfix_problem(x->c, code, ap);
	va_end(ap);
	if (fix) {
		x->vc->rebuild = true;
		x->stop = true;
	}
	if (x->c->stop)
		x->stop = true;
}

/* Logical block @lblk of the index (zeros for a hole), or NULL. */
static const uint8_t *vi_block(struct vidx *x, uint64_t lblk)
{
	struct check *c = x->c;
	uint64_t pblk;
	struct vexfs_err err;

	if (x->blk_valid && x->blk_lblk == lblk)
		return x->blk;
	pblk = vec_map(&x->map, lblk);
	x->blk_valid = false;
	if (!pblk) {
		memset(x->blk, 0, c->fs.bs);
	} else if (vexfs_read_block(&c->fs.dev, pblk, x->blk, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		x->ioerr = x->stop = true;
		return NULL;
	}
	x->blk_lblk = lblk;
	x->blk_valid = true;
	return x->blk;
}

/* Why the header cannot be used, in @why, or false. */
static bool vi_header_insane(struct vidx *x, char *why, size_t len)
{
	struct check *c = x->c;
	const struct vexfs_collection *d = &x->vc->d;
	const struct vexfs_vindex_header *h = &x->h;
	uint32_t m = le16(d->c_hnsw_m) ? le16(d->c_hnsw_m) : HNSW_DEFAULT_M;
	uint32_t efc = le16(d->c_hnsw_ef_construction) ?
		       le16(d->c_hnsw_ef_construction) :
		       HNSW_DEFAULT_EF_CONSTRUCTION;
	uint64_t pblk = vec_map(&x->map, 0);
	const uint8_t *b;
	int ret;

	if (!pblk) {
		/*
		 * Never built (the kernel made the inode, and stopped before
		 * the first header): nothing is read.  Blocks without a
		 * header, though, could hold records of the epoch a first
		 * build would take.
		 */
		memset(&x->h, 0, sizeof(x->h));
		if (!x->map.n)
			return false;
		snprintf(why, len, "no header block, while %zu extent(s) of other blocks remain",
			 x->map.n);
		return true;
	}
	b = vi_block(x, 0);
	if (!b)
		return false;
	memcpy(&x->h, b, sizeof(x->h));
	ret = vexfs_meta_block_check(c->fs.seed, b, c->fs.bs,
				     VEXFS_VINDEX_MAGIC, pblk, x->ino);
	if (ret) {
		snprintf(why, len, "%s", ret == -EBADMSG ? "checksum mismatch" :
			 "wrong magic, location or owner");
		return true;
	}
	/* what a rebuild keeps: the seed, and an epoch to go past */
	x->vc->old_hdr = true;
	x->vc->old_epoch = le32(h->vh_epoch);
	x->vc->old_seed = le64(h->vh_seed);
	if (le32(h->vh_version) != VEXFS_VINDEX_VERSION)
		snprintf(why, len, "version %u", le32(h->vh_version));
	else if (le32(h->vh_dim) != le16(d->c_dim) || h->vh_metric != d->c_metric)
		snprintf(why, len, "dimension %u and metric %u, the collection's are %u and %u",
			 le32(h->vh_dim), h->vh_metric, le16(d->c_dim),
			 d->c_metric);
	else if (le16(h->vh_m) != m || le16(h->vh_ef_construction) != efc)
		snprintf(why, len, "M %u and ef_construction %u, the collection's are %u and %u",
			 le16(h->vh_m), le16(h->vh_ef_construction), m, efc);
	else if (vexfs_vindex_geom(&x->g, c->fs.bs, le32(h->vh_dim), m))
		snprintf(why, len, "no index has a node record of %llu bytes in a %u-byte block",
			 (unsigned long long)VEXFS_VINDEX_NODE_SIZE(le32(h->vh_dim), m),
			 c->fs.bs);
	else if (le16(h->vh_node_size) != x->g.node_size ||
		 le16(h->vh_upper_size) != x->g.upper_size)
		snprintf(why, len, "record sizes %u and %u, should be %u and %u",
			 le16(h->vh_node_size), le16(h->vh_upper_size),
			 x->g.node_size, x->g.upper_size);
	else if (le32(h->vh_q_blocks) != x->g.q_blocks ||
		 le32(h->vh_node_start) != x->g.node_start)
		snprintf(why, len, "regions at %u and %u, should be %u and %u",
			 le32(h->vh_q_blocks), le32(h->vh_node_start),
			 x->g.q_blocks, x->g.node_start);
	else if (!le32(h->vh_epoch))
		snprintf(why, len, "epoch 0");
	else if (h->vh_trained > 1)
		snprintf(why, len, "trained is %u", h->vh_trained);
	else if (le16(h->vh_max_level) > HNSW_MAX_LEVEL)
		snprintf(why, len, "top level %u", le16(h->vh_max_level));
	else if (h->vh_trained && !le64(h->vh_q_step))
		snprintf(why, len, "quantizer step 0");
	else if (!h->vh_trained && (le32(h->vh_entry) || le64(h->vh_live) ||
				    le64(h->vh_deleted) ||
				    le32(h->vh_upper_used)))
		snprintf(why, len, "not trained, but not empty");
	else if (le32(h->vh_entry) > x->g.max_slots)
		snprintf(why, len, "entry point %u is out of range",
			 le32(h->vh_entry));
	else
		return false;
	return true;
}

static bool vi_quant_ok(struct vidx *x)
{
	struct check *c = x->c;
	uint64_t left = (uint64_t)x->g.dim * 8, k;
	uint32_t crc = c->fs.seed;

	for (k = 0; left; k++) {
		uint32_t n = left < c->fs.bs ? (uint32_t)left : c->fs.bs;
		const uint8_t *b = vi_block(x, 1 + k);

		if (!b)
			return true;
		crc = vexfs_crc32c(crc, b, n);
		left -= n;
	}
	return crc == le32(x->h.vh_q_checksum);
}

/* Is link @t of @slot's level-@lev list valid?  Else why, in @why. */
static bool vi_link_bad(struct vidx *x, uint64_t slot, uint32_t lev,
			uint64_t t, char *why, size_t len)
{
	if (!t || t > x->nslots || x->level[t] == VI_NONE)
		snprintf(why, len, "which is not a node");
	else if (t == slot)
		snprintf(why, len, "itself");
	else if (x->level[t] < lev)
		snprintf(why, len, "whose top level is %u", x->level[t]);
	else
		return false;
	return true;
}

static void vi_links(struct vidx *x, uint64_t slot, uint32_t lev,
		     const uint8_t *links, uint32_t n)
{
	char why[64];
	uint32_t i;

	for (i = 0; i < n && !x->stop; i++) {
		uint32_t t;

		memcpy(&t, links + 4 * (size_t)i, 4);
		t = le32(t);
		if (vi_link_bad(x, slot, lev, t, why, sizeof(why)))
			vi_problem(x, PR_6_VINDEX_LINK, x->id,
				   (unsigned long long)x->ino,
				   (unsigned long long)slot, lev,
				   (unsigned long long)t, why);
	}
}

/*
 * Visit the node records of every mapped node block: @fn gets the slot
 * and the record of each node of the current epoch.
 */
static void vi_each_node(struct vidx *x,
			 void (*fn)(struct vidx *x, uint64_t slot,
				    const uint8_t *rec))
{
	const struct vexfs_ext_list *l = &x->map;
	size_t k;

	for (k = 0; k < l->n && !x->stop; k++) {
		const struct vexfs_ext *e = &l->e[k];
		uint64_t lblk = e->lblk < x->g.node_start ? x->g.node_start :
				e->lblk;
		uint64_t end = (uint64_t)e->lblk + e->len;

		if (e->flags & VEXFS_EXT_UNWRITTEN)
			continue;
		if (end > VEXFS_VINDEX_UPPER_LBLK)
			end = VEXFS_VINDEX_UPPER_LBLK;
		for (; lblk < end && !x->stop; lblk++) {
			const uint8_t *b = vi_block(x, lblk);
			uint32_t i;

			for (i = 0; b && i < x->g.per_block && !x->stop; i++) {
				const uint8_t *rec = b + (size_t)i * x->g.node_size;
				const struct vexfs_vindex_node *vn = (const void *)rec;
				uint64_t slot = (lblk - x->g.node_start) *
						x->g.per_block + i + 1;

				if (le32(vn->vn_epoch) != x->epoch ||
				    slot > x->g.max_slots)
					continue;
				fn(x, slot, rec);
				/* fn may have read another block */
				b = vi_block(x, lblk);
			}
		}
	}
}

/* First look at a node: its record and fields. */
static void vi_node(struct vidx *x, uint64_t slot, const uint8_t *rec)
{
	const struct vexfs_vindex_node *vn = (const void *)rec;
	uint32_t lev = vn->vn_level, up = le32(vn->vn_upper), i;
	uint32_t want, m0 = 2 * x->g.m;
	char why[96];

	if (slot > x->nslots) {
		snprintf(why, sizeof(why), "beyond the store's %llu slots",
			 (unsigned long long)x->nslots);
		vi_problem(x, PR_6_VINDEX_NODE, x->id, (unsigned long long)x->ino,
			   (unsigned long long)slot, why);
		return;
	}
	x->level[slot] = lev > HNSW_MAX_LEVEL ? HNSW_MAX_LEVEL : (uint8_t)lev;
	x->flags[slot] = (vn->vn_flags & VEXFS_VNODE_DELETED) ? VF_TOMB : 0;
	x->upper[slot] = up;
	want = hnsw_level_of(&x->lv, (uint32_t)slot);
	if (le32(vn->vn_checksum) !=
	    vexfs_vindex_rec_csum(x->c->fs.seed, rec, x->g.node_size))
		snprintf(why, sizeof(why), "checksum mismatch");
	else if (lev != want)
		snprintf(why, sizeof(why), "level %u, should be %u", lev, want);
	else if (vn->vn_flags & ~VEXFS_VNODE_FLAGS_ALL)
		snprintf(why, sizeof(why), "unknown flags 0x%x", vn->vn_flags);
	else if (le16(vn->vn_count) > m0)
		snprintf(why, sizeof(why), "%u level-0 links, room for %u",
			 le16(vn->vn_count), m0);
	else if (!lev && up)
		snprintf(why, sizeof(why), "upper record %u at level 0", up);
	else if (lev && (!up || (uint64_t)up + lev - 1 > x->upper_used))
		snprintf(why, sizeof(why), "upper records %u..%llu, %u allocated",
			 up, (unsigned long long)up + lev - 1, x->upper_used);
	else
		why[0] = '\0';
	for (i = x->g.dim; !why[0] && i < x->g.code_bytes; i++)
		if (rec[sizeof(*vn) + i])
			snprintf(why, sizeof(why), "code padding is not zero");
	if (why[0]) {
		x->flags[slot] |= VF_BAD;
		vi_problem(x, PR_6_VINDEX_NODE, x->id, (unsigned long long)x->ino,
			   (unsigned long long)slot, why);
	}
}

/* Second look: the level-0 links, and the claims on upper records. */
static void vi_node_links(struct vidx *x, uint64_t slot, const uint8_t *rec)
{
	const struct vexfs_vindex_node *vn = (const void *)rec;
	uint32_t l;

	if (slot > x->nslots || (x->flags[slot] & VF_BAD))
		return;
	vi_links(x, slot, 0, rec + sizeof(*vn) + x->g.code_bytes,
		 le16(vn->vn_count));
	for (l = 1; l <= vn->vn_level; l++) {
		struct vupc *n = x->claims;

		if (!(x->nclaims & (x->nclaims + 1))) {	/* 0, 1, 3, 7... */
			n = realloc(x->claims, (x->nclaims + 1) * 2 * sizeof(*n));
			if (!n) {
				x->c->oom = x->stop = true;
				return;
			}
			x->claims = n;
		}
		n[x->nclaims++] = (struct vupc){
			.rec = le32(vn->vn_upper) + (uint64_t)l - 1,
			.slot = slot, .level = l };
	}
}

static int vupc_cmp(const void *a, const void *b)
{
	const struct vupc *p = a, *q = b;

	if (p->rec != q->rec)
		return p->rec < q->rec ? -1 : 1;
	return p->slot < q->slot ? -1 : p->slot > q->slot;
}

/* The upper records, in record order, against the nodes that own them. */
static void vi_uppers(struct vidx *x)
{
	size_t k;

	if (x->nclaims)
		qsort(x->claims, x->nclaims, sizeof(*x->claims), vupc_cmp);
	for (k = 0; k < x->nclaims && !x->stop; k++) {
		const struct vupc *cl = &x->claims[k];
		const struct vexfs_vindex_upper *vu;
		const uint8_t *b;
		uint64_t lblk;
		uint32_t off;
		char why[96];

		vexfs_vindex_upper_pos(&x->g, cl->rec, &lblk, &off);
		b = vi_block(x, lblk);
		if (!b)
			return;
		vu = (const void *)(b + off);
		if (k && x->claims[k - 1].rec == cl->rec)
			snprintf(why, sizeof(why), "also the list of slot %llu",
				 (unsigned long long)x->claims[k - 1].slot);
		else if (le32(vu->vu_epoch) != x->epoch)
			snprintf(why, sizeof(why), "not of this build");
		else if (le32(vu->vu_checksum) !=
			 vexfs_vindex_rec_csum(x->c->fs.seed, vu, x->g.upper_size))
			snprintf(why, sizeof(why), "checksum mismatch");
		else if (le32(vu->vu_slot) != cl->slot || vu->vu_level != cl->level)
			snprintf(why, sizeof(why), "it says slot %u, level %u",
				 le32(vu->vu_slot), vu->vu_level);
		else if (le16(vu->vu_count) > x->g.m)
			snprintf(why, sizeof(why), "%u links, room for %u",
				 le16(vu->vu_count), x->g.m);
		else
			why[0] = '\0';
		if (why[0]) {
			vi_problem(x, PR_6_VINDEX_UPPER, x->id,
				   (unsigned long long)x->ino, cl->level,
				   (unsigned long long)cl->slot,
				   (unsigned long long)cl->rec, why);
			continue;
		}
		vi_links(x, cl->slot, cl->level, (const uint8_t *)(vu + 1),
			 le16(vu->vu_count));
	}
}

static bool vi_claimed(const struct vidx *x, uint64_t rec)
{
	size_t lo = 0, hi = x->nclaims;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->claims[mid].rec == rec)
			return true;
		if (x->claims[mid].rec < rec)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Upper records of this epoch that no node owns (a compacted node's, say)
 * are never followed, but the kernel verifies every record of the epoch
 * in a block it reads: their checksums must hold too.  After vi_uppers(),
 * which sorted the claims.
 */
static void vi_unowned_uppers(struct vidx *x)
{
	const struct vexfs_ext_list *l = &x->map;
	size_t k;

	for (k = 0; k < l->n && !x->stop; k++) {
		const struct vexfs_ext *e = &l->e[k];
		uint64_t lblk = e->lblk, end = (uint64_t)e->lblk + e->len;

		if ((e->flags & VEXFS_EXT_UNWRITTEN) ||
		    end <= VEXFS_VINDEX_UPPER_LBLK)
			continue;
		if (lblk < VEXFS_VINDEX_UPPER_LBLK)
			lblk = VEXFS_VINDEX_UPPER_LBLK;
		for (; lblk < end && !x->stop; lblk++) {
			const uint8_t *b = vi_block(x, lblk);
			uint32_t i;

			for (i = 0; b && i < x->g.per_block_u && !x->stop; i++) {
				const struct vexfs_vindex_upper *vu =
					(const void *)(b + (size_t)i * x->g.upper_size);
				uint64_t rec = (lblk - VEXFS_VINDEX_UPPER_LBLK) *
					       x->g.per_block_u + i + 1;

				if (le32(vu->vu_epoch) != x->epoch ||
				    vi_claimed(x, rec) ||
				    le32(vu->vu_checksum) ==
				    vexfs_vindex_rec_csum(x->c->fs.seed, vu,
							  x->g.upper_size))
					continue;
				vi_problem(x, PR_6_VINDEX_UPPER, x->id,
					   (unsigned long long)x->ino,
					   vu->vu_level,
					   (unsigned long long)le32(vu->vu_slot),
					   (unsigned long long)rec,
					   "checksum mismatch, in a record no node owns");
			}
		}
	}
}

/* The nodes against the store, the counts and the entry point. */
static void vi_totals(struct vidx *x, bool store_only)
{
	const struct vexfs_vindex_header *h = &x->h;
	const struct vcoll *vc = x->vc;
	uint64_t s, live = 0, dead = 0, top = 0, top_slot = 0;
	uint32_t entry = le32(h->vh_entry), maxl = le16(h->vh_max_level);
	char why[64] = "";

	for (s = 1; s <= x->nslots && !x->stop; s++) {
		bool used = s <= vc->used_n && vexfs_test_bit(vc->used, s);
		bool node = x->level[s] != VI_NONE;
		bool tomb = x->flags[s] & VF_TOMB;

		if (node && !tomb) {
			live++;
			if (x->level[s] > top || !top_slot) {
				top = x->level[s];
				top_slot = s;
			}
		} else if (node) {
			dead++;
		}
		if (!store_only)
			continue;
		if (used && (!node || tomb))
			vi_problem(x, PR_6_VINDEX_UNINDEXED, x->id,
				   (unsigned long long)s,
				   node ? "its node is a tombstone" : "no node");
		else if (!used && node && !tomb)
			vi_problem(x, PR_6_VINDEX_STALE, x->id,
				   (unsigned long long)s);
	}
	if (store_only || x->stop)
		return;
	if (live != le64(h->vh_live) || dead != le64(h->vh_deleted))
		vi_problem(x, PR_6_VINDEX_COUNTS, x->id, (unsigned long long)x->ino,
			   (unsigned long long)le64(h->vh_live),
			   (unsigned long long)le64(h->vh_deleted),
			   (unsigned long long)live, (unsigned long long)dead);
	if (!entry && live)
		vi_problem(x, PR_6_VINDEX_ENTRY, x->id, (unsigned long long)x->ino,
			   0ULL, maxl, "but the graph has live nodes");
	else if (!entry && maxl)
		vi_problem(x, PR_6_VINDEX_ENTRY, x->id, (unsigned long long)x->ino,
			   0ULL, maxl, "but the graph is empty");
	else if (entry && (entry > x->nslots || x->level[entry] == VI_NONE))
		vi_problem(x, PR_6_VINDEX_ENTRY, x->id, (unsigned long long)x->ino,
			   (unsigned long long)entry, maxl, "which is not a node");
	else if (entry && x->level[entry] != maxl)
		snprintf(why, sizeof(why), "but its node's level is %u",
			 x->level[entry]);
	else if (live && top > maxl)
		snprintf(why, sizeof(why), "below live node %llu at level %llu",
			 (unsigned long long)top_slot, (unsigned long long)top);
	if (why[0])
		vi_problem(x, PR_6_VINDEX_ENTRY, x->id, (unsigned long long)x->ino,
			   (unsigned long long)entry, maxl, why);
}

/* Check collection @id's index, if it has one the kernel would read. */
int vec_check_index(struct check *c, uint32_t id, struct vexfs_err *err)
{
	struct vcoll *vc = &c->vec->colls[id - 1];
	struct vidx x = { .c = c, .vc = vc, .id = id,
			  .ino = le64(vc->d.c_index_ino) };
	struct vexfs_inode inode;
	char why[160];
	uint64_t n;
	int ret = 0;

	bool rebuild = c->opts->rebuild_index && can_write(c);

	if (!x.ino || ((le32(vc->d.c_flags) & VEXFS_COLL_INDEX_DIRTY) &&
		       !rebuild))
		return 0;
	if (read_inode(c, x.ino, &inode))
		return 0;
	ret = vexfs_extent_list(&c->fs, x.ino, &inode, &x.map, err);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		/* pass 1 reported the tree (-n left it): skip this index */
		err->msg[0] = '\0';
		c->uncorrected = true;
		return 0;
	}
	ret = 0;
	x.blk = malloc(c->fs.bs);
	if (!x.blk) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	if (rebuild) {
		/* -E rebuild-index: the old header gives a seed and epoch */
		vi_header_insane(&x, why, sizeof(why));
		vc->rebuild = true;
		goto out;
	}
	if (vi_header_insane(&x, why, sizeof(why))) {
		vi_problem(&x, PR_6_VINDEX_HEADER, id, (unsigned long long)x.ino,
			   why);
		goto out;
	}
	if (x.stop || !x.h.vh_trained)
		goto out;	/* untrained and empty: nothing else is read */
	if (!vi_quant_ok(&x))
		vi_problem(&x, PR_6_VINDEX_QUANT, id, (unsigned long long)x.ino);
	if (x.stop)
		goto out;
	x.epoch = le32(x.h.vh_epoch);
	x.upper_used = le32(x.h.vh_upper_used);
	/* slots the store's mapped blocks hold: memory for real data only */
	n = le64(vc->d.c_slots);
	if (n > vc->cap)
		n = vc->cap;
	if (n > vc->used_n)
		n = vc->used_n;
	if (n > x.g.max_slots)
		n = x.g.max_slots;
	x.nslots = n;
	x.level = malloc(n + 1);
	x.flags = calloc(n + 1, 1);
	x.upper = calloc(n + 1, sizeof(*x.upper));
	if (!x.level || !x.flags || !x.upper) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	memset(x.level, VI_NONE, n + 1);
	x.q0 = 0;
	if (hnsw_init(&x.lv, x.g.dim, VEC_METRIC_L2, x.g.m, 1,
		      le64(x.h.vh_seed), &x.q0, NULL, NULL))
		goto out;	/* cannot happen: the geometry checked m */
	vi_each_node(&x, vi_node);
	vi_totals(&x, true);
	vi_each_node(&x, vi_node_links);
	vi_uppers(&x);
	vi_unowned_uppers(&x);
	vi_totals(&x, false);
	if (c->oom)
		ret = vexfs_errf(err, ENOMEM, "out of memory");
out:
	vexfs_ext_list_free(&x.map);
	free(x.blk);
	free(x.level);
	free(x.flags);
	free(x.upper);
	free(x.claims);
	return ret;
}
