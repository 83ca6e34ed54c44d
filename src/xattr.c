// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - extended attributes.
 *
 * An inode's attributes live in one block (i_xattr_block): a struct
 * vexfs_block_header, then entries packed from the front, each a struct
 * vexfs_xattr_entry and its name padded to 4 bytes, ended by an entry
 * whose xe_index is 0; values are packed from the back of the block.  A
 * value that does not fit, up to the VFS limit of 64 KiB, is kept in a
 * hidden inode of its own (xe_value_ino) whose parent is the owner.  The
 * layout, parsed and packed, is common/xattr.c's, which libvexfs shares.
 *
 * Changes rebuild the whole block in memory and write it back, which keeps
 * the block compact without any in-place bookkeeping.
 *
 * Locking: vi->i_xattr_sem, shared to read and exclusive to change the
 * block; it nests inside the VFS's i_rwsem and outside the allocator.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "vexfs.h"
#include "vexfs_uapi.h"
#include <linux/xattr.h>

#define HDR_SIZE	sizeof(struct vexfs_block_header)

/*
 * Decode the entries of @inode's block @buf with the rules of
 * common/xattr.c.  Returns the entry count, or -EFSCORRUPTED, reported.
 */
static int vexfs_xattr_parse(struct inode *inode, const u8 *buf,
			     struct vexfs_xattr_item *out, int max)
{
	unsigned int n;
	const char *why;

	why = vexfs_xattr_block_parse(buf, inode->i_sb->s_blocksize, out, max,
				      &n);
	if (!why)
		return n;
	vexfs_error(inode->i_sb, "inode %llu: corrupt xattr block: %s",
		    (unsigned long long)inode->i_ino, why);
	return -EFSCORRUPTED;
}

static int vexfs_xattr_max(struct super_block *sb)
{
	return vexfs_xattr_max_items(sb->s_blocksize);
}

/* Read and verify the attribute block of @inode; NULL if it has none. */
static struct buffer_head *vexfs_xattr_read(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 blocknr = VEXFS_I(inode)->i_xattr_block;
	struct buffer_head *bh;
	int err;

	if (!blocknr)
		return NULL;
	if (blocknr < sbi->data_start || blocknr >= sbi->blocks_count) {
		vexfs_error(sb, "inode %llu: xattr block %llu out of range",
			    (unsigned long long)inode->i_ino, blocknr);
		return ERR_PTR(-EFSCORRUPTED);
	}
	bh = vexfs_sb_bread(sb, blocknr);
	if (!bh)
		return ERR_PTR(-EIO);
	/* The entries are checked on every walk; the bit skips the crc. */
	err = vexfs_bh_verify(sb, bh, VEXFS_XATTR_MAGIC, inode->i_ino);
	if (!err) {
		set_buffer_vexfs_verified(bh);
		err = vexfs_journal_get_write(sb, bh);
	}
	if (err) {
		brelse(bh);
		return ERR_PTR(err);
	}
	return bh;
}

static int vexfs_xattr_find(struct vexfs_xattr_item *xs, int n, u8 index,
			    const char *name, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (xs[i].index == index && xs[i].name_len == len &&
		    !memcmp(xs[i].name, name, len))
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Values kept in hidden inodes                                        */
/* ------------------------------------------------------------------ */

/* Copy @size bytes between @buf and the value inode. */
static int vexfs_value_io(struct inode *vino, void *buf, size_t size,
			  bool write)
{
	unsigned int bs = vino->i_sb->s_blocksize;
	size_t done;

	for (done = 0; done < size; done += bs) {
		size_t chunk = min_t(size_t, bs, size - done);
		struct buffer_head *bh;

		bh = vexfs_bread(vino, done / bs, write);
		if (IS_ERR_OR_NULL(bh))
			return bh ? PTR_ERR(bh) : -EFSCORRUPTED;
		if (write) {
			lock_buffer(bh);
			memcpy(bh->b_data, buf + done, chunk);
			unlock_buffer(bh);
			vexfs_dirty_metadata(vino->i_sb, vino, bh);
		} else {
			memcpy(buf + done, bh->b_data, chunk);
		}
		brelse(bh);
	}
	return 0;
}

/* Open the value inode of an attribute of @owner and check it. */
static struct inode *vexfs_value_iget(struct inode *owner, u64 ino, u32 size)
{
	struct inode *vino;

	/*
	 * The owner itself may be being evicted, and iget() of an inode in
	 * eviction waits for it to go: never ask for it.
	 */
	if (ino == owner->i_ino) {
		vexfs_error(owner->i_sb, "inode %llu: xattr value inode is the inode itself",
			    (unsigned long long)owner->i_ino);
		return ERR_PTR(-EFSCORRUPTED);
	}
	vino = vexfs_iget(owner->i_sb, ino);
	if (IS_ERR(vino))
		return vino;
	/* A value inode has no attributes of its own, so no chains. */
	if (!S_ISREG(vino->i_mode) || vino->i_size != size ||
	    !(VEXFS_I(vino)->i_flags & VEXFS_INODE_HIDDEN) ||
	    VEXFS_I(vino)->i_xattr_block ||
	    VEXFS_I(vino)->i_parent != owner->i_ino) {
		vexfs_error(owner->i_sb, "inode %llu: bad xattr value inode %llu",
			    (unsigned long long)owner->i_ino, ino);
		iput(vino);
		return ERR_PTR(-EFSCORRUPTED);
	}
	return vino;
}

/* Store a value in a new hidden inode; returns its number or an errno. */
static int vexfs_value_create(struct inode *owner, const void *value,
			      size_t size, u64 *ino)
{
	struct inode *vino;
	int err;

	vino = vexfs_new_hidden_inode(owner, S_IFREG | 0600);
	if (IS_ERR(vino))
		return PTR_ERR(vino);
	err = vexfs_value_io(vino, (void *)value, size, true);
	if (!err) {
		i_size_write(vino, size);
		mark_inode_dirty(vino);
		*ino = vino->i_ino;
		unlock_new_inode(vino);
	} else {
		clear_nlink(vino);
		discard_new_inode(vino);
		return err;
	}
	iput(vino);
	return 0;
}

/* Drop the hidden inode of a removed value; eviction frees it. */
static void vexfs_value_release(struct inode *owner, u64 ino, u32 size)
{
	struct inode *vino = vexfs_value_iget(owner, ino, size);

	if (IS_ERR(vino))
		return;
	clear_nlink(vino);
	mark_inode_dirty(vino);
	iput(vino);
}

/* ------------------------------------------------------------------ */
/* get / list / set                                                    */
/* ------------------------------------------------------------------ */

/**
 * vexfs_xattr_get() - read an extended attribute
 * @inode: the inode
 * @index: the namespace, VEXFS_XATTR_INDEX_*
 * @name: the name within the namespace
 * @buf: where to copy the value, or NULL to ask for its size
 * @size: the size of @buf
 *
 * Context: process context; takes vi->i_xattr_sem shared; may sleep.
 * Return: the size of the value, -ENODATA, -ERANGE if @buf is too small,
 * or another negative errno.
 */
int vexfs_xattr_get(struct inode *inode, int index, const char *name,
		    void *buf, size_t size)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct vexfs_xattr_item *xs = NULL;
	struct buffer_head *bh;
	int n, i, ret;

	down_read(&vi->i_xattr_sem);
	bh = vexfs_xattr_read(inode);
	ret = PTR_ERR_OR_ZERO(bh);
	if (IS_ERR_OR_NULL(bh)) {
		ret = ret ?: -ENODATA;
		goto out;
	}
	xs = kmalloc_array(vexfs_xattr_max(inode->i_sb), sizeof(*xs),
			   GFP_NOFS);
	ret = -ENOMEM;
	if (!xs)
		goto out_brelse;
	n = vexfs_xattr_parse(inode, bh->b_data, xs,
			      vexfs_xattr_max(inode->i_sb));
	ret = n;
	if (n < 0)
		goto out_brelse;
	i = vexfs_xattr_find(xs, n, index, name, strlen(name));
	ret = -ENODATA;
	if (i < 0)
		goto out_brelse;
	ret = xs[i].size;
	if (!buf)
		goto out_brelse;
	if (size < xs[i].size) {
		ret = -ERANGE;
	} else if (xs[i].value_ino) {
		struct inode *vino = vexfs_value_iget(inode, xs[i].value_ino,
						      xs[i].size);

		ret = PTR_ERR_OR_ZERO(vino);
		if (!ret) {
			ret = vexfs_value_io(vino, buf, xs[i].size, false);
			iput(vino);
		}
		ret = ret ?: xs[i].size;
	} else {
		memcpy(buf, xs[i].value, xs[i].size);
	}
out_brelse:
	brelse(bh);
out:
	kfree(xs);
	up_read(&vi->i_xattr_sem);
	return ret;
}

static const char *vexfs_xattr_prefix(u8 index, const struct dentry *dentry)
{
	switch (index) {
	case VEXFS_XATTR_INDEX_USER:
		return XATTR_USER_PREFIX;
	case VEXFS_XATTR_INDEX_TRUSTED:
		return capable(CAP_SYS_ADMIN) ? XATTR_TRUSTED_PREFIX : NULL;
	case VEXFS_XATTR_INDEX_SECURITY:
		return XATTR_SECURITY_PREFIX;
	case VEXFS_XATTR_INDEX_ACL_ACCESS:
		return IS_POSIXACL(d_inode(dentry)) ?
		       XATTR_NAME_POSIX_ACL_ACCESS : NULL;
	case VEXFS_XATTR_INDEX_ACL_DEFAULT:
		return IS_POSIXACL(d_inode(dentry)) ?
		       XATTR_NAME_POSIX_ACL_DEFAULT : NULL;
	default:
		return NULL;
	}
}

/**
 * vexfs_listxattr() - list the names of an inode's extended attributes
 * @dentry: the file
 * @buf: where to put the NUL-separated names, or NULL to ask the size
 * @size: the size of @buf
 *
 * Context: process context; takes vi->i_xattr_sem shared; may sleep.
 * Return: the bytes needed or written, or a negative errno.
 */
ssize_t vexfs_listxattr(struct dentry *dentry, char *buf, size_t size)
{
	struct inode *inode = d_inode(dentry);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct vexfs_xattr_item *xs = NULL;
	struct buffer_head *bh;
	ssize_t total = 0;
	int n, i;

	down_read(&vi->i_xattr_sem);
	bh = vexfs_xattr_read(inode);
	if (IS_ERR_OR_NULL(bh)) {
		total = PTR_ERR_OR_ZERO(bh);
		bh = NULL;	/* nothing for the exit path to release */
		goto out;
	}
	xs = kmalloc_array(vexfs_xattr_max(inode->i_sb), sizeof(*xs),
			   GFP_NOFS);
	total = -ENOMEM;
	if (!xs)
		goto out;
	n = vexfs_xattr_parse(inode, bh->b_data, xs,
			      vexfs_xattr_max(inode->i_sb));
	total = -EFSCORRUPTED;
	if (n < 0)
		goto out;
	total = 0;
	for (i = 0; i < n; i++) {
		const char *prefix = vexfs_xattr_prefix(xs[i].index, dentry);
		size_t plen, len;

		if (!prefix)
			continue;
		plen = strlen(prefix);
		/* The ACL names are whole names: their entries are unnamed. */
		len = plen + (xs[i].index == VEXFS_XATTR_INDEX_ACL_ACCESS ||
			      xs[i].index == VEXFS_XATTR_INDEX_ACL_DEFAULT ?
			      0 : xs[i].name_len) + 1;
		if (buf) {
			if (total + len > size) {
				total = -ERANGE;
				goto out;
			}
			memcpy(buf + total, prefix, plen);
			memcpy(buf + total + plen, xs[i].name, len - plen - 1);
			buf[total + len - 1] = '\0';
		}
		total += len;
	}
out:
	brelse(bh);
	kfree(xs);
	up_read(&vi->i_xattr_sem);
	/* The embedding is an xattr too, so that copies carry it. */
	if (total >= 0)
		total = vexfs_vec_listxattr(inode, buf, size, total);
	return total;
}

/*
 * Pack @xs[0..n) into the block image @img (common/xattr.c).  Returns
 * -ENOSPC if they do not fit.
 */
static int vexfs_xattr_pack(struct super_block *sb, u8 *img,
			    const struct vexfs_xattr_item *xs, int n)
{
	return vexfs_xattr_block_pack(img, sb->s_blocksize, xs, n) ? 0 :
	       -ENOSPC;
}

/* Write the packed image (or drop the block when no attribute is left). */
static int vexfs_xattr_store(struct inode *inode, struct buffer_head *bh,
			     const u8 *img, int n)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	unsigned int count = 1;
	u64 blocknr;
	int err;

	if (!n) {
		if (bh) {
			/* Never write the old contents into a freed block. */
			get_bh(bh);
			vexfs_forget_block(sb, bh, vi->i_xattr_block);
			vexfs_free_blocks(sb, vi->i_xattr_block, 1);
			inode_sub_bytes(inode, sb->s_blocksize);
			vi->i_xattr_block = 0;
		}
		return 0;
	}
	if (!bh) {
		err = vexfs_new_blocks(inode, 0, &blocknr, &count);
		if (err)
			return err;
		bh = sb_getblk(sb, blocknr);
		if (!bh) {
			vexfs_free_blocks(sb, blocknr, 1);
			return -ENOMEM;
		}
		err = vexfs_journal_get_create(sb, bh);
		if (err) {
			brelse(bh);
			vexfs_free_blocks(sb, blocknr, 1);
			return err;
		}
		inode_add_bytes(inode, sb->s_blocksize);
		vi->i_xattr_block = blocknr;
	} else {
		get_bh(bh);
	}
	lock_buffer(bh);
	vexfs_block_init(sb, bh->b_data, VEXFS_XATTR_MAGIC, bh->b_blocknr,
			 inode->i_ino);
	memcpy(bh->b_data + HDR_SIZE, img + HDR_SIZE,
	       sb->s_blocksize - HDR_SIZE);
	vexfs_block_csum_set(sb, bh->b_data);
	set_buffer_uptodate(bh);
	unlock_buffer(bh);
	err = vexfs_dirty_metadata(sb, inode, bh);
	brelse(bh);
	return err;
}

/**
 * vexfs_xattr_set() - create, replace or remove an extended attribute
 * @inode: the inode
 * @index: the namespace, VEXFS_XATTR_INDEX_*
 * @name: the name within the namespace
 * @value: the value, or NULL to remove the attribute
 * @size: the size of @value, at most XATTR_SIZE_MAX
 * @flags: XATTR_CREATE or XATTR_REPLACE, or 0
 *
 * Context: process context; takes vi->i_xattr_sem exclusive; may sleep.
 * Return: 0, -EEXIST, -ENODATA, -ENOSPC, -ERANGE or another errno.
 */
int vexfs_xattr_set(struct inode *inode, int index, const char *name,
		    const void *value, size_t size, int flags)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct super_block *sb = inode->i_sb;
	size_t name_len = strlen(name);
	int max = vexfs_xattr_max(sb), n, i, err;
	struct vexfs_xattr_item *xs, old = {};
	struct buffer_head *bh;
	handle_t *handle;
	u8 *img;

	if (name_len > XATTR_NAME_MAX || size > XATTR_SIZE_MAX)
		return -ERANGE;
	xs = kmalloc_array(max + 1, sizeof(*xs), GFP_NOFS);
	img = kzalloc(sb->s_blocksize, GFP_NOFS);
	err = -ENOMEM;
	if (!xs || !img)
		goto out_free;
	/*
	 * A value stored out of line is written block by block; an old
	 * one is freed (and revoked) when its inode is evicted.
	 */
	handle = vexfs_journal_start(sb, VEXFS_XATTR_CREDITS +
				     2 * (size >> sb->s_blocksize_bits) + 2,
				     VEXFS_TRUNC_REVOKES +
				     (XATTR_SIZE_MAX >> sb->s_blocksize_bits));
	if (IS_ERR(handle)) {
		err = PTR_ERR(handle);
		goto out_free;
	}

	down_write(&vi->i_xattr_sem);
	bh = vexfs_xattr_read(inode);
	err = PTR_ERR_OR_ZERO(bh);
	if (err)
		goto out_unlock;
	n = bh ? vexfs_xattr_parse(inode, bh->b_data, xs, max) : 0;
	if (n < 0) {
		err = n;
		goto out_brelse;
	}
	i = vexfs_xattr_find(xs, n, index, name, name_len);
	err = -EEXIST;
	if (i >= 0 && (flags & XATTR_CREATE))
		goto out_brelse;
	err = -ENODATA;
	if (i < 0 && (flags & XATTR_REPLACE || !value))
		goto out_brelse;
	if (i >= 0) {
		old = xs[i];
		xs[i] = xs[--n];
	}
	if (value) {
		xs[n] = (struct vexfs_xattr_item) {
			.index = index, .name_len = name_len, .name = name,
			.size = size, .value = value,
		};
		n++;
	}
	err = vexfs_xattr_pack(sb, img, xs, n);
	if (err == -ENOSPC && value && size) {
		/* Keep the value out of line and try again. */
		err = vexfs_value_create(inode, value, size,
					 &xs[n - 1].value_ino);
		if (!err) {
			err = vexfs_xattr_pack(sb, img, xs, n);
			if (err)
				vexfs_value_release(inode, xs[n - 1].value_ino,
						    size);
		}
	}
	if (!err)
		err = vexfs_xattr_store(inode, bh, img, n);
	if (!err) {
		if (old.value_ino)
			vexfs_value_release(inode, old.value_ino, old.size);
		inode_set_ctime_current(inode);
		mark_inode_dirty(inode);
	}
out_brelse:
	brelse(bh);
out_unlock:
	up_write(&vi->i_xattr_sem);
	if (!err)
		err = vexfs_journal_stop(handle);
	else
		vexfs_journal_stop(handle);
out_free:
	kfree(img);
	kfree(xs);
	return err;
}

/**
 * vexfs_xattr_delete_inode() - free the attributes of an inode being deleted
 * @inode: the inode, with no links and no users left
 *
 * Context: process context (eviction); may sleep.
 */
void vexfs_xattr_delete_inode(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_xattr_item *xs;
	struct buffer_head *bh;
	int n, i;

	bh = vexfs_xattr_read(inode);
	if (IS_ERR_OR_NULL(bh))
		return;
	xs = kmalloc_array(vexfs_xattr_max(sb), sizeof(*xs), GFP_NOFS);
	n = xs ? vexfs_xattr_parse(inode, bh->b_data, xs, vexfs_xattr_max(sb)) : 0;
	for (i = 0; i < n; i++)
		if (xs[i].value_ino)
			vexfs_value_release(inode, xs[i].value_ino, xs[i].size);
	kfree(xs);
	vexfs_forget_block(sb, bh, VEXFS_I(inode)->i_xattr_block);
	vexfs_free_blocks(sb, VEXFS_I(inode)->i_xattr_block, 1);
	VEXFS_I(inode)->i_xattr_block = 0;
}

/* ------------------------------------------------------------------ */
/* Handlers                                                            */
/* ------------------------------------------------------------------ */

static int vexfs_xattr_handler_get(const struct xattr_handler *handler,
				   struct dentry *unused, struct inode *inode,
				   const char *name, void *buffer, size_t size)
{
	if (handler->flags == VEXFS_XATTR_INDEX_USER &&
	    !strcmp(name, VEXFS_EMBEDDING_XATTR + XATTR_USER_PREFIX_LEN))
		return vexfs_vec_xattr_get(inode, buffer, size);
	return vexfs_xattr_get(inode, handler->flags, name, buffer, size);
}

static int vexfs_xattr_handler_set(const struct xattr_handler *handler,
				   VEXFS_IDMAP_PARAM(idmap)
				   struct dentry *unused, struct inode *inode,
				   const char *name, const void *value,
				   size_t size, int flags)
{
	if (handler->flags == VEXFS_XATTR_INDEX_USER &&
	    !strcmp(name, VEXFS_EMBEDDING_XATTR + XATTR_USER_PREFIX_LEN))
		return vexfs_vec_xattr_set(inode, value, size, flags);
	return vexfs_xattr_set(inode, handler->flags, name, value, size,
			       flags);
}

static bool vexfs_xattr_trusted_list(struct dentry *dentry)
{
	return capable(CAP_SYS_ADMIN);
}

static const struct xattr_handler vexfs_xattr_user_handler = {
	.prefix	= XATTR_USER_PREFIX,
	.flags	= VEXFS_XATTR_INDEX_USER,
	.get	= vexfs_xattr_handler_get,
	.set	= vexfs_xattr_handler_set,
};

static const struct xattr_handler vexfs_xattr_trusted_handler = {
	.prefix	= XATTR_TRUSTED_PREFIX,
	.flags	= VEXFS_XATTR_INDEX_TRUSTED,
	.list	= vexfs_xattr_trusted_list,
	.get	= vexfs_xattr_handler_get,
	.set	= vexfs_xattr_handler_set,
};

static const struct xattr_handler vexfs_xattr_security_handler = {
	.prefix	= XATTR_SECURITY_PREFIX,
	.flags	= VEXFS_XATTR_INDEX_SECURITY,
	.get	= vexfs_xattr_handler_get,
	.set	= vexfs_xattr_handler_set,
};

const struct xattr_handler *vexfs_xattr_handlers[] = {
	&vexfs_xattr_user_handler,
	&vexfs_xattr_trusted_handler,
	&vexfs_xattr_security_handler,
	VEXFS_ACL_XATTR_HANDLERS
	NULL
};
