// SPDX-License-Identifier: GPL-2.0
/*
 * pass4.c - pass 4: link counts, unattached inodes, xattr value inodes and
 * hidden inodes that their owners no longer name.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsck.h"

void set_links(struct check *c, uint64_t ino, uint16_t links)
{
	struct vexfs_inode inode;

	c->ii[ino].links = links;
	if (!can_write(c) || read_inode(c, ino, &inode))
		return;
	inode.i_links_count = cpu_le16(links);
	write_inode(c, ino, &inode);
}

/* Drop the xattr entries of @owner whose value inode is bad. */
static void drop_xattr_values(struct check *c, uint64_t owner)
{
	int max = vexfs_xattr_max_entries(c->fs.bs), n, i, keep;
	struct vexfs_xattr_ent *xs = calloc((size_t)max, sizeof(*xs));
	struct vexfs_inode inode;
	const char *why;
	struct vexfs_err err;
	uint8_t *blk = malloc(c->fs.bs);

	if (!xs || !blk || read_inode(c, owner, &inode))
		goto out;
	if (vexfs_xattr_read_block(&c->fs, owner, &inode, blk, &why, &err))
		goto out;
	n = vexfs_xattr_parse(blk, c->fs.bs, xs, max, &why);
	for (i = 0, keep = 0; i < n; i++) {
		size_t k;
		bool bad = false;

		for (k = 0; k < c->nxref; k++)
			if (c->xref[k].owner == owner &&
			    c->xref[k].vino == xs[i].value_ino && c->xref[k].bad)
				bad = xs[i].value_ino != 0;
		if (!bad)
			xs[keep++] = xs[i];
	}
	if (n >= 0 && !vexfs_xattr_pack(blk, c->fs.bs, xs, keep)) {
		vexfs_meta_block_seal(c->fs.seed, blk, c->fs.bs);
		if (vexfs_write_block(&c->fs.dev, le64(inode.i_xattr_block), blk,
				      &err)) {
			out(c, "%s: %s\n", c->name, err.msg);
			c->uncorrected = true;
		} else {
			c->modified = true;
		}
	}
out:
	free(xs);
	free(blk);
}

static void check_xrefs(struct check *c)
{
	size_t k;

	for (k = 0; k < c->nxref; k++) {
		struct xref *x = &c->xref[k];
		struct ino_info *vi;
		const char *why = NULL;

		if (c->ii[x->owner].state != IS_USED)
			continue;
		if (x->vino < VEXFS_FIRST_INO || x->vino >= c->ninodes) {
			why = "out of range";
		} else {
			vi = &c->ii[x->vino];
			if (vi->state != IS_USED)
				why = "not in use";
			else if (!S_ISREG(vi->mode) ||
				 !(vi->flags & VEXFS_INODE_HIDDEN))
				why = "not a hidden regular file";
			else if (vi->parent != x->owner)
				why = "its parent is another inode";
			else if (vi->size != x->size)
				why = "its size is not the value's size";
			else if (vi->refs)
				why = "it holds another value too";
		}
		if (!why) {
			c->ii[x->vino].refs++;
			continue;
		}
		x->bad = true;
		if (fix_problem(c, PR_4_XATTR_VALUE_INODE,
				(unsigned long long)x->owner,
				(unsigned long long)x->vino, why) &&
		    can_write(c))
			drop_xattr_values(c, x->owner);
	}
}

/* A hidden inode named by the collections machinery, if it is one. */
static void count_hidden_ref(struct check *c, uint64_t ino)
{
	if (ino >= VEXFS_FIRST_INO && ino < c->ninodes &&
	    c->ii[ino].state == IS_USED &&
	    (c->ii[ino].flags & VEXFS_INODE_HIDDEN))
		c->ii[ino].refs++;
}

/*
 * The collections table (named by the superblock) and each collection's
 * vector store and index (named by the table) are hidden inodes owned
 * through those references, not through xattrs: count them, so that
 * pass 4 never takes a collection's vectors for a leaked inode and clears
 * them.  Pass 6 checked the table and may have changed it: count what
 * it left (a removed collection's store is no longer owned); without
 * its view (the table was left bad), count what the table says.
 */
static void count_collection_refs(struct check *c)
{
	uint64_t table = le64(c->fs.sb.s_collections_ino);
	const size_t dsize = sizeof(struct vexfs_collection);
	struct vexfs_inode raw;
	struct vexfs_err err;
	uint8_t *buf;
	size_t size, off;

	if (c->vec && c->vec->ready) {
		struct vcheck *v = c->vec;
		uint32_t i;

		if (v->table)
			count_hidden_ref(c, v->table);
		for (i = 0; i < v->ndesc; i++) {
			const struct vcoll *vc = &v->colls[i];

			if (vc->state != VC_LIVE && vc->state != VC_KEPT)
				continue;
			count_hidden_ref(c, le64(vc->d.c_store_ino));
			if (le64(vc->d.c_index_ino))
				count_hidden_ref(c, le64(vc->d.c_index_ino));
		}
		return;
	}
	if (!table || table >= c->ninodes || c->ii[table].state != IS_USED ||
	    !(c->ii[table].flags & VEXFS_INODE_HIDDEN))
		return;
	count_hidden_ref(c, table);
	if (vexfs_inode_read(&c->fs, table, &raw, &err))
		return;
	size = le64(raw.i_size);
	if (size > VEXFS_MAX_COLLECTIONS * dsize)
		size = VEXFS_MAX_COLLECTIONS * dsize;
	buf = malloc(size ? size : 1);
	if (!buf || vexfs_file_read(&c->fs, table, &raw, buf, size, &err))
		goto out;
	for (off = 0; off + dsize <= size; off += dsize) {
		struct vexfs_collection d;

		memcpy(&d, buf + off, dsize);
		if (!le32(d.c_id))
			continue;
		count_hidden_ref(c, le64(d.c_store_ino));
		if (le64(d.c_index_ino))
			count_hidden_ref(c, le64(d.c_index_ino));
	}
out:
	free(buf);
}

int pass4(struct check *c, struct vexfs_err *err)
{
	uint64_t ino;

	(void)err;
	pass_header(c, 4, "Checking reference counts");
	check_xrefs(c);
	count_collection_refs(c);
	for (ino = VEXFS_ROOT_INO; ino < c->ninodes && !c->stop; ino++) {
		struct ino_info *ii = &c->ii[ino];
		unsigned long long i = (unsigned long long)ino;
		uint32_t want;

		if (ii->state != IS_USED ||
		    (ino != VEXFS_ROOT_INO && ino < VEXFS_FIRST_INO))
			continue;
		if (ii->flags & VEXFS_INODE_HIDDEN) {
			if (!ii->refs) {
				if (fix_problem(c, PR_4_HIDDEN_UNUSED, i,
						(unsigned long long)ii->parent))
					clear_inode(c, ino);
				continue;
			}
			want = 1;
		} else if (S_ISDIR(ii->mode)) {
			want = 2 + ii->subdirs;
		} else {
			if (!ii->refs && !(ii->flags & VEXFS_INODE_ORPHAN)) {
				if (!ii->size) {
					if (fix_problem(c, PR_4_ZERO_LEN_UNATTACHED,
							i, type_name(ii->mode)))
						clear_inode(c, ino);
					continue;
				}
				if (fix_problem(c, PR_4_UNATTACHED, i,
						type_name(ii->mode),
						(unsigned long long)ii->size))
					reconnect(c, ino);
			}
			want = ii->refs;
		}
		if (want > VEXFS_LINK_MAX)
			want = VEXFS_LINK_MAX;
		if (ii->links != want && want &&
		    fix_problem(c, PR_4_BAD_LINKS, i, ii->links, want))
			set_links(c, ino, (uint16_t)want);
		if (ino == VEXFS_ROOT_INO)
			c->pass4_root_done = true;
	}
	progress(c, 4, 1, 1);
	return 0;
}
