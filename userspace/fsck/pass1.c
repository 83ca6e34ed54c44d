// SPDX-License-Identifier: GPL-2.0
/*
 * pass1.c - pass 1: every inode, its extent tree and its xattr block;
 * builds the map of blocks in use.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fsck.h"

/* What one inode's extent walk found. */
struct iwalk {
	struct check *c;
	uint64_t ino;
	uint64_t blocks;		/* data and tree blocks */
	struct vexfs_ext_list good;	/* extents outside bad subtrees */
	bool bad;			/* some subtree is bad */
	bool root_bad;
	bool dup;			/* some block is claimed twice */
	bool oom;
	const char *why;
	uint64_t bad_blk;
};

/* Mark @n blocks from @start in use; note the ones already in use. */
static void claim(struct iwalk *w, uint64_t start, uint64_t n)
{
	struct check *c = w->c;
	uint64_t b;

	for (b = start; b < start + n; b++) {
		if (vexfs_test_bit(c->block_used, b)) {
			vexfs_set_bit(c->block_dup, b);
			w->dup = true;
			c->ndup++;
		} else {
			vexfs_set_bit(c->block_used, b);
		}
	}
	w->blocks += n;
}

static int iw_node(void *priv, uint64_t pblk, unsigned int depth,
		   const char *why)
{
	struct iwalk *w = priv;

	(void)depth;
	if (why) {
		if (!w->bad) {
			w->why = why;
			w->bad_blk = pblk;
		}
		w->bad = true;
		return 0;
	}
	claim(w, pblk, 1);
	return 0;
}

static int iw_extent(void *priv, const struct vexfs_ext *ex)
{
	struct iwalk *w = priv;

	claim(w, ex->pblk, ex->len);
	if (vexfs_ext_list_add(&w->good, ex, NULL))
		w->oom = true;
	return 0;
}

static void iw_bad(void *priv, uint64_t pblk, unsigned int depth,
		   const char *why)
{
	struct iwalk *w = priv;

	(void)pblk;
	(void)depth;
	w->root_bad = true;
	w->why = why;
}

/* Replace an inode's extent tree by one holding @ext. */
int rebuild_extents(struct check *c, uint64_t ino,
		    struct vexfs_inode *inode,
		    const struct vexfs_ext *ext, size_t n,
		    uint64_t *nodes)
{
	struct vexfs_err err;

	note_freed(c, ino);
	if (vexfs_extent_build(&c->fs, &c->alloc, ino, inode, ext, n, nodes,
			       &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return -1;
	}
	return 0;
}

static void check_xattr_block(struct check *c, uint64_t ino,
			      struct vexfs_inode *inode, struct iwalk *w,
			      bool *dirty)
{
	uint64_t nr = le64(inode->i_xattr_block);
	struct vexfs_xattr_ent *xs;
	const char *why = NULL;
	struct vexfs_err err;
	int n, i, max = vexfs_xattr_max_entries(c->fs.bs);

	if (!nr)
		return;
	xs = calloc((size_t)max, sizeof(*xs));
	if (!xs) {
		c->oom = true;
		return;
	}
	n = vexfs_xattr_read_block(&c->fs, ino, inode, c->blk, &why, &err);
	if (!n)
		n = vexfs_xattr_parse(c->blk, c->fs.bs, xs, max, &why);
	else if (!why)
		why = err.msg;
	if (n < 0) {
		if (fix_problem(c, PR_1_XATTR_BAD, (unsigned long long)ino,
				(unsigned long long)nr, why)) {
			inode->i_xattr_block = 0;
			*dirty = true;
		}
		if (nr >= le64(c->fs.sb.s_data_start) &&
		    nr < le64(c->fs.sb.s_blocks_count) && !inode->i_xattr_block)
			goto out;
		if (nr < le64(c->fs.sb.s_data_start) ||
		    nr >= le64(c->fs.sb.s_blocks_count))
			goto out;
	}
	claim(w, nr, 1);
	for (i = 0; i < n; i++) {
		uint64_t vino = xs[i].value_ino;

		if (!vino)
			continue;
		if (c->nxref == c->xref_cap) {
			size_t cap = c->xref_cap ? c->xref_cap * 2 : 16;
			struct xref *x = realloc(c->xref, cap * sizeof(*x));

			if (!x) {
				c->oom = true;
				break;
			}
			c->xref = x;
			c->xref_cap = cap;
		}
		c->xref[c->nxref].owner = ino;
		c->xref[c->nxref].vino = vino;
		c->xref[c->nxref].size = xs[i].size;
		c->nxref++;
	}
out:
	free(xs);
}

static void check_symlink(struct check *c, uint64_t ino,
			  struct vexfs_inode *inode)
{
	char *buf = malloc(c->fs.bs + 1);
	const char *why = NULL;
	struct vexfs_err err;
	int ret;

	if (!buf) {
		c->oom = true;
		return;
	}
	ret = vexfs_symlink_read(&c->fs, ino, inode, buf, &why, &err);
	if (ret && !why)
		why = err.msg;
	free(buf);
	if (ret && fix_problem(c, PR_1_SYMLINK_BAD, (unsigned long long)ino, why))
		clear_inode(c, ino);
}

/* Extents, xattrs, i_blocks and the type-specific checks of a sane inode. */
static void check_inode_data(struct check *c, uint64_t ino,
			     struct vexfs_inode *inode)
{
	struct vexfs_extent_visitor v = {
		.node = iw_node, .extent = iw_extent, .bad = iw_bad,
	};
	uint16_t mode = le16(inode->i_mode);
	uint32_t flags = le32(inode->i_flags);
	struct iwalk w = { .c = c, .ino = ino };
	bool dirty = false;
	struct vexfs_err err;
	uint64_t nodes;

	v.priv = &w;
	if ((flags & VEXFS_INODE_INLINE) && !S_ISLNK(mode)) {
		if (fix_problem(c, PR_1_INLINE_NOT_SYMLINK,
				(unsigned long long)ino, type_name(mode)))
			clear_inode(c, ino);
		return;
	}
	/* Flags a newer format may know: drop them, keep the inode. */
	if ((flags & ~VEXFS_INODE_FLAGS_ALL) &&
	    fix_problem(c, PR_1_INODE_FLAGS, (unsigned long long)ino,
			flags & ~VEXFS_INODE_FLAGS_ALL)) {
		flags &= VEXFS_INODE_FLAGS_ALL;
		inode->i_flags = cpu_le32(flags);
		c->ii[ino].flags = flags;
		dirty = true;
	}
	if (vexfs_extent_walk(&c->fs, ino, inode, &v, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		goto out;
	}
	if (w.oom)
		c->oom = true;
	if (w.root_bad) {
		if (ino == VEXFS_ROOT_INO ?
		    fix_problem(c, PR_1_ROOT_BAD, w.why) :
		    fix_problem(c, PR_1_EXTENT_ROOT_BAD, (unsigned long long)ino,
				w.why))
			clear_inode(c, ino);
		goto out;
	}
	if (w.bad && fix_problem(c, PR_1_EXTENT_BAD, (unsigned long long)ino,
				 (unsigned long long)w.bad_blk, w.why) &&
	    can_write(c)) {
		if (!rebuild_extents(c, ino, inode, w.good.e, w.good.n, &nodes)) {
			w.blocks = nodes;
			for (size_t k = 0; k < w.good.n; k++)
				w.blocks += w.good.e[k].len;
			dirty = true;
		}
	}
	if (w.dup && c->ndup_inodes < VEXFS_ARRAY_SIZE(c->dup_inodes))
		c->dup_inodes[c->ndup_inodes++] = ino;
	if (S_ISLNK(mode))
		check_symlink(c, ino, inode);
	if (c->ii[ino].state == IS_FREE)
		goto out;
	if ((S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) ||
	     S_ISSOCK(mode)) && (w.good.n || le64(inode->i_size))) {
		if (fix_problem(c, PR_1_SPECIAL_DATA, (unsigned long long)ino,
				type_name(mode)) && can_write(c)) {
			if (!rebuild_extents(c, ino, inode, NULL, 0, &nodes)) {
				w.blocks = 0;
				inode->i_size = 0;
				dirty = true;
			}
		}
	}
	if (vexfs_inode_size_check(inode, c->fs.bs) &&
	    fix_problem(c, PR_1_BAD_SIZE, (unsigned long long)ino,
			(unsigned long long)le64(inode->i_size))) {
		uint64_t end = 0;

		if (w.good.n)
			end = ((uint64_t)w.good.e[w.good.n - 1].lblk +
			       w.good.e[w.good.n - 1].len) * c->fs.bs;
		inode->i_size = cpu_le64(end);
		c->ii[ino].size = end;
		dirty = true;
	}
	check_xattr_block(c, ino, inode, &w, &dirty);
	if (le64(inode->i_blocks) != w.blocks &&
	    fix_problem(c, PR_1_BAD_I_BLOCKS, (unsigned long long)ino,
			(unsigned long long)le64(inode->i_blocks),
			(unsigned long long)w.blocks)) {
		inode->i_blocks = cpu_le64(w.blocks);
		dirty = true;
	}
	if (dirty)
		write_inode(c, ino, inode);
out:
	vexfs_ext_list_free(&w.good);
}

/*
 * A new, empty root directory.  The old root's blocks are freed by pass 5
 * (nothing owns them any more).
 */
void recreate_root(struct check *c, const struct vexfs_inode *old)
{
	struct vexfs_inode root;

	vexfs_inode_init_dir(&root, VEXFS_ROOT_INO, VEXFS_ROOT_INO, 0755,
			     (int64_t)time(NULL), le32(old->i_generation));
	write_inode(c, VEXFS_ROOT_INO, &root);
	c->ii[VEXFS_ROOT_INO].mode = le16(root.i_mode);
	c->ii[VEXFS_ROOT_INO].links = 2;
	c->ii[VEXFS_ROOT_INO].parent = VEXFS_ROOT_INO;
	c->ii[VEXFS_ROOT_INO].flags = 0;
	c->ii[VEXFS_ROOT_INO].size = 0;
	c->ii[VEXFS_ROOT_INO].state = IS_USED;
	c->root_recreated = true;
}

static void check_root(struct check *c, struct vexfs_inode *inode,
		       bool csum_ok)
{
	const char *why = vexfs_inode_sanity_check(inode, VEXFS_ROOT_INO);
	uint16_t mode = le16(inode->i_mode);

	if (!why && !S_ISDIR(mode)) {
		if (fix_problem(c, PR_1_ROOT_NOT_DIR, mode))
			recreate_root(c, inode);
		else
			c->stop_tree = true;
		return;
	} else if (why) {
		if (fix_problem(c, PR_1_ROOT_BAD, why))
			recreate_root(c, inode);
		else
			c->stop_tree = true;
		return;
	} else if (!csum_ok) {
		if (fix_problem(c, PR_1_INODE_CSUM,
				(unsigned long long)VEXFS_ROOT_INO))
			write_inode(c, VEXFS_ROOT_INO, inode);
	}
	c->ii[VEXFS_ROOT_INO].state = IS_USED;
}

/* A sane inode with a bad checksum gets a new one, anything else goes. */
static void check_other(struct check *c, uint64_t ino,
			struct vexfs_inode *inode, bool csum_ok)
{
	const char *why = vexfs_inode_sanity_check(inode, ino);

	if (csum_ok && le64(inode->i_ino) != ino) {
		if (fix_problem(c, PR_1_INODE_INO, (unsigned long long)ino,
				(unsigned long long)le64(inode->i_ino))) {
			inode->i_ino = cpu_le64(ino);
			write_inode(c, ino, inode);
		}
		why = vexfs_inode_sanity_check(inode, ino);
		if (why && !strcmp(why, "wrong inode number"))
			return;		/* -n: leave it alone */
	}
	if (csum_ok && why && !strcmp(why, "bad timestamp")) {
		if (fix_problem(c, PR_1_INODE_TIME, (unsigned long long)ino)) {
			inode->i_atime.nsec = inode->i_mtime.nsec = 0;
			inode->i_ctime.nsec = inode->i_crtime.nsec = 0;
			write_inode(c, ino, inode);
		}
		why = NULL;
	}
	if (why) {
		if (fix_problem(c, PR_1_INODE_BAD, (unsigned long long)ino, why))
			clear_inode(c, ino);
		return;
	}
	if (!csum_ok) {
		if (fix_problem(c, PR_1_INODE_CSUM, (unsigned long long)ino))
			write_inode(c, ino, inode);
		else
			return;		/* the kernel will not read it */
	}
	c->ii[ino].state = IS_USED;
}

static void note_inode(struct check *c, uint64_t ino,
		       const struct vexfs_inode *inode)
{
	struct ino_info *ii = &c->ii[ino];
	uint16_t mode = le16(inode->i_mode);

	ii->mode = mode;
	ii->links = le16(inode->i_links_count);
	ii->flags = le32(inode->i_flags);
	ii->parent = le64(inode->i_parent);
	ii->size = le64(inode->i_size);
	if (S_ISDIR(mode))
		c->dirs++;
	else if (S_ISREG(mode))
		c->files++;
}

static void check_inode(struct check *c, uint64_t ino,
			struct vexfs_inode *inode)
{
	bool in_use = vexfs_test_bit(c->imap.bits, ino);
	bool csum_ok = le32(inode->i_checksum) ==
		       vexfs_inode_csum(c->fs.seed, inode);

	if (ino == VEXFS_ROOT_INO) {
		check_root(c, inode, csum_ok);
		if (c->ii[ino].state == IS_USED && !c->root_recreated) {
			note_inode(c, ino, inode);
			check_inode_data(c, ino, inode);
		}
		return;
	}
	/* Reserved slots other than the root hold nothing yet. */
	if (ino < VEXFS_FIRST_INO)
		return;
	if (!in_use) {
		/*
		 * The kernel zeroes an inode it frees: a sane, checksummed
		 * inode with links here is in use and lost its bit (pass 5
		 * puts it back), as e2fsck trusts inodes over the bitmap.
		 */
		if (!le16(inode->i_mode) || !le16(inode->i_links_count) ||
		    !csum_ok || vexfs_inode_sanity_check(inode, ino))
			return;
		vexfs_set_bit(c->inode_used, ino);
	}
	if (!le16(inode->i_mode)) {
		if (fix_problem(c, PR_1_INODE_EMPTY, (unsigned long long)ino))
			vexfs_clear_bit(c->inode_used, ino);
		return;
	}
	if (csum_ok)
		check_orphan_mark(c, ino, inode);
	check_other(c, ino, inode, csum_ok);
	if (c->ii[ino].state != IS_USED)
		return;
	/* Checksummed anew by check_other(): its orphan mark counts now. */
	if (!csum_ok)
		check_orphan_mark(c, ino, inode);
	note_inode(c, ino, inode);
	check_inode_data(c, ino, inode);
}

int pass1(struct check *c, struct vexfs_err *err)
{
	uint64_t ipb = c->fs.bs / VEXFS_INODE_SIZE;
	uint64_t inodes = le64(c->fs.sb.s_inodes_count);
	uint64_t start = le64(c->fs.sb.s_inode_table_start);
	uint64_t nblocks = (inodes + ipb - 1) / ipb, k, i;
	struct vexfs_inode *table;
	int ret = 0;

	pass_header(c, 1, "Checking inodes, extent trees and xattr blocks");
	ret = release_orphans(c, err);
	if (ret || c->stop)
		return ret;
	table = malloc(c->fs.bs);
	if (!table)
		return vexfs_errf(err, ENOMEM, "out of memory");
	for (k = 0; k < nblocks && !ret && !c->stop; k++) {
		ret = vexfs_read_block(&c->fs.dev, start + k, table, err);
		for (i = 0; i < ipb && !ret && !c->stop; i++) {
			uint64_t ino = k * ipb + i;

			if (ino && ino < inodes)
				check_inode(c, ino, &table[i]);
		}
		progress(c, 1, k + 1, nblocks);
	}
	free(table);
	if (c->oom && !ret)
		ret = vexfs_errf(err, ENOMEM, "out of memory");
	if (c->opts->verbose && !ret)
		out(c, "%" PRIu64 " directories, %" PRIu64 " regular files\n",
		    c->dirs, c->files);
	return ret;
}
