// SPDX-License-Identifier: GPL-2.0
/*
 * pass1b.c - pass 1B: blocks claimed by two owners; the first keeps them,
 * every later claimant gets a copy.
 */
#include <errno.h>
#include <stdlib.h>

#include "fsck.h"

/*
 * The first inode (in inode order) to claim a block keeps it; every later
 * claimant gets a copy of the data, as e2fsck's pass 1B-1D clone does.
 */
static int clone_inode(struct check *c, uint64_t ino, uint8_t *claimed)
{
	struct vexfs_ext_list list, out_list = { 0 };
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t nodes, blocks = 0, dups = 0;
	uint8_t *buf = c->blk;
	size_t k;
	int ret = 0;

	if (read_inode(c, ino, &inode))
		return 0;
	if (vexfs_extent_list(&c->fs, ino, &inode, &list, &err))
		return 0;	/* reported in pass 1 */
	for (k = 0; k < list.n; k++)
		for (uint64_t b = 0; b < list.e[k].len; b++) {
			uint64_t p = list.e[k].pblk + b;

			if (!vexfs_test_bit(c->block_dup, p))
				continue;
			if (vexfs_test_bit(claimed, p))
				dups++;
		}
	if (!dups) {
		/* first claimant: keep the blocks */
		for (k = 0; k < list.n; k++)
			for (uint64_t b = 0; b < list.e[k].len; b++)
				vexfs_set_bit(claimed, list.e[k].pblk + b);
		goto out;
	}
	if (!fix_problem(c, PR_1B_DUP_BLOCKS, (unsigned long long)ino,
			 (unsigned long long)dups) || !can_write(c))
		goto out;
	for (k = 0; k < list.n && !ret; k++) {
		struct vexfs_ext e = list.e[k];
		uint32_t b;

		for (b = 0; b < e.len && !ret; b++) {
			uint64_t p = e.pblk + b, np, got;
			struct vexfs_ext one = { .lblk = e.lblk + b, .len = 1 };

			if (vexfs_test_bit(c->block_dup, p) &&
			    vexfs_test_bit(claimed, p)) {
				if (vexfs_alloc_blocks(&c->alloc, 1, &np, &got)) {
					out(c, "%s: no free block to copy block %llu of inode %llu into\n",
					    c->name, (unsigned long long)p,
					    (unsigned long long)ino);
					c->uncorrected = true;
					ret = -1;
					break;
				}
				if (vexfs_read_block(&c->fs.dev, p, buf, &err) ||
				    vexfs_write_block(&c->fs.dev, np, buf, &err)) {
					out(c, "%s: %s\n", c->name, err.msg);
					c->uncorrected = true;
					ret = -1;
					break;
				}
				one.pblk = np;
			} else {
				one.pblk = p;
				vexfs_set_bit(claimed, p);
			}
			/* merge with the previous mapping when contiguous */
			if (out_list.n) {
				struct vexfs_ext *last = &out_list.e[out_list.n - 1];

				if (last->lblk + last->len == one.lblk &&
				    last->pblk + last->len == one.pblk &&
				    last->len < VEXFS_EXT_MAX_LEN) {
					last->len++;
					continue;
				}
			}
			if (vexfs_ext_list_add(&out_list, &one, &err))
				ret = -1;
		}
	}
	if (!ret && !rebuild_extents(c, ino, &inode, out_list.e, out_list.n,
				     &nodes)) {
		for (k = 0; k < out_list.n; k++)
			blocks += out_list.e[k].len;
		blocks += nodes + (inode.i_xattr_block ? 1 : 0);
		inode.i_blocks = cpu_le64(blocks);
		write_inode(c, ino, &inode);
	}
out:
	vexfs_ext_list_free(&out_list);
	vexfs_ext_list_free(&list);
	return 0;
}

int pass1b(struct check *c, struct vexfs_err *err)
{
	uint64_t nbits = le64(c->fs.sb.s_blocks_count);
	uint8_t *claimed;
	size_t i;
	uint64_t ino;

	if (!c->ndup)
		return 0;
	pass_header(c, 1, "B: Cloning blocks claimed by more than one inode");
	claimed = calloc(nbits / 8 + 1, 1);
	if (!claimed)
		return vexfs_errf(err, ENOMEM, "out of memory");
	/* every in-use inode, in order, so that the first claimant keeps */
	for (ino = 1; ino < c->ninodes && !c->stop; ino++) {
		bool listed = false;

		if (c->ii[ino].state != IS_USED)
			continue;
		for (i = 0; i < c->ndup_inodes; i++)
			listed |= c->dup_inodes[i] == ino;
		if (listed || (c->ndup_inodes &&
			       ino < c->dup_inodes[c->ndup_inodes - 1]))
			clone_inode(c, ino, claimed);
	}
	free(claimed);
	return 0;
}
