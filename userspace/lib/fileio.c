// SPDX-License-Identifier: GPL-2.0
/*
 * fileio.c - reading what a file holds, for readers that serve files
 * (vexfs-fuse, vexctl cat): byte ranges of file data, xattr values kept
 * in value inodes, and embeddings kept in a collection's vector store.
 *
 * Every read follows the kernel's rules for what it reads: unwritten
 * extents and holes read as zeros, a value inode must be the hidden
 * regular inode of its owner with the value's size (src/xattr.c
 * vexfs_value_iget()), and an embedding's slot must name its file and
 * carry a good checksum (src/vector.c vexfs_embedding_get()).  The
 * exported functions are documented in libvexfs.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libvexfs.h"

/* The extent holding @lblk, or the first one after it, or NULL. */
static const struct vexfs_ext *ext_at_or_after(const struct vexfs_ext_list *l,
					       uint64_t lblk)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vexfs_ext *e = &l->e[mid];

		if (lblk < e->lblk)
			hi = mid;
		else if (lblk - e->lblk >= e->len)
			lo = mid + 1;
		else
			return e;
	}
	return lo < l->n ? &l->e[lo] : NULL;
}

ssize_t vexfs_file_pread(struct vexfs_fs *fs, const struct vexfs_ext_list *list,
			 uint64_t size, uint64_t off, void *buf, size_t len,
			 struct vexfs_err *err)
{
	uint8_t *out = buf;
	size_t done = 0;
	int ret;

	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	while (done < len) {
		uint64_t pos = off + done;
		uint64_t lblk = pos / fs->bs;
		uint32_t in = (uint32_t)(pos % fs->bs);
		const struct vexfs_ext *e = ext_at_or_after(list, lblk);
		uint64_t run;		/* bytes from pos that map alike */

		if (!e || e->lblk > lblk) {
			/* a hole, up to the next extent */
			run = e ? (e->lblk - lblk) * fs->bs - in : len - done;
			if (run > len - done)
				run = len - done;
			memset(out + done, 0, run);
		} else {
			run = (e->lblk + (uint64_t)e->len - lblk) * fs->bs - in;
			if (run > len - done)
				run = len - done;
			if (e->flags & VEXFS_EXT_UNWRITTEN) {
				memset(out + done, 0, run);
			} else {
				ret = vexfs_dev_read(&fs->dev,
						     (e->pblk + (lblk - e->lblk)) *
						     fs->bs + in, out + done,
						     run, err);
				if (ret)
					return ret;
			}
		}
		done += run;
	}
	return (ssize_t)len;
}

int vexfs_xattr_value_read(struct vexfs_fs *fs, uint64_t owner,
			   const struct vexfs_xattr_ent *x, void *buf,
			   struct vexfs_err *err)
{
	struct vexfs_ext_list list;
	struct vexfs_inode vi;
	ssize_t got;
	int ret;

	if (!x->value_ino) {
		memcpy(buf, x->value, x->size);
		return 0;
	}
	if (x->value_ino == owner)
		return vexfs_errf(err, EUCLEAN,
				  "inode %llu: xattr value inode is the inode itself",
				  (unsigned long long)owner);
	ret = vexfs_inode_read(fs, x->value_ino, &vi, err);
	if (ret)
		return ret;
	if (!S_ISREG(le16(vi.i_mode)) || le64(vi.i_size) != x->size ||
	    !(le32(vi.i_flags) & VEXFS_INODE_HIDDEN) ||
	    le64(vi.i_xattr_block) || le64(vi.i_parent) != owner)
		return vexfs_errf(err, EUCLEAN,
				  "inode %llu: bad xattr value inode %llu",
				  (unsigned long long)owner,
				  (unsigned long long)x->value_ino);
	ret = vexfs_extent_list(fs, x->value_ino, &vi, &list, err);
	if (ret)
		return ret;
	got = vexfs_file_pread(fs, &list, x->size, 0, buf, x->size, err);
	vexfs_ext_list_free(&list);
	return got < 0 ? (int)got : 0;
}

/* Read @len bytes at @off of hidden inode @ino, verified, into @buf. */
static int hidden_read(struct vexfs_fs *fs, uint64_t ino, const char *what,
		       uint64_t off, void *buf, size_t len,
		       struct vexfs_err *err)
{
	struct vexfs_ext_list list;
	struct vexfs_inode vi;
	ssize_t got;
	int ret;

	ret = vexfs_inode_read(fs, ino, &vi, err);
	if (ret)
		return ret;
	if (!S_ISREG(le16(vi.i_mode)) ||
	    !(le32(vi.i_flags) & VEXFS_INODE_HIDDEN))
		return vexfs_errf(err, EUCLEAN, "%s inode %llu is not hidden",
				  what, (unsigned long long)ino);
	if (off > le64(vi.i_size) || len > le64(vi.i_size) - off)
		return vexfs_errf(err, EUCLEAN,
				  "%s inode %llu ends before byte %llu",
				  what, (unsigned long long)ino,
				  (unsigned long long)(off + len));
	ret = vexfs_extent_list(fs, ino, &vi, &list, err);
	if (ret)
		return ret;
	got = vexfs_file_pread(fs, &list, le64(vi.i_size), off, buf, len, err);
	vexfs_ext_list_free(&list);
	return got < 0 ? (int)got : 0;
}

int vexfs_collection_read(struct vexfs_fs *fs, uint32_t id,
			  struct vexfs_collection *d, struct vexfs_err *err)
{
	uint64_t table = le64(fs->sb.s_collections_ino);
	int ret;

	if (!table || !id || id > VEXFS_MAX_COLLECTIONS)
		return vexfs_errf(err, EUCLEAN, "no collection %u", id);
	ret = hidden_read(fs, table, "collections table",
			  (uint64_t)(id - 1) * sizeof(*d), d, sizeof(*d), err);
	if (ret)
		return ret;
	if (le32(d->c_checksum) != vexfs_desc_csum(fs->seed, d))
		return vexfs_errf(err, EBADMSG,
				  "collection %u: descriptor checksum mismatch",
				  id);
	if (le32(d->c_id) != id || !le16(d->c_dim) ||
	    le16(d->c_dim) > VEXFS_MAX_DIM ||
	    d->c_elem_type != VEXFS_ELEM_F32)
		return vexfs_errf(err, EUCLEAN,
				  "collection %u: bad descriptor", id);
	return 0;
}

int vexfs_embedding_read(struct vexfs_fs *fs, uint64_t ino,
			 const struct vexfs_inode *inode, uint32_t *vec,
			 uint32_t *dim, struct vexfs_err *err)
{
	uint32_t id = le32(inode->i_collection);
	uint64_t slot = le64(inode->i_vec_slot), lblk;
	const struct vexfs_vec_slot *hdr;
	struct vexfs_collection d;
	struct vexfs_coll_geom g;
	uint8_t *img;
	uint32_t off, i;
	int ret;

	if (!id || !slot)
		return -ENODATA;
	ret = vexfs_collection_read(fs, id, &d, err);
	if (ret)
		return ret;
	*dim = le16(d.c_dim);
	if (!vec)
		return 0;
	if (slot > le64(d.c_slots))
		return vexfs_errf(err, EUCLEAN,
				  "inode %llu: vector slot %llu beyond the store",
				  (unsigned long long)ino,
				  (unsigned long long)slot);
	vexfs_coll_geom(&g, fs->bs, *dim);
	vexfs_slot_pos(&g, slot, &lblk, &off);
	img = malloc(g.slot_size);
	if (!img)
		return vexfs_errf(err, ENOMEM, "out of memory");
	ret = hidden_read(fs, le64(d.c_store_ino), "vector store",
			  lblk * fs->bs + off, img, g.slot_size, err);
	hdr = (const void *)img;
	if (!ret && (le64(hdr->vs_ino) != ino ||
		     le32(hdr->vs_checksum) !=
		     vexfs_slot_csum(fs->seed, img, g.slot_size)))
		ret = vexfs_errf(err, EUCLEAN,
				 "collection %u: vector slot %llu of inode %llu is corrupt",
				 id, (unsigned long long)slot,
				 (unsigned long long)ino);
	for (i = 0; !ret && i < *dim; i++)
		vec[i] = le32(hdr->vs_data[i]);
	free(img);
	return ret;
}
