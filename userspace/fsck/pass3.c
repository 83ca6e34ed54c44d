// SPDX-License-Identifier: GPL-2.0
/*
 * pass3.c - pass 3: connectivity: every directory reaches the root, or is
 * linked into /lost+found.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "fsck.h"

/* A free inode number for lost+found, from what pass 1 found. */
uint64_t find_free_ino(struct check *c)
{
	uint64_t ino;

	for (ino = VEXFS_FIRST_INO; ino < c->ninodes; ino++)
		if (c->ii[ino].state == IS_FREE &&
		    !vexfs_test_bit(c->inode_used, ino))
			return ino;
	return 0;
}

/* Make sure /lost+found exists; Return: its inode, or 0. */
static uint64_t get_lost_found(struct check *c)
{
	struct vexfs_dirent_list root_list;
	struct vexfs_inode root, lf;
	uint64_t ino;

	if (c->lost_found)
		return c->lost_found;
	if (c->lf_failed)
		return 0;
	c->lf_failed = true;
	if (!fix_problem(c, PR_3_NO_LPF) || !can_write(c))
		return 0;
	ino = find_free_ino(c);
	if (!ino) {
		out(c, "%s: no free inode for /lost+found\n", c->name);
		c->uncorrected = true;
		return 0;
	}
	if (dir_load(c, VEXFS_ROOT_INO, &root, &root_list))
		return 0;
	if (vexfs_dirent_find(&root_list, "lost+found", 10) >= 0) {
		/* the name is taken by something that is not a directory */
		out(c, "%s: /lost+found is not a directory; move it away and run fsck again\n",
		    c->name);
		c->uncorrected = true;
		vexfs_dirent_list_free(&root_list);
		return 0;
	}
	vexfs_inode_init_dir(&lf, ino, VEXFS_ROOT_INO, 0700,
			     (int64_t)time(NULL), 0);
	write_inode(c, ino, &lf);
	if (vexfs_dirent_add(&root_list,
			     vexfs_name_hash(&c->fs.sb, "lost+found", 10), ino,
			     VEXFS_FT_DIR, "lost+found", 10, NULL) ||
	    dir_store(c, VEXFS_ROOT_INO, &root, &root_list)) {
		vexfs_dirent_list_free(&root_list);
		return 0;
	}
	vexfs_dirent_list_free(&root_list);
	vexfs_set_bit(c->inode_used, ino);
	inode_alloc_stats(c, ino, true);
	if (c->pass4_root_done)
		set_links(c, VEXFS_ROOT_INO,
			  (uint16_t)(c->ii[VEXFS_ROOT_INO].links + 1));
	c->ii[ino] = (struct ino_info){
		.state = IS_USED, .mode = le16(lf.i_mode), .links = 2,
		.parent = VEXFS_ROOT_INO, .found_in = VEXFS_ROOT_INO,
		.refs = 1,
	};
	c->ii[VEXFS_ROOT_INO].subdirs++;
	c->lost_found = ino;
	c->lf_failed = false;
	return ino;
}

/* Link inode @ino into /lost+found as "#ino". */
bool reconnect(struct check *c, uint64_t ino)
{
	struct vexfs_dirent_list list;
	struct vexfs_inode lf;
	uint64_t lfino = get_lost_found(c);
	char name[32];
	int len;

	if (!lfino)
		return false;
	if (dir_load(c, lfino, &lf, &list))
		return false;
	/* "#ino", or "#ino.N" if a file of that name is already there */
	len = snprintf(name, sizeof(name), "#%llu", (unsigned long long)ino);
	for (int n = 1; vexfs_dirent_find(&list, name, (size_t)len) >= 0; n++)
		len = snprintf(name, sizeof(name), "#%llu.%d",
			       (unsigned long long)ino, n);
	if (vexfs_dirent_add(&list, vexfs_name_hash(&c->fs.sb, name, (size_t)len),
			     ino, vexfs_mode_to_ftype(c->ii[ino].mode), name,
			     (size_t)len, NULL) ||
	    dir_store(c, lfino, &lf, &list)) {
		vexfs_dirent_list_free(&list);
		c->uncorrected = true;
		return false;
	}
	vexfs_dirent_list_free(&list);
	c->ii[ino].refs++;
	if (S_ISDIR(c->ii[ino].mode)) {
		c->ii[ino].found_in = lfino;
		c->ii[lfino].subdirs++;
	}
	return true;
}

void set_parent(struct check *c, uint64_t ino, uint64_t parent)
{
	struct vexfs_inode inode;

	c->ii[ino].parent = parent;
	if (!can_write(c) || read_inode(c, ino, &inode))
		return;
	inode.i_parent = cpu_le64(parent);
	write_inode(c, ino, &inode);
}

/*
 * Break a loop of directories at @ino: its entry leaves the directory of
 * the loop that holds it, and it goes to /lost+found instead (its '..'
 * follows in pass 3, the link counts in pass 4).  Everything hanging from
 * the loop is then connected again.
 */
static void break_dir_loop(struct check *c, uint64_t ino)
{
	uint64_t dir = c->ii[ino].found_in;
	struct vexfs_dirent_list list;
	struct vexfs_inode inode;
	size_t i, keep;

	if (!can_write(c) || !get_lost_found(c)) {
		c->uncorrected = true;
		return;
	}
	if (dir_load(c, dir, &inode, &list)) {
		c->uncorrected = true;
		return;
	}
	for (i = 0, keep = 0; i < list.n; i++)
		if (list.d[i].ino != ino)
			list.d[keep++] = list.d[i];
	list.n = keep;
	if (dir_store(c, dir, &inode, &list)) {
		vexfs_dirent_list_free(&list);
		return;
	}
	vexfs_dirent_list_free(&list);
	c->ii[dir].subdirs--;
	c->ii[ino].refs--;
	c->ii[ino].found_in = 0;
	if (!reconnect(c, ino))
		c->uncorrected = true;
}

/* Does following found_in from @ino reach the root? */
bool reaches_root(struct check *c, uint64_t ino)
{
	uint64_t steps = 0;

	while (ino != VEXFS_ROOT_INO) {
		ino = c->ii[ino].found_in;
		if (!ino || ++steps > c->dirs + 1)
			return false;
	}
	return true;
}

int pass3(struct check *c, struct vexfs_err *err)
{
	uint64_t ino;

	(void)err;
	pass_header(c, 3, "Checking directory connectivity");
	if (c->ii[VEXFS_ROOT_INO].state != IS_USED)
		return 0;
	c->ii[VEXFS_ROOT_INO].found_in = VEXFS_ROOT_INO;
	for (ino = VEXFS_FIRST_INO; ino < c->ninodes && !c->stop; ino++) {
		struct ino_info *ii = &c->ii[ino];

		if (ii->state != IS_USED || !S_ISDIR(ii->mode) ||
		    (ii->flags & VEXFS_INODE_HIDDEN))
			continue;
		if (!reaches_root(c, ino)) {
			/* reconnect the top of the detached subtree */
			uint64_t top = ino, steps = 0;

			/*
			 * A chain of parents longer than there are
			 * directories goes round a loop, and @top is then
			 * in it.
			 */
			while (c->ii[top].found_in &&
			       ++steps <= c->dirs + 1)
				top = c->ii[top].found_in;
			if (c->ii[top].found_in) {
				if (fix_problem(c, PR_3_DIR_LOOP,
						(unsigned long long)top,
						(unsigned long long)c->ii[top].found_in))
					break_dir_loop(c, top);
				continue;
			}
			if (fix_problem(c, PR_3_UNCONNECTED_DIR,
					(unsigned long long)top,
					(unsigned long long)c->ii[top].parent))
				reconnect(c, top);
		}
	}
	for (ino = VEXFS_FIRST_INO; ino < c->ninodes && !c->stop; ino++) {
		struct ino_info *ii = &c->ii[ino];

		if (ii->state != IS_USED || !S_ISDIR(ii->mode) ||
		    !ii->found_in || ii->parent == ii->found_in)
			continue;
		if (fix_problem(c, PR_3_BAD_PARENT, (unsigned long long)ino,
				(unsigned long long)ii->parent,
				(unsigned long long)ii->found_in))
			set_parent(c, ino, ii->found_in);
	}
	if (c->ii[VEXFS_ROOT_INO].parent != VEXFS_ROOT_INO &&
	    fix_problem(c, PR_3_BAD_PARENT, (unsigned long long)VEXFS_ROOT_INO,
			(unsigned long long)c->ii[VEXFS_ROOT_INO].parent,
			(unsigned long long)VEXFS_ROOT_INO))
		set_parent(c, VEXFS_ROOT_INO, VEXFS_ROOT_INO);
	progress(c, 3, 1, 1);
	return 0;
}
