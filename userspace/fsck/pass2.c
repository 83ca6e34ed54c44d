// SPDX-License-Identifier: GPL-2.0
/*
 * pass2.c - pass 2: directory trees and their entries.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fsck.h"

struct dcheck {
	struct check *c;
	uint64_t ino;
	struct vexfs_dirent_list list;
	unsigned int nbad;
	uint32_t bad_lblk;
	const char *why;
	bool oom;
};

static void dc_bad(void *priv, uint32_t lblk, const char *why)
{
	struct dcheck *d = priv;

	if (!d->nbad++) {
		d->bad_lblk = lblk;
		d->why = why;
	}
}

static int dc_entry(void *priv, const struct vexfs_dir_entry *de,
		    uint32_t lblk)
{
	struct dcheck *d = priv;

	(void)lblk;
	if (vexfs_dirent_add(&d->list, le64(de->de_hash), le64(de->de_ino),
			     de->de_file_type, de->de_name, de->de_name_len,
			     NULL))
		d->oom = true;
	return 0;
}

static void name_printable(const struct vexfs_dirent *e, char *out, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < e->name_len && o + 5 < len; i++) {
		unsigned char ch = (unsigned char)e->name[i];

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
}

/* Load a directory's entries as they are (for adding to it). */
int dir_load(struct check *c, uint64_t ino, struct vexfs_inode *inode,
	     struct vexfs_dirent_list *list)
{
	struct dcheck d = { .c = c, .ino = ino };
	struct vexfs_dir_visitor v = { .priv = &d, .bad = dc_bad,
				       .entry = dc_entry };
	struct vexfs_err err;

	if (read_inode(c, ino, inode))
		return -1;
	if (vexfs_dir_walk(&c->fs, ino, inode, &v, &err) || d.oom) {
		vexfs_dirent_list_free(&d.list);
		return -1;
	}
	*list = d.list;
	return 0;
}

/* Write a directory anew with @list; update its i_size and i_blocks. */
int dir_store(struct check *c, uint64_t ino, struct vexfs_inode *inode,
	      struct vexfs_dirent_list *list)
{
	struct vexfs_err err;
	uint64_t blocks;

	if (!can_write(c))
		return 0;
	note_freed(c, ino);
	if (vexfs_dir_build(&c->fs, &c->alloc, ino, inode, list, &blocks,
			    &err)) {
		out(c, "%s: directory %llu: %s\n", c->name,
		    (unsigned long long)ino, err.msg);
		c->uncorrected = true;
		return -1;
	}
	inode->i_blocks = cpu_le64(blocks + (inode->i_xattr_block ? 1 : 0));
	c->ii[ino].size = le64(inode->i_size);
	write_inode(c, ino, inode);
	return 0;
}

static bool name_bad(const struct vexfs_dirent *e)
{
	return vexfs_dir_name_check(e->name, e->name_len);
}

/*
 * Check one entry of directory @dir.  Return: 1 to drop it, 0 to keep it;
 * *@changed is set when the entry was corrected in place.
 */
/*
 * Check one entry of directory @dir.  Return: 0 if it is good (perhaps
 * after a fix in place, which sets *@changed), 1 to drop it, 2 to keep a
 * bad entry that the user chose not to fix: it is left in the directory
 * but not counted as a reference (its inode number may not even be one).
 */
static int check_entry(struct check *c, uint64_t dir,
		       struct vexfs_dirent_list *list, size_t i, bool *changed)
{
	struct vexfs_dirent *e = &list->d[i];
	unsigned long long d = (unsigned long long)dir;
	unsigned long long ino = (unsigned long long)e->ino;
	struct ino_info *ii;
	uint64_t hash;
	char name[VEXFS_NAME_LEN * 4 + 1];
	uint8_t ft;

	name_printable(e, name, sizeof(name));
	if (name_bad(e))
		return fix_problem(c, PR_2_BAD_NAME, d, name) ? 1 : 2;
	if (e->ino < VEXFS_FIRST_INO || e->ino >= c->ninodes)
		return fix_problem(c, PR_2_BAD_INO, d, name, ino) ? 1 : 2;
	ii = &c->ii[e->ino];
	if (ii->state != IS_USED)
		return fix_problem(c, PR_2_UNUSED_INODE, d, name, ino) ? 1 : 2;
	if (ii->flags & VEXFS_INODE_HIDDEN)
		return fix_problem(c, PR_2_HIDDEN_INODE, d, name, ino) ? 1 : 2;
	if (vexfs_dirent_find(list, e->name, e->name_len) != (int)i)
		return fix_problem(c, PR_2_DUP_NAME, d, name) ? 1 : 2;
	if (S_ISDIR(ii->mode) && ii->found_in)
		return fix_problem(c, PR_2_DIR_LINKED_TWICE, d, name, ino,
				   (unsigned long long)ii->found_in) ? 1 : 2;
	hash = vexfs_name_hash(&c->fs.sb, e->name, e->name_len);
	if (e->hash != hash && fix_problem(c, PR_2_BAD_HASH, d, name,
					   (unsigned long long)e->hash,
					   (unsigned long long)hash)) {
		e->hash = hash;
		*changed = true;
	}
	ft = vexfs_mode_to_ftype(ii->mode);
	if (e->type != ft && fix_problem(c, PR_2_BAD_FTYPE, d, name, e->type,
					 ft)) {
		e->type = ft;
		*changed = true;
	}
	return 0;
}

static void check_dir(struct check *c, uint64_t ino)
{
	struct dcheck d = { .c = c, .ino = ino };
	struct vexfs_dir_visitor v = { .priv = &d, .bad = dc_bad,
				       .entry = dc_entry };
	struct vexfs_dirent_list *list;
	struct vexfs_inode inode;
	struct vexfs_err err;
	bool rebuild = false;
	size_t i, keep;

	if (read_inode(c, ino, &inode))
		return;
	if (vexfs_dir_walk(&c->fs, ino, &inode, &v, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		goto out;
	}
	if (d.oom) {
		c->oom = true;
		goto out;
	}
	if (d.nbad && fix_problem(c, PR_2_DIR_CORRUPT, (unsigned long long)ino,
				  (unsigned long long)d.bad_lblk, d.why)) {
		vexfs_dirent_list_free(&d.list);
		if (vexfs_dir_salvage(&c->fs, ino, &inode, &d.list, &err)) {
			out(c, "%s: %s\n", c->name, err.msg);
			c->uncorrected = true;
			goto out;
		}
		if (c->opts->verbose)
			out(c, "Directory %llu: %zu entries salvaged\n",
			    (unsigned long long)ino, d.list.n);
		rebuild = true;
	}
	list = &d.list;
	for (i = 0, keep = 0; i < list->n; i++) {
		bool changed = false;

		int verdict = check_entry(c, ino, list, i, &changed);

		if (verdict == 1) {
			rebuild = true;
			continue;
		}
		if (verdict == 2) {
			list->d[keep++] = list->d[i];
			continue;
		}
		rebuild |= changed;
		if (S_ISDIR(c->ii[list->d[i].ino].mode)) {
			c->ii[list->d[i].ino].found_in = ino;
			c->ii[ino].subdirs++;
		} else if (!c->ii[list->d[i].ino].found_in) {
			c->ii[list->d[i].ino].found_in = ino;
		}
		c->ii[list->d[i].ino].refs++;
		list->d[keep++] = list->d[i];
	}
	list->n = keep;
	if (ino == VEXFS_ROOT_INO) {
		int lf = vexfs_dirent_find(list, "lost+found", 10);

		if (lf >= 0 && list->d[lf].ino < c->ninodes &&
		    S_ISDIR(c->ii[list->d[lf].ino].mode))
			c->lost_found = list->d[lf].ino;
	}
	if (rebuild)
		dir_store(c, ino, &inode, list);
out:
	vexfs_dirent_list_free(&d.list);
}

int pass2(struct check *c, struct vexfs_err *err)
{
	uint64_t ino;

	pass_header(c, 2, "Checking directory structure");
	for (ino = 1; ino < c->ninodes && !c->stop; ino++) {
		if (c->ii[ino].state == IS_USED && S_ISDIR(c->ii[ino].mode))
			check_dir(c, ino);
		if (!(ino % 1024))
			progress(c, 2, ino, c->ninodes);
	}
	progress(c, 2, c->ninodes, c->ninodes);
	if (c->oom)
		return vexfs_errf(err, ENOMEM, "out of memory");
	return 0;
}
