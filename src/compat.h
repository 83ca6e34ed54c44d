/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel API difference between the supported kernels
 * (Debian 12's 6.1 and 6.12 series, Debian 13's 6.12 and 7.3, sid's 7.2),
 * and nothing else.
 *
 * The HAVE_* symbols come from compat-gen.h, which scripts/compat-probe.sh
 * generates from the target kernel's headers at build time.  The rest of
 * the module uses only the names defined here, never HAVE_* directly and
 * never LINUX_VERSION_CODE.
 */
#ifndef _VEXFS_COMPAT_H
#define _VEXFS_COMPAT_H

#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include <linux/buffer_head.h>
#include <linux/namei.h>
#include <linux/jbd2.h>
#include "compat-gen.h"

/*
 * 6.3 replaced the user namespace argument of the inode operations with a
 * struct mnt_idmap.  VexFS does not support idmapped mounts, so it only
 * passes the argument through.
 */
#if defined(HAVE_MNT_IDMAP)
typedef struct mnt_idmap vexfs_idmap_t;
#elif defined(HAVE_USERNS_IDMAP)
typedef struct user_namespace vexfs_idmap_t;
#else
#error "compat.h: no known idmap type (see src/probes/idmap)"
#endif

/*
 * The identity idmapping, for permission checks made by the filesystem
 * itself (VexFS does not allow idmapped mounts).
 */
#ifdef HAVE_MNT_IDMAP
#define VEXFS_NOP_IDMAP		(&nop_mnt_idmap)
#else
#define VEXFS_NOP_IDMAP		(&init_user_ns)
#endif

/*
 * ->write_begin/->write_end: 6.1 passes the file and a page, 6.12 the
 * file and a folio, 7.x the kiocb (const) and a folio.  VexFS uses
 * neither the file nor the kiocb, only passes it through.
 */
#if defined(HAVE_WRITE_BEGIN_KIOCB)
typedef const struct kiocb vexfs_write_file_t;
typedef struct folio vexfs_write_page_t;
#elif defined(HAVE_WRITE_BEGIN_FOLIO)
typedef struct file vexfs_write_file_t;
typedef struct folio vexfs_write_page_t;
#elif defined(HAVE_WRITE_BEGIN_PAGE)
typedef struct file vexfs_write_file_t;
typedef struct page vexfs_write_page_t;
#else
#error "compat.h: no known ->write_begin spelling (see src/probes/write_begin)"
#endif

/* Unlock and release what ->write_begin returned. */
static inline void vexfs_write_page_release(vexfs_write_page_t *page)
{
#ifdef HAVE_WRITE_BEGIN_PAGE
	unlock_page(page);
	put_page(page);
#else
	folio_unlock(page);
	folio_put(page);
#endif
}

/*
 * block_write_end(): 7.x dropped the file, mapping and fsdata arguments,
 * which it never used.
 */
static inline int vexfs_block_write_end(vexfs_write_file_t *file,
					struct address_space *mapping,
					loff_t pos, unsigned int len,
					unsigned int copied,
					vexfs_write_page_t *page, void *fsdata)
{
#ifdef HAVE_WRITE_BEGIN_KIOCB
	return block_write_end(pos, len, copied, page);
#else
	return block_write_end(file, mapping, pos, len, copied, page, fsdata);
#endif
}

/*
 * O_DIRECT opens: 6.1 lets any file whose address space has ->direct_IO
 * open with O_DIRECT and sets FMODE_CAN_ODIRECT itself; later kernels
 * (6.12) leave FMODE_CAN_ODIRECT to the filesystem's ->open.  Both
 * define the flag, and setting it in ->open is right for both.
 */
static inline void vexfs_allow_odirect(struct file *file)
{
	file->f_mode |= FMODE_CAN_ODIRECT;
}

/* 6.5 replaced generic_file_splice_read() with filemap_splice_read(). */
#if defined(HAVE_FILEMAP_SPLICE_READ)
#define vexfs_splice_read	filemap_splice_read
#elif defined(HAVE_GENERIC_FILE_SPLICE_READ)
#define vexfs_splice_read	generic_file_splice_read
#else
#error "compat.h: no known ->splice_read helper (see src/probes/splice_read)"
#endif

/* 6.6 gave generic_fillattr() the request mask. */
static inline void vexfs_fillattr(vexfs_idmap_t *idmap, u32 request_mask,
				  struct inode *inode, struct kstat *stat)
{
#if defined(HAVE_GENERIC_FILLATTR_MASK)
	generic_fillattr(idmap, request_mask, inode, stat);
#elif defined(HAVE_GENERIC_FILLATTR_IDMAP)
	generic_fillattr(idmap, inode, stat);
#else
#error "compat.h: no known generic_fillattr() (see src/probes/fillattr)"
#endif
}

/* 6.7 hid the timestamps behind accessors; older kernels have the fields. */
#ifndef HAVE_INODE_GET_MTIME
static inline struct timespec64 inode_get_mtime(const struct inode *inode)
{
	return inode->i_mtime;
}

static inline struct timespec64 inode_set_mtime_to_ts(struct inode *inode,
						      struct timespec64 ts)
{
	inode->i_mtime = ts;
	return ts;
}
#endif

#ifndef HAVE_INODE_GET_ATIME
static inline struct timespec64 inode_get_atime(const struct inode *inode)
{
	return inode->i_atime;
}

static inline struct timespec64 inode_set_atime_to_ts(struct inode *inode,
						      struct timespec64 ts)
{
	inode->i_atime = ts;
	return ts;
}
#endif

/* 6.10 added super_set_uuid() along with s_uuid_len. */
#ifndef HAVE_SUPER_SET_UUID
static inline void super_set_uuid(struct super_block *sb, const u8 *uuid,
				  unsigned int len)
{
	memcpy(&sb->s_uuid, uuid, min_t(unsigned int, len, sizeof(sb->s_uuid)));
}
#endif

/*
 * 6.2 split the ACL inode operations: permission checks call
 * ->get_inode_acl, ->set_acl takes a dentry, posix_acl_chmod() takes a
 * dentry, and the VFS handles the system.posix_acl_* names itself instead
 * of through xattr handlers.  acl.c implements one version of each.
 */
struct posix_acl *vexfs_get_acl(struct inode *inode, int type, bool rcu);
int __vexfs_set_acl(vexfs_idmap_t *idmap, struct inode *inode,
		    struct posix_acl *acl, int type);

#if defined(HAVE_GET_INODE_ACL)
static inline int vexfs_set_acl(vexfs_idmap_t *idmap, struct dentry *dentry,
				struct posix_acl *acl, int type)
{
	return __vexfs_set_acl(idmap, d_inode(dentry), acl, type);
}

static inline int vexfs_acl_chmod(vexfs_idmap_t *idmap, struct dentry *dentry)
{
	return posix_acl_chmod(idmap, dentry, d_inode(dentry)->i_mode);
}

#define VEXFS_ACL_INODE_OPS \
	.get_inode_acl = vexfs_get_acl, .set_acl = vexfs_set_acl
#define VEXFS_ACL_XATTR_HANDLERS
#elif defined(HAVE_GET_ACL_RCU)
static inline int vexfs_set_acl(vexfs_idmap_t *idmap, struct inode *inode,
				struct posix_acl *acl, int type)
{
	return __vexfs_set_acl(idmap, inode, acl, type);
}

static inline int vexfs_acl_chmod(vexfs_idmap_t *idmap, struct dentry *dentry)
{
	return posix_acl_chmod(idmap, d_inode(dentry), d_inode(dentry)->i_mode);
}

#define VEXFS_ACL_INODE_OPS \
	.get_acl = vexfs_get_acl, .set_acl = vexfs_set_acl
#define VEXFS_ACL_XATTR_HANDLERS \
	&posix_acl_access_xattr_handler, &posix_acl_default_xattr_handler,
#else
#error "compat.h: no known ACL inode operations (see src/probes/acl)"
#endif

/*
 * ------------------------------------------------------------------------
 * Debian's 7.x kernels (sid's 7.2, trixie-backports' 7.3).  Everything
 * below maps one probe group of src/probes; an unknown combination is an
 * #error, never a guess.
 * ------------------------------------------------------------------------
 */

/*
 * ->create: 7.3 dropped the "excl" flag, which only NFS-like filesystems
 * ever looked at.  VEXFS_CREATE_OP(name, fn) defines the ->create method
 * @name around fn(idmap, dir, dentry, mode).
 */
#if defined(HAVE_CREATE_EXCL)
#define VEXFS_CREATE_OP(name, fn)					\
static int name(vexfs_idmap_t *idmap, struct inode *dir,		\
		struct dentry *dentry, umode_t mode, bool excl)		\
{									\
	return fn(idmap, dir, dentry, mode);				\
}
#elif defined(HAVE_CREATE_NOEXCL)
#define VEXFS_CREATE_OP(name, fn)					\
static int name(vexfs_idmap_t *idmap, struct inode *dir,		\
		struct dentry *dentry, umode_t mode)			\
{									\
	return fn(idmap, dir, dentry, mode);				\
}
#else
#error "compat.h: no known ->create spelling (see src/probes/create)"
#endif

/*
 * ->mkdir: 7.x returns a dentry, NULL when the one passed in was
 * instantiated (what VexFS always does) or an ERR_PTR; before, an errno.
 * VEXFS_MKDIR_OP(name, fn) defines the ->mkdir method @name around
 * fn(idmap, dir, dentry, mode), which returns an errno.
 */
#if defined(HAVE_MKDIR_DENTRY)
#define VEXFS_MKDIR_OP(name, fn)					\
static struct dentry *name(vexfs_idmap_t *idmap, struct inode *dir,	\
			   struct dentry *dentry, umode_t mode)		\
{									\
	return ERR_PTR(fn(idmap, dir, dentry, mode));			\
}
#elif defined(HAVE_MKDIR_INT)
#define VEXFS_MKDIR_OP(name, fn)					\
static int name(vexfs_idmap_t *idmap, struct inode *dir,		\
		struct dentry *dentry, umode_t mode)			\
{									\
	return fn(idmap, dir, dentry, mode);				\
}
#else
#error "compat.h: no known ->mkdir spelling (see src/probes/mkdir)"
#endif

/*
 * vfs_create() of a regular file in @dir, whose i_rwsem the caller holds.
 * 7.x finds the directory from the dentry and takes a delegated_inode,
 * which only matters to callers that retry after breaking an NFS
 * delegation; NULL breaks it synchronously, as before.
 */
static inline int vexfs_vfs_create(struct inode *dir, struct dentry *dentry,
				   umode_t mode)
{
#if defined(HAVE_VFS_CREATE_DELEG)
	return vfs_create(VEXFS_NOP_IDMAP, dentry, mode, NULL);
#elif defined(HAVE_VFS_CREATE_DIR)
	return vfs_create(VEXFS_NOP_IDMAP, dir, dentry, mode, true);
#else
#error "compat.h: no known vfs_create() spelling (see src/probes/vfs_create)"
#endif
}

/*
 * Look a name up in @base, with the MAY_EXEC check on @base that
 * lookup_one_len() made; 7.x removed lookup_one_len*() in favour of
 * lookup_one*() with an idmap and a qstr (whose hash they compute).
 * vexfs_lookup_one() needs @base's i_rwsem held, _unlocked() does not.
 */
#if defined(HAVE_LOOKUP_ONE_QSTR)
static inline struct dentry *vexfs_lookup_one(const char *name,
					      struct dentry *base, int len)
{
	struct qstr q = QSTR_INIT(name, len);

	return lookup_one(&nop_mnt_idmap, &q, base);
}

static inline struct dentry *vexfs_lookup_one_unlocked(const char *name,
						       struct dentry *base,
						       int len)
{
	struct qstr q = QSTR_INIT(name, len);

	return lookup_one_unlocked(&nop_mnt_idmap, &q, base);
}
#elif defined(HAVE_LOOKUP_ONE_LEN)
#define vexfs_lookup_one		lookup_one_len
#define vexfs_lookup_one_unlocked	lookup_one_len_unlocked
#else
#error "compat.h: no known lookup_one() spelling (see src/probes/lookup_one)"
#endif

/*
 * inode->i_state, read without i_lock (a snapshot, as the plain load was
 * before): 7.x made it a struct behind accessors.
 */
static inline unsigned long vexfs_inode_state(struct inode *inode)
{
#ifdef HAVE_INODE_STATE_READ_ONCE
	return inode_state_read_once(inode);
#else
	return READ_ONCE(inode->i_state);
#endif
}

/*
 * The dirty metadata buffers of an inode (its indirect, extent, xattr
 * and directory blocks when there is no journal), which fsync must write
 * along with the data.  Before 7.x the VFS kept the list in the inode's
 * address_space (mark_buffer_dirty_inode(), sync_mapping_buffers(),
 * invalidate_inode_buffers()); 7.x moved it into the filesystem's own
 * inode as a struct mapping_metadata_bhs (mmb_*()).  vexfs_mmb_t is that
 * struct, or nothing where the VFS keeps the list; each helper takes
 * both the inode and the vexfs_mmb_t and uses the one its kernel needs.
 */
#if defined(HAVE_MMB)
typedef struct mapping_metadata_bhs vexfs_mmb_t;

static inline void vexfs_mmb_init(struct inode *inode, vexfs_mmb_t *mmb)
{
	mmb_init(mmb, &inode->i_data);
}

static inline void vexfs_mmb_mark_dirty(struct buffer_head *bh,
					struct inode *inode, vexfs_mmb_t *mmb)
{
	mmb_mark_buffer_dirty(bh, mmb);
}

/* Write the listed buffers and wait for them. */
static inline int vexfs_mmb_sync(struct inode *inode, vexfs_mmb_t *mmb)
{
	return mmb_sync(mmb);
}

/* Forget the list (the buffers stay dirty); before clear_inode(). */
static inline void vexfs_mmb_invalidate(struct inode *inode, vexfs_mmb_t *mmb)
{
	mmb_invalidate(mmb);
}
#elif defined(HAVE_MAPPING_PRIVATE_LIST)
typedef struct { } vexfs_mmb_t;

static inline void vexfs_mmb_init(struct inode *inode, vexfs_mmb_t *mmb)
{
}

static inline void vexfs_mmb_mark_dirty(struct buffer_head *bh,
					struct inode *inode, vexfs_mmb_t *mmb)
{
	mark_buffer_dirty_inode(bh, inode);
}

static inline int vexfs_mmb_sync(struct inode *inode, vexfs_mmb_t *mmb)
{
	return sync_mapping_buffers(inode->i_mapping);
}

static inline void vexfs_mmb_invalidate(struct inode *inode, vexfs_mmb_t *mmb)
{
	invalidate_inode_buffers(inode);
}
#else
#error "compat.h: no known metadata buffer list (see src/probes/metadata_bhs)"
#endif

/*
 * The byte range (@end inclusive) of @jinode's data that the committing
 * transaction must write first; false when it is empty.  7.x keeps it in
 * pages, published locklessly, behind jbd2_jinode_get_dirty_range().
 */
static inline bool vexfs_jinode_dirty_range(struct jbd2_inode *jinode,
					    loff_t *start, loff_t *end)
{
#if defined(HAVE_JINODE_GET_DIRTY_RANGE)
	return jbd2_jinode_get_dirty_range(jinode, start, end);
#elif defined(HAVE_JINODE_DIRTY_BYTES)
	*start = jinode->i_dirty_start;
	*end = jinode->i_dirty_end;
	return true;
#else
#error "compat.h: no known jbd2_inode dirty range (see src/probes/jinode_range)"
#endif
}

/*
 * @acl in the xattr format, in a buffer from kmalloc(@gfp) that the caller
 * kfree()s, its size in *@sizep; NULL without memory.  7.x's
 * posix_acl_to_xattr() allocates the buffer itself; before, it filled
 * one the caller sized with posix_acl_xattr_size().
 */
static inline void *vexfs_acl_to_xattr(const struct posix_acl *acl,
				       size_t *sizep, gfp_t gfp)
{
#if defined(HAVE_ACL_TO_XATTR_ALLOC)
	return posix_acl_to_xattr(&init_user_ns, acl, sizep, gfp);
#elif defined(HAVE_ACL_TO_XATTR_BUFFER)
	size_t size = posix_acl_xattr_size(acl->a_count);
	void *value = kmalloc(size, gfp);

	/* Cannot fail with a buffer of exactly the size it asks for. */
	if (value && posix_acl_to_xattr(&init_user_ns, acl, value, size) < 0) {
		kfree(value);
		value = NULL;
	}
	*sizep = size;
	return value;
#else
#error "compat.h: no known posix_acl_to_xattr() (see src/probes/acl_to_xattr)"
#endif
}

#endif /* _VEXFS_COMPAT_H */
