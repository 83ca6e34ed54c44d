// SPDX-License-Identifier: GPL-2.0
/*
 * pass1c.c - pass 1C: the orphan list, finished before pass 1 scans the
 * inodes, as e2fsck does; and pass 1's check of an inode marked orphan
 * that the list does not reach.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsck.h"

/*
 * Cut an inode's blocks past @size, as the kernel's truncation would
 * have.  Tree blocks, if the shorter tree needs new ones, come from the
 * on-disk bitmap (pass 1 has not yet said which blocks are in use), and
 * are marked there at once.
 */
static int orphan_truncate(struct check *c, uint64_t ino,
			   struct vexfs_inode *inode)
{
	size_t bytes = (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	uint64_t keep = (le64(inode->i_size) + c->fs.bs - 1) / c->fs.bs;
	uint64_t nodes, blocks = 0, n;
	struct vexfs_ext_list list;
	struct vexfs_alloc alloc;
	struct vexfs_err err;
	uint8_t *map;
	size_t k, out_n = 0;
	int ret;

	if (vexfs_extent_list(&c->fs, ino, inode, &list, &err)) {
		out(c, "%s: inode %llu: %s\n", c->name, (unsigned long long)ino,
		    err.msg);
		c->uncorrected = true;
		return -1;
	}
	for (k = 0; k < list.n; k++) {
		struct vexfs_ext e = list.e[k];

		if (e.lblk >= keep)
			continue;
		if (e.lblk + (uint64_t)e.len > keep)
			e.len = (uint32_t)(keep - e.lblk);
		list.e[out_n++] = e;
		blocks += e.len;
	}
	map = malloc(bytes);
	if (!map) {
		vexfs_ext_list_free(&list);
		c->oom = true;
		return -1;
	}
	memcpy(map, c->bmap.bits, bytes);
	vexfs_alloc_init(&alloc, map, &c->fs.sb);
	note_freed(c, ino);
	ret = vexfs_extent_build(&c->fs, &alloc, ino, inode, list.e, out_n,
				 &nodes, &err);
	if (ret) {
		out(c, "%s: inode %llu: %s\n", c->name, (unsigned long long)ino,
		    err.msg);
		c->uncorrected = true;
	} else {
		for (n = le64(c->fs.sb.s_data_start);
		     n < le64(c->fs.sb.s_blocks_count); n++)
			if (vexfs_test_bit(map, n) &&
			    !vexfs_test_bit(c->bmap.bits, n)) {
				vexfs_set_bit(c->bmap.bits, n);
				c->bmap_rewrite = true;
			}
		inode->i_blocks = cpu_le64(blocks + nodes +
					   (inode->i_xattr_block ? 1 : 0));
	}
	free(map);
	vexfs_ext_list_free(&list);
	return ret;
}

/* Why inode @ino cannot be on the orphan list; NULL if it can. */
static const char *orphan_insanity(struct check *c, uint64_t ino,
				   struct vexfs_inode *inode)
{
	if (ino < VEXFS_FIRST_INO || ino >= c->ninodes)
		return "not an inode number";
	if (vexfs_inode_read_raw(&c->fs, ino, inode, NULL))
		return "unreadable";
	if (!le16(inode->i_mode) || !vexfs_test_bit(c->imap.bits, ino))
		return "a free inode";
	if (le32(inode->i_checksum) != vexfs_inode_csum(c->fs.seed, inode) ||
	    vexfs_inode_sanity_check(inode, ino))
		return "a corrupt inode";
	if (!(le32(inode->i_flags) & VEXFS_INODE_ORPHAN))
		return "an inode in use that is not an orphan";
	return NULL;
}

/*
 * Walk the orphan list from s_last_orphan and finish what the kernel
 * would at mount (vexfs_orphan_cleanup()): an inode without links is
 * freed, one with links loses its blocks past i_size and leaves the list.
 * A bad entry or a loop ends the list there; inodes cut off that way are
 * then found in pass 1 (check_orphan_mark()).
 */
int release_orphans(struct check *c, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	uint64_t ino = le64(sb->s_last_orphan), prev = 0;
	bool declined = false;

	c->orphan_listed = calloc(c->ninodes / 8 + 1, 1);
	if (!c->orphan_listed)
		return vexfs_errf(err, ENOMEM, "out of memory");
	if (!ino)
		return 0;
	while (ino && !c->stop) {
		unsigned long long i = (unsigned long long)ino;
		struct vexfs_inode inode;
		const char *why;
		uint64_t next;
		uint16_t mode;

		if (ino < c->ninodes && vexfs_test_bit(c->orphan_listed, ino)) {
			fix_problem(c, PR_1C_ORPHAN_LOOP, i,
				    (unsigned long long)prev);
			break;
		}
		why = orphan_insanity(c, ino, &inode);
		if (why) {
			fix_problem(c, PR_1C_ORPHAN_BAD, i, why);
			break;
		}
		vexfs_set_bit(c->orphan_listed, ino);
		next = le64(inode.i_next_orphan);
		mode = le16(inode.i_mode);
		if (!le16(inode.i_links_count)) {
			if (fix_problem(c, PR_1C_ORPHAN_FREE, i, type_name(mode),
					(unsigned long long)le64(inode.i_size))) {
				if (can_write(c))
					c->counts_stale = true;
				clear_inode(c, ino);
			} else {
				declined = true;
			}
		} else {
			if (S_ISREG(mode) &&
			    !fix_problem(c, PR_1C_ORPHAN_TRUNCATE, i,
					 type_name(mode),
					 (unsigned long long)le64(inode.i_size))) {
				declined = true;
			} else if (can_write(c)) {
				c->counts_stale = true;
				if (S_ISREG(mode) &&
				    orphan_truncate(c, ino, &inode))
					return 0;
				inode.i_flags = cpu_le32(le32(inode.i_flags) &
							 ~VEXFS_INODE_ORPHAN);
				inode.i_next_orphan = 0;
				write_inode(c, ino, &inode);
			}
		}
		if (declined)
			break;
		prev = ino;
		ino = next;
	}
	/*
	 * The list is done (or cut): empty it.  If a fix was declined, the
	 * list goes on from that inode, untouched.
	 */
	if (!can_write(c) || c->stop)
		return 0;
	if (le64(sb->s_last_orphan) != (declined ? ino : 0)) {
		sb->s_last_orphan = cpu_le64(declined ? ino : 0);
		c->sb_dirty = true;
	}
	return 0;
}

/* Did pass 1C free inode @ino, as the orphan list asked? */
bool orphan_released(struct check *c, uint64_t ino)
{
	return can_write(c) && c->orphan_listed && ino < c->ninodes &&
	       vexfs_test_bit(c->orphan_listed, ino) &&
	       c->ii[ino].state == IS_FREE;
}

/* Pass 1: an inode marked orphan that the orphan list does not reach. */
void check_orphan_mark(struct check *c, uint64_t ino, struct vexfs_inode *inode)
{
	uint32_t flags = le32(inode->i_flags);

	if (!(flags & VEXFS_INODE_ORPHAN) ||
	    (c->orphan_listed && vexfs_test_bit(c->orphan_listed, ino)))
		return;
	if (!fix_problem(c, PR_1C_ORPHAN_STRAY, (unsigned long long)ino))
		return;
	inode->i_flags = cpu_le32(flags & ~VEXFS_INODE_ORPHAN);
	inode->i_next_orphan = 0;
	/* (without links it is then an inode to clear: check_other()) */
	write_inode(c, ino, inode);
}
