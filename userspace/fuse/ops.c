// SPDX-License-Identifier: GPL-2.0
/*
 * ops.c - the FUSE operations of vexfs-fuse, read-only, over libvexfs.
 *
 * FUSE node IDs are VexFS inode numbers, except that FUSE's root (1) is
 * VexFS's root (VEXFS_ROOT_INO); st_ino is always the VexFS number.
 * Nothing here knows the format: libvexfs reads and checks every
 * structure with the kernel's rules (common/), and what it finds
 * corrupt becomes EIO and a log line naming the inode, as the kernel's
 * -EFSCORRUPTED does.  The image cannot change under a read-only mount
 * (main.c refuses an image the kernel has mounted), so directories are
 * read and checked once and cached, and the kernel may cache everything
 * for as long as it likes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <unistd.h>

#include "vexfs-fuse.h"

#define VFUSE_TIMEOUT	86400.0	/* nothing changes: cache for a day */
#define EMBEDDING_NAME	"user.vexfs.embedding"

void vfuse_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(LOG_ERR, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	fputs("vexfs-fuse: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static struct vfuse *vf_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static uint64_t to_vexfs(fuse_ino_t nodeid)
{
	return nodeid == FUSE_ROOT_ID ? VEXFS_ROOT_INO : nodeid;
}

static fuse_ino_t to_fuse(uint64_t ino)
{
	return ino == VEXFS_ROOT_INO ? FUSE_ROOT_ID : ino;
}

/*
 * The errno a library failure gives the caller: corruption is EIO, as
 * the kernel's EFSCORRUPTED reaches users, and is logged.
 */
static int fail(struct vfuse *vf, int ret, const struct vexfs_err *err)
{
	if (ret == -ENOMEM)
		return ENOMEM;
	vfuse_log("%s: %s", vf->image, err->msg[0] ? err->msg : strerror(-ret));
	return EIO;
}

/*
 * Read an inode a directory entry or a node ID names, checked with the
 * kernel's rule (common/inode.c, through vexfs_inode_read()).  Hidden
 * inodes (stores, value inodes) and free ones are never reachable.
 */
static int get_inode(struct vfuse *vf, uint64_t ino, struct vexfs_inode *inode)
{
	struct vexfs_err err = { "" };
	int ret = vexfs_inode_read(&vf->fs, ino, inode, &err);

	if (ret)
		return fail(vf, ret, &err);
	if ((le32(inode->i_flags) & VEXFS_INODE_HIDDEN) ||
	    !le16(inode->i_links_count)) {
		vexfs_errf(&err, EUCLEAN, "inode %llu: %s, but reached from a directory",
			   (unsigned long long)ino,
			   le16(inode->i_links_count) ? "hidden" : "unlinked");
		return fail(vf, -EUCLEAN, &err);
	}
	return 0;
}

/* The type bits of a directory entry's file type, for readdir. */
static mode_t ftype_mode(uint8_t type)
{
	switch (type) {
	case VEXFS_FT_REG_FILE: return S_IFREG;
	case VEXFS_FT_DIR: return S_IFDIR;
	case VEXFS_FT_CHRDEV: return S_IFCHR;
	case VEXFS_FT_BLKDEV: return S_IFBLK;
	case VEXFS_FT_FIFO: return S_IFIFO;
	case VEXFS_FT_SOCK: return S_IFSOCK;
	case VEXFS_FT_SYMLINK: return S_IFLNK;
	default: return 0;
	}
}

/* The new_encode_dev() the kernel stores in i_rdev, decoded. */
static dev_t decode_dev(uint32_t dev)
{
	return makedev((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
}

static void fill_stat(const struct vfuse *vf, uint64_t ino,
		      const struct vexfs_inode *inode, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = le16(inode->i_mode);
	st->st_nlink = le16(inode->i_links_count);
	st->st_uid = le32(inode->i_uid);
	st->st_gid = le32(inode->i_gid);
	st->st_size = (off_t)le64(inode->i_size);
	st->st_blksize = vf->fs.bs;
	st->st_blocks = (blkcnt_t)(le64(inode->i_blocks) * (vf->fs.bs / 512));
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		st->st_rdev = decode_dev(le32(inode->i_rdev));
	st->st_atim.tv_sec = (time_t)le64(inode->i_atime.sec);
	st->st_atim.tv_nsec = le32(inode->i_atime.nsec);
	st->st_mtim.tv_sec = (time_t)le64(inode->i_mtime.sec);
	st->st_mtim.tv_nsec = le32(inode->i_mtime.nsec);
	st->st_ctim.tv_sec = (time_t)le64(inode->i_ctime.sec);
	st->st_ctim.tv_nsec = le32(inode->i_ctime.nsec);
}

/* ------------------------------------------------------------------ */
/* The directory cache                                                 */
/* ------------------------------------------------------------------ */

struct dir_fill {
	struct vfuse *vf;
	struct vfuse_dir *d;
	struct vexfs_err *err;
	const char *why;
	uint32_t bad_lblk;
};

static void dir_fill_bad(void *priv, uint32_t lblk, const char *why)
{
	struct dir_fill *f = priv;

	if (!f->why) {
		f->why = why;
		f->bad_lblk = lblk;
	}
}

static int dir_fill_entry(void *priv, const struct vexfs_dir_entry *de,
			  uint32_t lblk)
{
	struct dir_fill *f = priv;
	const char *why = vexfs_dir_entry_check(de,
					le64(f->vf->fs.sb.s_inodes_count));

	if (why) {
		dir_fill_bad(f, lblk, why);
		return -EUCLEAN;
	}
	return vexfs_dirent_add(&f->d->l, le64(de->de_hash), le64(de->de_ino),
				de->de_file_type, de->de_name, de->de_name_len,
				f->err);
}

void vfuse_dir_cache_free(struct vfuse *vf)
{
	unsigned int b;

	for (b = 0; b < VFUSE_DIR_BUCKETS; b++) {
		while (vf->dirs[b]) {
			struct vfuse_dir *d = vf->dirs[b];

			vf->dirs[b] = d->next;
			vexfs_dirent_list_free(&d->l);
			free(d);
		}
	}
	vf->dir_entries = 0;
}

/*
 * The entries of directory @ino, read and checked on first use.  A
 * directory with any corrupt block gives EIO as a whole: the kernel
 * would fail on that block, and half a listing is not one.
 * Return: 0 with *@out, or a positive errno.
 */
static int dir_get(struct vfuse *vf, uint64_t ino,
		   const struct vexfs_inode *inode, struct vfuse_dir **out)
{
	unsigned int b = ino % VFUSE_DIR_BUCKETS;
	struct vexfs_err err = { "" };
	struct vexfs_dir_visitor v;
	struct dir_fill f = { .vf = vf, .err = &err };
	struct vfuse_dir *d;
	int ret;

	for (d = vf->dirs[b]; d; d = d->next) {
		if (d->ino == ino) {
			*out = d;
			return 0;
		}
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->ino = ino;
	f.d = d;
	v = (struct vexfs_dir_visitor){ .priv = &f, .bad = dir_fill_bad,
					.entry = dir_fill_entry };
	ret = vexfs_dir_walk(&vf->fs, ino, inode, &v, &err);
	if (!ret && f.why)
		ret = vexfs_errf(&err, EUCLEAN, "directory %llu: block %u: %s",
				 (unsigned long long)ino, f.bad_lblk, f.why);
	if (ret) {
		vexfs_dirent_list_free(&d->l);
		free(d);
		return fail(vf, ret, &err);
	}
	if (vf->dir_entries + d->l.n > VFUSE_DIR_CACHE_MAX)
		vfuse_dir_cache_free(vf);
	vf->dir_entries += d->l.n;
	d->next = vf->dirs[b];
	vf->dirs[b] = d;
	*out = d;
	return 0;
}

/* The entry @name of @d, found by its hash, or NULL. */
static const struct vexfs_dirent *dir_find(const struct vfuse *vf,
					   const struct vfuse_dir *d,
					   const char *name)
{
	size_t len = strlen(name), lo = 0, hi = d->l.n;
	uint64_t hash;

	if (!len || len > VEXFS_NAME_LEN)
		return NULL;
	hash = vexfs_name_hash(&vf->fs.sb, name, len);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->l.d[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->l.n && d->l.d[lo].hash == hash; lo++)
		if (d->l.d[lo].name_len == len &&
		    !memcmp(d->l.d[lo].name, name, len))
			return &d->l.d[lo];
	return NULL;
}

/* Read directory @ino's inode and its entries. */
static int dir_open(struct vfuse *vf, uint64_t ino, struct vexfs_inode *inode,
		    struct vfuse_dir **d)
{
	int ret = get_inode(vf, ino, inode);

	if (ret)
		return ret;
	if (!S_ISDIR(le16(inode->i_mode)))
		return ENOTDIR;
	return dir_get(vf, ino, inode, d);
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */
/* ------------------------------------------------------------------ */

static void vfuse_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* The kernel enforces ACLs it reads with getxattr. */
	if (conn->capable & FUSE_CAP_POSIX_ACL)
		conn->want |= FUSE_CAP_POSIX_ACL;
}

static void vfuse_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vfuse *vf = vf_of(req);
	struct fuse_entry_param e;
	const struct vexfs_dirent *de;
	struct vexfs_inode inode;
	struct vfuse_dir *d;
	int ret;

	ret = dir_open(vf, to_vexfs(parent), &inode, &d);
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	de = dir_find(vf, d, name);
	if (!de) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	ret = get_inode(vf, de->ino, &inode);
	if (!ret && vexfs_mode_to_ftype(le16(inode.i_mode)) != de->type) {
		vfuse_log("%s: directory %llu: entry %s has the file type of another kind of inode (%llu)",
			  vf->image, (unsigned long long)to_vexfs(parent), name,
			  (unsigned long long)de->ino);
		ret = EIO;
	}
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = to_fuse(de->ino);
	e.generation = le32(inode.i_generation);
	e.attr_timeout = VFUSE_TIMEOUT;
	e.entry_timeout = VFUSE_TIMEOUT;
	fill_stat(vf, de->ino, &inode, &e.attr);
	fuse_reply_entry(req, &e);
}

static void vfuse_getattr(fuse_req_t req, fuse_ino_t nodeid,
			  struct fuse_file_info *fi)
{
	struct vfuse *vf = vf_of(req);
	struct vexfs_inode inode;
	struct stat st;
	int ret;

	(void)fi;
	ret = get_inode(vf, to_vexfs(nodeid), &inode);
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	fill_stat(vf, to_vexfs(nodeid), &inode, &st);
	fuse_reply_attr(req, &st, VFUSE_TIMEOUT);
}

static void vfuse_readlink(fuse_req_t req, fuse_ino_t nodeid)
{
	struct vfuse *vf = vf_of(req);
	struct vexfs_err err = { "" };
	struct vexfs_inode inode;
	const char *why = NULL;
	char *buf;
	int ret;

	ret = get_inode(vf, to_vexfs(nodeid), &inode);
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	if (!S_ISLNK(le16(inode.i_mode))) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	buf = malloc(vf->fs.bs + 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	ret = vexfs_symlink_read(&vf->fs, to_vexfs(nodeid), &inode, buf, &why,
				 &err);
	if (ret && why)
		vexfs_errf(&err, EUCLEAN, "symlink %llu: %s",
			   (unsigned long long)to_vexfs(nodeid), why);
	if (ret)
		fuse_reply_err(req, fail(vf, ret, &err));
	else
		fuse_reply_readlink(req, buf);
	free(buf);
}

/* What an open file keeps: its mapping, read once. */
struct ofile {
	struct vexfs_ext_list list;
	uint64_t size;
};

static void vfuse_open(fuse_req_t req, fuse_ino_t nodeid,
		       struct fuse_file_info *fi)
{
	struct vfuse *vf = vf_of(req);
	uint64_t ino = to_vexfs(nodeid);
	struct vexfs_err err = { "" };
	struct vexfs_inode inode;
	struct ofile *of;
	int ret;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	ret = get_inode(vf, ino, &inode);
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	if (S_ISDIR(le16(inode.i_mode))) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if (!S_ISREG(le16(inode.i_mode))) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	of = calloc(1, sizeof(*of));
	if (!of) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	of->size = le64(inode.i_size);
	ret = vexfs_extent_list(&vf->fs, ino, &inode, &of->list, &err);
	if (ret) {
		free(of);
		fuse_reply_err(req, fail(vf, ret, &err));
		return;
	}
	fi->fh = (uintptr_t)of;
	fi->keep_cache = 1;	/* the data cannot change */
	fuse_reply_open(req, fi);
}

static void vfuse_read(fuse_req_t req, fuse_ino_t nodeid, size_t size,
		       off_t off, struct fuse_file_info *fi)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;
	struct vfuse *vf = vf_of(req);
	struct vexfs_err err = { "" };
	ssize_t got;
	char *buf;

	(void)nodeid;
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	got = vexfs_file_pread(&vf->fs, &of->list, of->size, (uint64_t)off,
			       buf, size, &err);
	if (got < 0)
		fuse_reply_err(req, fail(vf, (int)got, &err));
	else
		fuse_reply_buf(req, buf, (size_t)got);
	free(buf);
}

static void vfuse_release(fuse_req_t req, fuse_ino_t nodeid,
			  struct fuse_file_info *fi)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;

	(void)nodeid;
	vexfs_ext_list_free(&of->list);
	free(of);
	fuse_reply_err(req, 0);
}

static void vfuse_opendir(fuse_req_t req, fuse_ino_t nodeid,
			  struct fuse_file_info *fi)
{
	struct vfuse *vf = vf_of(req);
	struct vexfs_inode inode;
	struct vfuse_dir *d;
	int ret;

	ret = dir_open(vf, to_vexfs(nodeid), &inode, &d);
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

/*
 * Offsets: 1 is past ".", 2 past "..", 2 + i + 1 past entry i (in hash
 * order).  The directory never changes, so an offset stays valid.
 */
static void vfuse_readdir(fuse_req_t req, fuse_ino_t nodeid, size_t size,
			  off_t off, struct fuse_file_info *fi)
{
	struct vfuse *vf = vf_of(req);
	uint64_t ino = to_vexfs(nodeid);
	struct vexfs_inode inode;
	struct vfuse_dir *d;
	size_t used = 0;
	char *buf;
	int ret;

	(void)fi;
	ret = dir_open(vf, ino, &inode, &d);
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (; off >= 0 && (uint64_t)off < d->l.n + 2; off++) {
		struct stat st = { 0 };
		char name[VEXFS_NAME_LEN + 1];
		size_t need;

		if (off == 0) {
			strcpy(name, ".");
			st.st_ino = ino;
			st.st_mode = S_IFDIR;
		} else if (off == 1) {
			strcpy(name, "..");
			st.st_ino = le64(inode.i_parent);
			st.st_mode = S_IFDIR;
		} else {
			const struct vexfs_dirent *de = &d->l.d[off - 2];

			memcpy(name, de->name, de->name_len);
			name[de->name_len] = '\0';
			st.st_ino = de->ino;
			st.st_mode = ftype_mode(de->type);
		}
		need = fuse_add_direntry(req, buf + used, size - used, name,
					 &st, off + 1);
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void vfuse_statfs(fuse_req_t req, fuse_ino_t nodeid)
{
	struct vfuse *vf = vf_of(req);
	const struct vexfs_super_block *sb = &vf->fs.sb;
	struct statvfs st;

	(void)nodeid;
	memset(&st, 0, sizeof(st));
	st.f_bsize = vf->fs.bs;
	st.f_frsize = vf->fs.bs;
	/* as the kernel's: the metadata regions are overhead */
	st.f_blocks = le64(sb->s_blocks_count) - le64(sb->s_data_start);
	st.f_bfree = vf->free_blocks;
	st.f_bavail = vf->free_blocks;
	st.f_files = le64(sb->s_inodes_count) - 1;
	st.f_ffree = vf->free_inodes;
	st.f_favail = vf->free_inodes;
	st.f_namemax = VEXFS_NAME_LEN;
	st.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &st);
}

/* ------------------------------------------------------------------ */
/* Extended attributes                                                 */
/* ------------------------------------------------------------------ */

/*
 * The attributes of @ino.  Return: the entry count (0 without a block),
 * with the block in *@blk for the caller to free, or a negative errno.
 */
static int xattrs_of(struct vfuse *vf, uint64_t ino,
		     const struct vexfs_inode *inode, uint8_t **blk,
		     struct vexfs_xattr_ent **xs)
{
	struct vexfs_err err = { "" };
	const char *why = NULL;
	int n;

	*blk = NULL;
	*xs = NULL;
	if (!le64(inode->i_xattr_block))
		return 0;
	*blk = malloc(vf->fs.bs);
	*xs = calloc(vexfs_xattr_max_entries(vf->fs.bs), sizeof(**xs));
	if (!*blk || !*xs)
		return -ENOMEM;
	n = vexfs_xattr_read_block(&vf->fs, ino, inode, *blk, &why, &err);
	if (!n)
		n = vexfs_xattr_parse(*blk, vf->fs.bs, *xs,
				      vexfs_xattr_max_entries(vf->fs.bs), &why);
	if (n < 0 && why)
		vexfs_errf(&err, EUCLEAN, "inode %llu: xattr block: %s",
			   (unsigned long long)ino, why);
	return n < 0 ? -fail(vf, n, &err) : n;
}

/* Reply with @value (@len bytes) as getxattr asks (@size 0: the size). */
static void reply_value(fuse_req_t req, const void *value, size_t len,
			size_t size)
{
	if (!size)
		fuse_reply_xattr(req, len);
	else if (size < len)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, value, len);
}

static void get_embedding(fuse_req_t req, struct vfuse *vf, uint64_t ino,
			  const struct vexfs_inode *inode, size_t size)
{
	struct vexfs_err err = { "" };
	uint32_t dim, *vec, i;
	int ret;

	ret = vexfs_embedding_read(&vf->fs, ino, inode, NULL, &dim, &err);
	if (ret == -ENODATA) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	if (ret) {
		fuse_reply_err(req, fail(vf, ret, &err));
		return;
	}
	if (!size) {
		fuse_reply_xattr(req, dim * 4);
		return;
	}
	vec = malloc(dim * 4);
	if (!vec) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	ret = vexfs_embedding_read(&vf->fs, ino, inode, vec, &dim, &err);
	if (ret) {
		fuse_reply_err(req, ret == -ENODATA ? ENODATA : fail(vf, ret, &err));
	} else {
		for (i = 0; i < dim; i++)
			vec[i] = htole32(vec[i]);
		reply_value(req, vec, dim * 4, size);
	}
	free(vec);
}

static void vfuse_getxattr(fuse_req_t req, fuse_ino_t nodeid, const char *name,
			   size_t size)
{
	struct vfuse *vf = vf_of(req);
	uint64_t ino = to_vexfs(nodeid);
	struct vexfs_xattr_ent *xs = NULL;
	struct vexfs_err err = { "" };
	struct vexfs_inode inode;
	const char *suffix;
	uint8_t *blk = NULL, index;
	void *value;
	int n, i, ret;

	ret = get_inode(vf, ino, &inode);
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	/* As the kernel's user handler: the embedding is never a stored xattr. */
	if (!strcmp(name, EMBEDDING_NAME)) {
		get_embedding(req, vf, ino, &inode, size);
		return;
	}
	if (vexfs_xattr_split_name(name, &index, &suffix)) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	n = xattrs_of(vf, ino, &inode, &blk, &xs);
	if (n < 0) {
		fuse_reply_err(req, -n);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (xs[i].index == index && !strcmp(xs[i].name, suffix))
			break;
	if (i == n) {
		fuse_reply_err(req, ENODATA);
		goto out;
	}
	if (!size || size < xs[i].size) {
		reply_value(req, NULL, xs[i].size, size);
		goto out;
	}
	value = malloc(xs[i].size ? xs[i].size : 1);
	if (!value) {
		fuse_reply_err(req, ENOMEM);
		goto out;
	}
	ret = vexfs_xattr_value_read(&vf->fs, ino, &xs[i], value, &err);
	if (ret)
		fuse_reply_err(req, fail(vf, ret, &err));
	else
		fuse_reply_buf(req, value, xs[i].size);
	free(value);
out:
	free(xs);
	free(blk);
}

/* Append @name and its NUL to the list being built. */
static void list_add(char *buf, size_t *used, const char *prefix,
		     const char *name, size_t cap)
{
	size_t plen = strlen(prefix), nlen = strlen(name);

	if (buf && *used + plen + nlen + 1 <= cap) {
		memcpy(buf + *used, prefix, plen);
		memcpy(buf + *used + plen, name, nlen + 1);
	}
	*used += plen + nlen + 1;
}

static void vfuse_listxattr(fuse_req_t req, fuse_ino_t nodeid, size_t size)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct vfuse *vf = vf_of(req);
	uint64_t ino = to_vexfs(nodeid);
	struct vexfs_xattr_ent *xs = NULL;
	struct vexfs_inode inode;
	uint8_t *blk = NULL;
	size_t used = 0;
	char *buf = NULL;
	int n, i, ret;

	ret = get_inode(vf, ino, &inode);
	if (ret) {
		fuse_reply_err(req, ret);
		return;
	}
	n = xattrs_of(vf, ino, &inode, &blk, &xs);
	if (n < 0) {
		fuse_reply_err(req, -n);
		goto out;
	}
	if (size) {
		buf = malloc(size);
		if (!buf) {
			fuse_reply_err(req, ENOMEM);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		const char *prefix = vexfs_xattr_prefix(xs[i].index);

		if (!prefix)
			continue;
		/*
		 * The kernel lists trusted.* to CAP_SYS_ADMIN only; FUSE
		 * does not pass capabilities, so root stands for it.
		 */
		if (xs[i].index == VEXFS_XATTR_INDEX_TRUSTED && ctx->uid)
			continue;
		list_add(buf, &used, prefix, xs[i].name, size);
	}
	/* The embedding is an xattr too, so that copies carry it. */
	if (le32(inode.i_collection) && le64(inode.i_vec_slot))
		list_add(buf, &used, "", EMBEDDING_NAME, size);
	if (!size)
		fuse_reply_xattr(req, used);
	else if (used > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, buf, used);
out:
	free(buf);
	free(xs);
	free(blk);
}

const struct fuse_lowlevel_ops vfuse_ops = {
	.init		= vfuse_init,
	.lookup		= vfuse_lookup,
	.getattr	= vfuse_getattr,
	.readlink	= vfuse_readlink,
	.open		= vfuse_open,
	.read		= vfuse_read,
	.release	= vfuse_release,
	.opendir	= vfuse_opendir,
	.readdir	= vfuse_readdir,
	.statfs		= vfuse_statfs,
	.getxattr	= vfuse_getxattr,
	.listxattr	= vfuse_listxattr,
};
