// SPDX-License-Identifier: GPL-2.0
/*
 * populate.c - fill a new filesystem from a directory tree (mkfs -d), as
 * mke2fs -d does: contents, modes, owners, times, xattrs, symlinks, hard
 * links, device nodes, fifos and sockets.  Directories are written with
 * vexfs_dir_build(), files with vexfs_extent_build(), so the result is
 * laid out the way the rest of the library reads it.  Documented in
 * libvexfs.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "libvexfs.h"
#include "vexfs_hnsw.h"
#include "vexfs_uapi.h"

struct hardlink {
	dev_t dev;
	ino_t ino;
	uint64_t vino;
};

/*
 * A vector collection being built: a source directory with the xattr
 * user.vexfs.collection ("dim=D,metric=l2|cosine|ip", optionally
 * ",m=M,ef_construction=E" for its ANN index); the slots of its store are
 * laid out in memory and written at the end, and so is its index when it
 * has VEXFS_INDEX_MIN_VECTORS embeddings or more, as the kernel would
 * build it.
 */
struct pcoll {
	uint32_t id, dim;
	uint8_t metric;
	uint16_t m, ef_construction;	/* index tunables, resolved */
	uint64_t root, store;
	struct vexfs_coll_geom g;
	uint8_t *img;			/* the store's blocks */
	uint64_t nslots, img_blocks;
};

struct pop {
	struct vexfs_fs *fs;
	struct pcoll *colls;
	size_t ncolls;
	uint32_t cur;			/* collection of what is added, or 0 */
	struct vexfs_bitmap imap, bmap;
	struct vexfs_alloc alloc;
	uint64_t next_ino;
	struct hardlink *links;
	size_t nlinks, links_cap;
	const struct vexfs_populate_opts *opts;
	uint8_t *blk;
	struct vexfs_err *err;
};

static void warn(struct pop *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct pop *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!p->opts || !p->opts->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->opts->warn(p->opts->priv, msg);
}

static int new_ino(struct pop *p, uint64_t *ino)
{
	uint64_t n;

	for (n = p->next_ino; n < p->imap.nbits; n++) {
		if (!vexfs_test_bit(p->imap.bits, n)) {
			vexfs_set_bit(p->imap.bits, n);
			p->next_ino = n + 1;
			*ino = n;
			return 0;
		}
	}
	return vexfs_errf(p->err, ENOSPC, "no free inode left");
}

#define COLL_XATTR	"user.vexfs.collection"
#define EMBED_XATTR	"user.vexfs.embedding"

static void set_ts(struct vexfs_timestamp *t, const struct timespec *ts)
{
	t->sec = cpu_le64((uint64_t)ts->tv_sec);
	t->nsec = cpu_le32((uint32_t)ts->tv_nsec);
	t->reserved = 0;
}

static void inode_from_stat(struct vexfs_inode *inode, uint64_t ino,
			    uint64_t parent, const struct stat *st)
{
	struct vexfs_extent_header *eh = (void *)inode->i_data;

	memset(inode, 0, sizeof(*inode));
	inode->i_mode = cpu_le16((uint16_t)st->st_mode);
	inode->i_links_count = cpu_le16(1);
	inode->i_uid = cpu_le32(st->st_uid);
	inode->i_gid = cpu_le32(st->st_gid);
	set_ts(&inode->i_atime, &st->st_atim);
	set_ts(&inode->i_mtime, &st->st_mtim);
	set_ts(&inode->i_ctime, &st->st_ctim);
	set_ts(&inode->i_crtime, &st->st_mtim);
	inode->i_ino = cpu_le64(ino);
	inode->i_parent = cpu_le64(parent);
	eh->eh_magic = cpu_le16(VEXFS_EXTENT_HDR_MAGIC);
	eh->eh_max = cpu_le16(VEXFS_ROOT_EXTENTS);
}

/* Write @len bytes from @fd (or @mem) as the data of @ino. */
static int write_data(struct pop *p, uint64_t ino, struct vexfs_inode *inode,
		      int fd, const uint8_t *mem, uint64_t len,
		      uint64_t *blocks)
{
	struct vexfs_fs *fs = p->fs;
	uint64_t nblocks = (len + fs->bs - 1) / fs->bs, done = 0, nodes;
	struct vexfs_ext_list list = { 0 };
	int ret = 0;

	*blocks = 0;
	if (nblocks > VEXFS_MAX_LBLK)
		return vexfs_errf(p->err, EFBIG, "file too large");
	while (done < nblocks && !ret) {
		uint64_t start, got, want = nblocks - done, k;
		struct vexfs_ext e;

		if (want > VEXFS_EXT_MAX_LEN)
			want = VEXFS_EXT_MAX_LEN;
		if (vexfs_alloc_blocks(&p->alloc, want, &start, &got)) {
			ret = vexfs_errf(p->err, ENOSPC,
					 "the filesystem is too small for the source tree");
			break;
		}
		for (k = 0; k < got && !ret; k++) {
			uint64_t off = (done + k) * fs->bs;
			size_t chunk = len - off < fs->bs ? (size_t)(len - off) : fs->bs;

			memset(p->blk, 0, fs->bs);
			if (mem) {
				memcpy(p->blk, mem + off, chunk);
			} else {
				ssize_t n = pread(fd, p->blk, chunk, (off_t)off);

				if (n < 0)
					ret = vexfs_errf(p->err, errno,
							 "read: %s",
							 strerror(errno));
				/* a file that shrank reads as zeros */
			}
			if (!ret)
				ret = vexfs_write_block(&fs->dev, start + k,
							p->blk, p->err);
		}
		e.lblk = (uint32_t)done;
		e.len = (uint32_t)got;
		e.pblk = start;
		e.flags = 0;
		if (!ret)
			ret = vexfs_ext_list_add(&list, &e, p->err);
		done += got;
	}
	if (!ret)
		ret = vexfs_extent_build(fs, &p->alloc, ino, inode, list.e, list.n,
					 &nodes, p->err);
	if (!ret)
		*blocks = nblocks + nodes;
	inode->i_size = cpu_le64(len);
	vexfs_ext_list_free(&list);
	return ret;
}

/* A hidden inode holding an xattr value too big for the block. */
static int value_inode(struct pop *p, uint64_t owner,
		       const struct vexfs_xattr_ent *x, uint64_t *vino)
{
	struct stat st;
	struct vexfs_inode inode;
	uint64_t blocks;
	int ret;

	ret = new_ino(p, vino);
	if (ret)
		return ret;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0600;
	inode_from_stat(&inode, *vino, owner, &st);
	inode.i_flags = cpu_le32(VEXFS_INODE_HIDDEN);
	ret = write_data(p, *vino, &inode, -1, x->value, x->size, &blocks);
	if (ret)
		return ret;
	inode.i_blocks = cpu_le64(blocks);
	return vexfs_inode_write(p->fs, *vino, &inode, p->err);
}

static int copy_xattrs(struct pop *p, const char *path, uint64_t ino,
		       struct vexfs_inode *inode, uint64_t *blocks)
{
	int max = vexfs_xattr_max_entries(p->fs->bs), n = 0, i, ret = 0;
	struct vexfs_xattr_ent *xs = NULL;
	uint8_t **vals = NULL;
	char *names = NULL, *name;
	ssize_t len;
	uint64_t nr, got;

	len = llistxattr(path, NULL, 0);
	if (len <= 0)
		return 0;	/* none, or not supported by the source */
	names = malloc((size_t)len);
	xs = calloc((size_t)max, sizeof(*xs));
	vals = calloc((size_t)max, sizeof(*vals));
	if (!names || !xs || !vals) {
		ret = vexfs_errf(p->err, ENOMEM, "out of memory");
		goto out;
	}
	len = llistxattr(path, names, (size_t)len);
	for (name = names; len > 0 && name < names + len;
	     name += strlen(name) + 1) {
		const char *suffix;
		uint8_t index;
		ssize_t vlen;

		/* What makes collections and embeddings, not attributes. */
		if (!strcmp(name, COLL_XATTR) || !strcmp(name, EMBED_XATTR))
			continue;

		/*
		 * POSIX ACLs are copied in their xattr form, which is also
		 * how the kernel stores them: the index is the whole name.
		 */
		if (vexfs_xattr_split_name(name, &index, &suffix) ||
		    !*suffix != (index == VEXFS_XATTR_INDEX_ACL_ACCESS ||
				 index == VEXFS_XATTR_INDEX_ACL_DEFAULT) ||
		    strlen(suffix) > 255) {
			warn(p, "%s: xattr %s not copied (namespace not stored by mkfs -d)",
			     path, name);
			continue;
		}
		if (n == max) {
			warn(p, "%s: too many xattrs; %s not copied", path, name);
			continue;
		}
		vlen = lgetxattr(path, name, NULL, 0);
		if (vlen < 0 || vlen > 65536)
			continue;
		vals[n] = malloc((size_t)vlen + 1);
		if (!vals[n]) {
			ret = vexfs_errf(p->err, ENOMEM, "out of memory");
			goto out;
		}
		vlen = lgetxattr(path, name, vals[n], (size_t)vlen);
		if (vlen < 0) {
			free(vals[n]);
			vals[n] = NULL;
			continue;
		}
		xs[n].index = index;
		xs[n].name_len = (uint8_t)strlen(suffix);
		memcpy(xs[n].name, suffix, xs[n].name_len);
		xs[n].size = (uint32_t)vlen;
		xs[n].value = vals[n];
		n++;
	}
	if (!n)
		goto out;
	/* Move the largest inline values out until the rest fit. */
	while (vexfs_xattr_pack(p->blk, p->fs->bs, xs, n) == -ENOSPC) {
		int big = -1;

		for (i = 0; i < n; i++)
			if (!xs[i].value_ino && xs[i].size &&
			    (big < 0 || xs[i].size > xs[big].size))
				big = i;
		if (big < 0) {
			ret = vexfs_errf(p->err, ENOSPC,
					 "%s: xattr names do not fit in a block",
					 path);
			goto out;
		}
		ret = value_inode(p, ino, &xs[big], &xs[big].value_ino);
		if (ret)
			goto out;
	}
	if (vexfs_alloc_blocks(&p->alloc, 1, &nr, &got)) {
		ret = vexfs_errf(p->err, ENOSPC,
				 "the filesystem is too small for the source tree");
		goto out;
	}
	vexfs_meta_block_init(p->blk, p->fs->bs, VEXFS_XATTR_MAGIC, nr, ino);
	vexfs_xattr_pack(p->blk, p->fs->bs, xs, n);
	vexfs_meta_block_seal(p->fs->seed, p->blk, p->fs->bs);
	ret = vexfs_write_block(&p->fs->dev, nr, p->blk, p->err);
	inode->i_xattr_block = cpu_le64(nr);
	(*blocks)++;
out:
	if (vals)
		for (i = 0; i < max; i++)
			free(vals[i]);
	free(vals);
	free(xs);
	free(names);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Vector collections                                                  */
/* ------------------------------------------------------------------ */

/*
 * If source directory @path is marked as a collection, start one rooted
 * at @ino; p->cur is then its id.  Return: 0 or an error.
 */
static int coll_begin(struct pop *p, const char *path, uint64_t ino)
{
	char val[128], *tok, *save = NULL;
	struct pcoll *c, *n;
	long dim = 0, m = 0, efc = 0;
	int metric = 0;
	ssize_t len;

	len = lgetxattr(path, COLL_XATTR, val, sizeof(val) - 1);
	if (len < 0)
		return 0;
	val[len] = '\0';
	for (tok = strtok_r(val, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;

		if (!strncmp(tok, "dim=", 4)) {
			dim = strtol(tok + 4, &end, 10);
			if (*end || end == tok + 4)
				dim = 0;
		} else if (!strncmp(tok, "metric=", 7)) {
			metric = vexfs_metric_parse(tok + 7);
		} else if (!strncmp(tok, "m=", 2)) {
			m = strtol(tok + 2, &end, 10);
			if (*end || end == tok + 2 || m < HNSW_MIN_M ||
			    m > HNSW_MAX_M)
				metric = -EINVAL;
		} else if (!strncmp(tok, "ef_construction=", 16)) {
			efc = strtol(tok + 16, &end, 10);
			if (*end || end == tok + 16 || efc < 1 ||
			    efc > HNSW_MAX_EF)
				metric = -EINVAL;
		} else {
			metric = -EINVAL;
		}
	}
	if (dim < 1 || dim > VEXFS_MAX_DIM || metric <= 0)
		return vexfs_errf(p->err, EINVAL,
				  "%s: bad %s (want dim=1..%d,metric=l2|cosine|ip[,m=%d..%d][,ef_construction=1..%d])",
				  path, COLL_XATTR, VEXFS_MAX_DIM, HNSW_MIN_M,
				  HNSW_MAX_M, HNSW_MAX_EF);
	if (p->cur)
		return vexfs_errf(p->err, EEXIST,
				  "%s: a collection cannot be inside another",
				  path);
	if (p->ncolls == VEXFS_MAX_COLLECTIONS)
		return vexfs_errf(p->err, ENOSPC, "%s: too many collections",
				  path);
	n = realloc(p->colls, (p->ncolls + 1) * sizeof(*n));
	if (!n)
		return vexfs_errf(p->err, ENOMEM, "out of memory");
	p->colls = n;
	c = &p->colls[p->ncolls];
	memset(c, 0, sizeof(*c));
	c->id = (uint32_t)++p->ncolls;
	c->dim = (uint32_t)dim;
	c->metric = (uint8_t)metric;
	c->m = (uint16_t)(m ? m : HNSW_DEFAULT_M);
	c->ef_construction = (uint16_t)(efc ? efc :
					HNSW_DEFAULT_EF_CONSTRUCTION);
	c->root = ino;
	vexfs_coll_geom(&c->g, p->fs->bs, c->dim);
	p->cur = c->id;
	return new_ino(p, &c->store);
}

/* Store @path's user.vexfs.embedding, if it has one, for file @ino. */
static int add_embedding(struct pop *p, const char *path, uint64_t ino,
			 struct vexfs_inode *inode)
{
	struct vexfs_err verr;
	struct pcoll *c;
	uint8_t *value;
	uint64_t lblk, need;
	uint32_t off;
	ssize_t len;
	int ret;

	len = lgetxattr(path, EMBED_XATTR, NULL, 0);
	if (len < 0)
		return 0;
	if (!p->cur) {
		warn(p, "%s: %s not stored: the file is in no collection", path,
		     EMBED_XATTR);
		return 0;
	}
	c = &p->colls[p->cur - 1];
	if (c->nslots >= c->g.max_slots)
		return vexfs_errf(p->err, ENOSPC, "%s: the collection is full",
				  path);
	value = malloc((size_t)len + 1);
	if (!value)
		return vexfs_errf(p->err, ENOMEM, "out of memory");
	len = lgetxattr(path, EMBED_XATTR, value, (size_t)len);
	need = vexfs_store_blocks(&c->g, c->nslots + 1);
	if (need > c->img_blocks) {
		uint64_t nb = need * 2;
		uint8_t *img = realloc(c->img, nb * p->fs->bs);

		if (!img) {
			free(value);
			return vexfs_errf(p->err, ENOMEM, "out of memory");
		}
		memset(img + c->img_blocks * p->fs->bs, 0,
		       (nb - c->img_blocks) * p->fs->bs);
		c->img = img;
		c->img_blocks = nb;
	}
	vexfs_slot_pos(&c->g, c->nslots + 1, &lblk, &off);
	ret = vexfs_slot_fill(p->fs->seed, &c->g, c->dim,
			      c->img + lblk * p->fs->bs + off, ino,
			      le32(inode->i_generation), value,
			      len < 0 ? 0 : (size_t)len, &verr);
	free(value);
	if (ret)
		return vexfs_errf(p->err, EINVAL, "%s: %s: %s", path,
				  EMBED_XATTR, verr.msg);
	inode->i_vec_slot = cpu_le64(++c->nslots);
	return 0;
}

/* A hidden regular inode holding @len bytes of @mem. */
static int hidden_file(struct pop *p, uint64_t ino, uint64_t parent,
		       const uint8_t *mem, uint64_t len)
{
	struct vexfs_inode inode;
	struct stat st;
	uint64_t blocks;
	int ret;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0600;
	clock_gettime(CLOCK_REALTIME, &st.st_mtim);
	st.st_atim = st.st_ctim = st.st_mtim;
	inode_from_stat(&inode, ino, parent, &st);
	inode.i_flags = cpu_le32(VEXFS_INODE_HIDDEN);
	ret = write_data(p, ino, &inode, -1, mem, len, &blocks);
	if (ret)
		return ret;
	inode.i_blocks = cpu_le64(blocks);
	return vexfs_inode_write(p->fs, ino, &inode, p->err);
}

/* vexfs_vindex_vec_fn over a store laid out in memory. */
static int pcoll_vec(void *priv, uint64_t slot, uint32_t *vec)
{
	const struct pcoll *c = priv;
	const struct vexfs_vec_slot *hdr;
	uint64_t lblk;
	uint32_t off, i;

	vexfs_slot_pos(&c->g, slot, &lblk, &off);
	hdr = (const void *)(c->img + lblk * c->g.bs + off);
	if (!hdr->vs_ino)
		return 0;
	for (i = 0; i < c->dim; i++)
		vec[i] = le32(hdr->vs_data[i]);
	return 1;
}

/*
 * The ANN index of collection @c, if the kernel would keep one: from
 * VEXFS_INDEX_MIN_VECTORS embeddings, for a metric the index core knows
 * and node records that fit a block.  Return: its inode, 0 or an error.
 */
static int write_index(struct pop *p, struct pcoll *c, uint64_t *index)
{
	struct vexfs_vindex_params prm = {
		.dim = c->dim, .metric = c->metric, .m = c->m,
		.ef_construction = c->ef_construction,
		.seed = vexfs_vindex_seed(p->fs->seed, c->id), .epoch = 1,
		.nslots = c->nslots,
	};
	struct vexfs_vindex_geom g;
	struct vexfs_inode inode;
	struct stat st;
	uint64_t ino;
	int ret;

	*index = 0;
	if (c->nslots < VEXFS_INDEX_MIN_VECTORS ||
	    c->metric != VEXFS_METRIC_L2 ||
	    vexfs_vindex_geom(&g, p->fs->bs, c->dim, c->m))
		return 0;
	ret = new_ino(p, &ino);
	if (ret)
		return ret;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0600;
	clock_gettime(CLOCK_REALTIME, &st.st_mtim);
	st.st_atim = st.st_ctim = st.st_mtim;
	inode_from_stat(&inode, ino, c->root, &st);
	inode.i_flags = cpu_le32(VEXFS_INODE_HIDDEN);
	ret = vexfs_vindex_build(p->fs, &p->alloc, ino, &inode, &prm,
				 pcoll_vec, c, p->err);
	if (!ret)
		ret = vexfs_inode_write(p->fs, ino, &inode, p->err);
	if (!ret)
		*index = ino;
	return ret;
}

/*
 * Write every collection: the stores and indexes, then the table and the
 * superblock fields the kernel sets when it makes the first collection.
 */
static int write_collections(struct pop *p)
{
	struct vexfs_super_block *sb = &p->fs->sb;
	const size_t dsize = sizeof(struct vexfs_collection);
	struct vexfs_collection *table;
	uint64_t table_ino;
	size_t i;
	int ret = 0;

	if (!p->ncolls)
		return 0;
	table = calloc(p->ncolls, dsize);
	if (!table)
		return vexfs_errf(p->err, ENOMEM, "out of memory");
	for (i = 0; i < p->ncolls && !ret; i++) {
		struct pcoll *c = &p->colls[i];
		struct vexfs_collection *d = &table[i];

		uint64_t index = 0;

		ret = hidden_file(p, c->store, c->root, c->img,
				  vexfs_store_blocks(&c->g, c->nslots) *
				  p->fs->bs);
		if (!ret)
			ret = write_index(p, c, &index);
		if (index)
			sb->s_feature_ro_compat =
				cpu_le32(le32(sb->s_feature_ro_compat) |
					 VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX);
		d->c_index_ino = cpu_le64(index);
		d->c_hnsw_m = cpu_le16(c->m);
		d->c_hnsw_ef_construction = cpu_le16(c->ef_construction);
		d->c_id = cpu_le32(c->id);
		d->c_dim = cpu_le16((uint16_t)c->dim);
		d->c_metric = c->metric;
		d->c_elem_type = VEXFS_ELEM_F32;
		d->c_root_ino = cpu_le64(c->root);
		d->c_store_ino = cpu_le64(c->store);
		d->c_count = cpu_le64(c->nslots);
		d->c_slots = cpu_le64(c->nslots);
		d->c_checksum = cpu_le32(vexfs_desc_csum(p->fs->seed, d));
	}
	if (!ret)
		ret = new_ino(p, &table_ino);
	if (!ret)
		ret = hidden_file(p, table_ino, VEXFS_ROOT_INO,
				  (const uint8_t *)table, p->ncolls * dsize);
	if (!ret) {
		sb->s_collections_ino = cpu_le64(table_ino);
		sb->s_collections_count = cpu_le32((uint32_t)p->ncolls);
		sb->s_feature_ro_compat =
			cpu_le32(le32(sb->s_feature_ro_compat) |
				 VEXFS_FEATURE_RO_COMPAT_COLLECTIONS);
	}
	free(table);
	return ret;
}

static int add_file(struct pop *p, const char *path, const struct stat *st,
		    uint64_t parent, uint64_t *ino_out);

/* Populate directory @ino from @path; its inode is written last. */
static int fill_dir(struct pop *p, const char *path, uint64_t ino,
		    uint64_t parent, const struct stat *st)
{
	struct vexfs_dirent_list list = { 0 };
	struct vexfs_inode inode;
	uint64_t blocks = 0, dblocks, subdirs = 0;
	uint32_t outer = p->cur;
	struct dirent *de;
	DIR *d;
	int ret;

	ret = coll_begin(p, path, ino);
	if (ret)
		return ret;
	d = opendir(path);
	if (!d)
		return vexfs_errf(p->err, errno, "%s: %s", path, strerror(errno));
	while (!ret && (de = readdir(d))) {
		char child[4096];
		struct stat cst;
		uint64_t cino;
		size_t nlen = strlen(de->d_name);

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path,
				     de->d_name) >= sizeof(child)) {
			ret = vexfs_errf(p->err, ENAMETOOLONG, "%s/%s: path too long",
					 path, de->d_name);
			break;
		}
		if (lstat(child, &cst)) {
			ret = vexfs_errf(p->err, errno, "%s: %s", child,
					 strerror(errno));
			break;
		}
		ret = add_file(p, child, &cst, ino, &cino);
		if (ret)
			break;
		if (!cino)
			continue;	/* skipped, with a warning */
		if (S_ISDIR(cst.st_mode))
			subdirs++;
		ret = vexfs_dirent_add(&list,
				       vexfs_name_hash(&p->fs->sb, de->d_name, nlen),
				       cino, vexfs_mode_to_ftype((uint16_t)cst.st_mode),
				       de->d_name, nlen, p->err);
	}
	closedir(d);
	if (ret)
		goto out;
	inode_from_stat(&inode, ino, parent, st);
	inode.i_collection = cpu_le32(p->cur);
	if (subdirs + 2 > VEXFS_LINK_MAX) {
		ret = vexfs_errf(p->err, EMLINK, "%s: too many subdirectories",
				 path);
		goto out;
	}
	inode.i_links_count = cpu_le16((uint16_t)(2 + subdirs));
	ret = vexfs_dir_build(p->fs, &p->alloc, ino, &inode, &list, &dblocks,
			      p->err);
	if (!ret)
		ret = copy_xattrs(p, path, ino, &inode, &blocks);
	if (ret)
		goto out;
	inode.i_blocks = cpu_le64(blocks + dblocks);
	ret = vexfs_inode_write(p->fs, ino, &inode, p->err);
out:
	p->cur = outer;
	vexfs_dirent_list_free(&list);
	return ret;
}

/* new_encode_dev(), as the kernel stores i_rdev */
static uint32_t encode_dev(dev_t dev)
{
	uint32_t ma = major(dev), mi = minor(dev);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffU) << 12);
}

static int add_file(struct pop *p, const char *path, const struct stat *st,
		    uint64_t parent, uint64_t *ino_out)
{
	struct vexfs_inode inode;
	uint64_t ino, blocks = 0;
	size_t i;
	int ret = 0, fd;

	*ino_out = 0;
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		for (i = 0; i < p->nlinks; i++) {
			if (p->links[i].dev != st->st_dev ||
			    p->links[i].ino != st->st_ino)
				continue;
			ret = vexfs_inode_read_raw(p->fs, p->links[i].vino,
						   &inode, p->err);
			if (ret)
				return ret;
			if (le32(inode.i_collection) != p->cur)
				return vexfs_errf(p->err, EXDEV,
						  "%s: a hard link across a collection boundary",
						  path);
			if (le16(inode.i_links_count) >= VEXFS_LINK_MAX)
				return vexfs_errf(p->err, EMLINK,
						  "%s: too many links", path);
			inode.i_links_count =
				cpu_le16(le16(inode.i_links_count) + 1);
			*ino_out = p->links[i].vino;
			return vexfs_inode_write(p->fs, *ino_out, &inode,
						 p->err);
		}
	}
	ret = new_ino(p, &ino);
	if (ret)
		return ret;
	if (S_ISDIR(st->st_mode)) {
		ret = fill_dir(p, path, ino, parent, st);
		if (!ret)
			*ino_out = ino;
		return ret;
	}
	inode_from_stat(&inode, ino, parent, st);
	inode.i_collection = cpu_le32(p->cur);
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return vexfs_errf(p->err, errno, "%s: %s", path,
					  strerror(errno));
		ret = write_data(p, ino, &inode, fd, NULL, (uint64_t)st->st_size,
				 &blocks);
		close(fd);
		if (!ret)
			ret = add_embedding(p, path, ino, &inode);
		break;
	case S_IFLNK: {
		char target[VEXFS_MAX_BLOCK_SIZE + 1];
		ssize_t n = readlink(path, target, sizeof(target) - 1);

		if (n < 0)
			return vexfs_errf(p->err, errno, "%s: %s", path,
					  strerror(errno));
		if ((size_t)n >= p->fs->bs)
			return vexfs_errf(p->err, ENAMETOOLONG,
					  "%s: symlink target longer than a block",
					  path);
		target[n] = '\0';
		if ((size_t)n + 1 <= VEXFS_INODE_DATA_SIZE) {
			memset(inode.i_data, 0, sizeof(inode.i_data));
			memcpy(inode.i_data, target, (size_t)n + 1);
			inode.i_flags = cpu_le32(VEXFS_INODE_INLINE);
			inode.i_size = cpu_le64((uint64_t)n);
		} else {
			ret = write_data(p, ino, &inode, -1, (uint8_t *)target,
					 (uint64_t)n, &blocks);
		}
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
		inode.i_rdev = cpu_le32(encode_dev(st->st_rdev));
		break;
	case S_IFIFO:
	case S_IFSOCK:
		break;
	default:
		warn(p, "%s: unknown file type 0%o; skipped", path,
		     st->st_mode & S_IFMT);
		vexfs_clear_bit(p->imap.bits, ino);
		return 0;
	}
	if (!ret)
		ret = copy_xattrs(p, path, ino, &inode, &blocks);
	if (ret)
		return ret;
	inode.i_blocks = cpu_le64(blocks);
	ret = vexfs_inode_write(p->fs, ino, &inode, p->err);
	if (ret)
		return ret;
	*ino_out = ino;
	if (st->st_nlink > 1) {
		if (p->nlinks == p->links_cap) {
			size_t cap = p->links_cap ? p->links_cap * 2 : 16;
			struct hardlink *l = realloc(p->links, cap * sizeof(*l));

			if (!l)
				return vexfs_errf(p->err, ENOMEM, "out of memory");
			p->links = l;
			p->links_cap = cap;
		}
		p->links[p->nlinks++] = (struct hardlink){
			st->st_dev, st->st_ino, ino };
	}
	return 0;
}

int vexfs_populate(struct vexfs_fs *fs, const char *src,
		   const struct vexfs_populate_opts *opts,
		   struct vexfs_err *err)
{
	struct pop p = { .fs = fs, .opts = opts, .err = err,
			 .next_ino = VEXFS_FIRST_INO };
	struct vexfs_super_block *sb = &fs->sb;
	struct stat st;
	int ret;

	if (lstat(src, &st))
		return vexfs_errf(err, errno, "%s: %s", src, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return vexfs_errf(err, ENOTDIR, "%s: not a directory", src);
	p.blk = malloc(fs->bs);
	if (!p.blk || vexfs_bitmap_init(&p.imap, sb, VEXFS_INODE_BITMAP) ||
	    vexfs_bitmap_init(&p.bmap, sb, VEXFS_BLOCK_BITMAP)) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	ret = vexfs_bitmap_load(fs, &p.imap, true, err);
	if (!ret)
		ret = vexfs_bitmap_load(fs, &p.bmap, true, err);
	if (ret)
		goto out;
	vexfs_alloc_init(&p.alloc, p.bmap.bits, sb);
	/* The root is already there, empty: fill it in place. */
	ret = fill_dir(&p, src, VEXFS_ROOT_INO, VEXFS_ROOT_INO, &st);
	if (!ret)
		ret = write_collections(&p);
	if (ret)
		goto out;
	ret = vexfs_bitmap_store(fs, &p.imap, err);
	if (!ret)
		ret = vexfs_bitmap_store(fs, &p.bmap, err);
	if (ret)
		goto out;
	sb->s_free_inodes = cpu_le64(vexfs_bitmap_count_clear(p.imap.bits,
							       p.imap.nbits));
	sb->s_free_blocks = cpu_le64(vexfs_bitmap_count_clear(p.bmap.bits,
							       p.bmap.nbits));
	ret = vexfs_super_write(&fs->dev, sb, err);
out:
	vexfs_bitmap_release(&p.imap);
	vexfs_bitmap_release(&p.bmap);
	for (size_t i = 0; i < p.ncolls; i++)
		free(p.colls[i].img);
	free(p.colls);
	free(p.links);
	free(p.blk);
	return ret;
}
