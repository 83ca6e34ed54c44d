/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel API difference between the supported kernels
 * (Debian 11's 5.10, Debian 12's 6.1 and 6.12 series, Debian 13's 6.12
 * and 7.3, sid's 7.2), and nothing else.
 *
 * The HAVE_* symbols come from compat-gen.h, which scripts/compat-probe.sh
 * generates from the target kernel's headers at build time.  The rest of
 * the module uses only the names defined here, never HAVE_* directly and
 * never LINUX_VERSION_CODE.  A probe group with several alternatives maps
 * to an #if/#elif chain that ends in #error, so that a kernel this file
 * does not know stops the build instead of getting a guess.
 */
#ifndef _VEXFS_COMPAT_H
#define _VEXFS_COMPAT_H

#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/buffer_head.h>
#include <linux/blkdev.h>
#include <linux/jbd2.h>
#include <linux/slab.h>
#include <linux/writeback.h>
#include <linux/iomap.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/namei.h>
#include <linux/mount.h>
#include <linux/uaccess.h>
#include <linux/mm.h>
#include "compat-gen.h"

/*
 * Idmappings.  5.12 gave the inode operations, the xattr ->set handler
 * and the VFS helpers that check or set ownership a struct user_namespace
 * argument, and 6.3 replaced it with a struct mnt_idmap.  VexFS does not
 * support idmapped mounts, so it only passes the argument through; before
 * 5.12 it passes the initial user namespace around internally, so that
 * one function body serves every kernel.
 */
#if defined(HAVE_MNT_IDMAP)
typedef struct mnt_idmap vexfs_idmap_t;
#define VEXFS_NOP_IDMAP		(&nop_mnt_idmap)
#elif defined(HAVE_USERNS_IDMAP) || defined(HAVE_NO_IDMAP)
typedef struct user_namespace vexfs_idmap_t;
#define VEXFS_NOP_IDMAP		(&init_user_ns)
#else
#error "compat.h: no known idmap type (see src/probes/idmap)"
#endif

/*
 * An operation the VFS calls with an idmapping declares it with
 * VEXFS_IDMAP_PARAM(idmap), in front of its other parameters, and hands
 * VEXFS_IDMAP_ARG(idmap) on; VEXFS_IDMAP_PASS(idmap) is the leading
 * argument of the VFS helpers that take one.  Before 5.12 the first
 * two are nothing and the identity, and the last is nothing.
 */
#ifdef HAVE_NO_IDMAP
#define VEXFS_IDMAP_PARAM(idmap)
#define VEXFS_IDMAP_ARG(idmap)	VEXFS_NOP_IDMAP
#define VEXFS_IDMAP_PASS(idmap)
#else
#define VEXFS_IDMAP_PARAM(idmap)	vexfs_idmap_t *idmap,
#define VEXFS_IDMAP_ARG(idmap)	(idmap)
#define VEXFS_IDMAP_PASS(idmap)	(idmap),
#endif

/* The VFS helpers that take an idmapping (see above). */
static inline void vexfs_inode_init_owner(vexfs_idmap_t *idmap,
					  struct inode *inode,
					  const struct inode *dir,
					  umode_t mode)
{
	inode_init_owner(VEXFS_IDMAP_PASS(idmap) inode, dir, mode);
}

static inline int vexfs_setattr_prepare(vexfs_idmap_t *idmap,
					struct dentry *dentry,
					struct iattr *attr)
{
	return setattr_prepare(VEXFS_IDMAP_PASS(idmap) dentry, attr);
}

static inline void vexfs_setattr_copy(vexfs_idmap_t *idmap,
				      struct inode *inode,
				      const struct iattr *attr)
{
	setattr_copy(VEXFS_IDMAP_PASS(idmap) inode, attr);
}

static inline int vexfs_posix_acl_update_mode(vexfs_idmap_t *idmap,
					      struct inode *inode,
					      umode_t *mode,
					      struct posix_acl **acl)
{
	return posix_acl_update_mode(VEXFS_IDMAP_PASS(idmap) inode, mode, acl);
}

/* Checks the filesystem makes itself, under the identity mapping. */
static inline int vexfs_inode_permission(struct inode *inode, int mask)
{
	return inode_permission(VEXFS_IDMAP_PASS(VEXFS_NOP_IDMAP) inode, mask);
}

static inline bool vexfs_inode_owner_or_capable(const struct inode *inode)
{
	return inode_owner_or_capable(VEXFS_IDMAP_PASS(VEXFS_NOP_IDMAP) inode);
}

/*
 * ->write_begin/->write_end: 5.10 passes the file, AOP_FLAG_* flags and
 * a page, 6.1 the file and a page, 6.12 the file and a folio, 7.x the
 * kiocb (const) and a folio.  VexFS uses neither the file nor the kiocb,
 * only passes it through.  The only flag the VFS passes VexFS is
 * AOP_FLAG_CONT_EXPAND, which block_write_begin() ignores, so
 * VEXFS_WRITE_BEGIN_FLAGS(flags) only accepts the argument and
 * vexfs_block_write_begin() drops it, which is what later kernels do.
 */
#if defined(HAVE_WRITE_BEGIN_KIOCB)
typedef const struct kiocb vexfs_write_file_t;
typedef struct folio vexfs_write_page_t;
#define VEXFS_WRITE_BEGIN_FLAGS(flags)
#elif defined(HAVE_WRITE_BEGIN_FOLIO)
typedef struct file vexfs_write_file_t;
typedef struct folio vexfs_write_page_t;
#define VEXFS_WRITE_BEGIN_FLAGS(flags)
#elif defined(HAVE_WRITE_BEGIN_PAGE)
typedef struct file vexfs_write_file_t;
typedef struct page vexfs_write_page_t;
#define VEXFS_WRITE_BEGIN_FLAGS(flags)
#elif defined(HAVE_WRITE_BEGIN_FLAGS)
typedef struct file vexfs_write_file_t;
typedef struct page vexfs_write_page_t;
#define VEXFS_WRITE_BEGIN_FLAGS(flags)	unsigned int flags,
#else
#error "compat.h: no known ->write_begin spelling (see src/probes/write_begin)"
#endif

static inline int vexfs_block_write_begin(struct address_space *mapping,
					  loff_t pos, unsigned int len,
					  vexfs_write_page_t **pagep,
					  get_block_t *get_block)
{
#ifdef HAVE_WRITE_BEGIN_FLAGS
	return block_write_begin(mapping, pos, len, 0, pagep, get_block);
#else
	return block_write_begin(mapping, pos, len, pagep, get_block);
#endif
}

/* Unlock and release what ->write_begin returned. */
static inline void vexfs_write_page_release(vexfs_write_page_t *page)
{
#if defined(HAVE_WRITE_BEGIN_PAGE) || defined(HAVE_WRITE_BEGIN_FLAGS)
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
 * The buffer-head address_space operations: 6.0 made ->readpage,
 * ->set_page_dirty, ->invalidatepage and ->migratepage take folios.
 * VEXFS_AOPS_READ(fn) names the read operation, which gets a
 * vexfs_read_page_t and reads it with vexfs_mpage_read();
 * VEXFS_AOPS_BUFFERS are buffer.c's generic dirty/invalidate/migrate.
 */
#if defined(HAVE_AOPS_FOLIO)
typedef struct folio vexfs_read_page_t;
#define vexfs_mpage_read	mpage_read_folio
#define VEXFS_AOPS_READ(fn)	.read_folio = (fn)
#define VEXFS_AOPS_BUFFERS					\
	.dirty_folio		= block_dirty_folio,		\
	.invalidate_folio	= block_invalidate_folio,	\
	.migrate_folio		= buffer_migrate_folio
#elif defined(HAVE_AOPS_PAGE)
typedef struct page vexfs_read_page_t;
#define vexfs_mpage_read	mpage_readpage
#define VEXFS_AOPS_READ(fn)	.readpage = (fn)
#define VEXFS_AOPS_BUFFERS					\
	.set_page_dirty		= __set_page_dirty_buffers,	\
	.invalidatepage		= block_invalidatepage,		\
	.migratepage		= buffer_migrate_page,		\
	.writepage		= vexfs_compat_writepage

int vexfs_get_block(struct inode *inode, sector_t iblock,
		    struct buffer_head *bh, int create);

/*
 * These kernels' mpage_writepages() hands a page it cannot write as one
 * bio (with blocks smaller than a page: a hole before a mapped block, as
 * a sparse write or a punch leaves) to ->writepage, and calls a NULL one;
 * later ones call block_write_full_page() themselves.
 */
static inline int vexfs_compat_writepage(struct page *page,
					 struct writeback_control *wbc)
{
	return block_write_full_page(page, vexfs_get_block, wbc);
}
#else
#error "compat.h: unknown address_space_operations (see src/probes/aops_folio)"
#endif

/*
 * O_DIRECT opens: 6.1 lets any file whose address space has ->direct_IO
 * open with O_DIRECT and sets FMODE_CAN_ODIRECT itself; later kernels
 * (6.12) leave FMODE_CAN_ODIRECT to the filesystem's ->open.  Setting it
 * in ->open is right for both.  Before 6.0 there is no such flag, and
 * ->direct_IO alone allows O_DIRECT.
 */
static inline void vexfs_allow_odirect(struct file *file)
{
#ifdef HAVE_FMODE_CAN_ODIRECT
	file->f_mode |= FMODE_CAN_ODIRECT;
#endif
}

/*
 * An O_DIRECT read through iomap.  5.16 replaced iomap_dio_rw()'s
 * wait_for_completion flag with dio_flags, private and done_before; a
 * synchronous kiocb must wait, an asynchronous one must not.
 */
static inline ssize_t vexfs_iomap_dio_read(struct kiocb *iocb,
					   struct iov_iter *to,
					   const struct iomap_ops *ops)
{
#if defined(HAVE_IOMAP_DIO_RW_DONE_BEFORE)
	return iomap_dio_rw(iocb, to, ops, NULL, 0, NULL, 0);
#elif defined(HAVE_IOMAP_DIO_RW_WAIT)
	return iomap_dio_rw(iocb, to, ops, NULL, is_sync_kiocb(iocb));
#else
#error "compat.h: unknown iomap_dio_rw() (see src/probes/iomap_dio_rw)"
#endif
}

/*
 * 5.18 made generic_perform_write() take the kiocb instead of the file
 * and position; 6.4 made it advance ki_pos too.  The caller advances
 * ki_pos itself when it did not move.
 */
static inline ssize_t vexfs_perform_write(struct kiocb *iocb,
					  struct iov_iter *from)
{
#if defined(HAVE_GENERIC_PERFORM_WRITE_KIOCB)
	return generic_perform_write(iocb, from);
#elif defined(HAVE_GENERIC_PERFORM_WRITE_FILE)
	return generic_perform_write(iocb->ki_filp, from, iocb->ki_pos);
#else
#error "compat.h: unknown generic_perform_write() (see src/probes/perform_write)"
#endif
}

/* 6.5 replaced generic_file_splice_read() with filemap_splice_read(). */
#if defined(HAVE_FILEMAP_SPLICE_READ)
#define vexfs_splice_read	filemap_splice_read
#elif defined(HAVE_GENERIC_FILE_SPLICE_READ)
#define vexfs_splice_read	generic_file_splice_read
#else
#error "compat.h: no known ->splice_read helper (see src/probes/splice_read)"
#endif

/*
 * generic_fillattr() took the idmapping in 5.12 and the request mask in
 * 6.6.
 */
static inline void vexfs_fillattr(vexfs_idmap_t *idmap, u32 request_mask,
				  struct inode *inode, struct kstat *stat)
{
#if defined(HAVE_GENERIC_FILLATTR_MASK)
	generic_fillattr(idmap, request_mask, inode, stat);
#elif defined(HAVE_GENERIC_FILLATTR_IDMAP)
	generic_fillattr(idmap, inode, stat);
#elif defined(HAVE_GENERIC_FILLATTR_NO_IDMAP)
	generic_fillattr(inode, stat);
#else
#error "compat.h: no known generic_fillattr() (see src/probes/fillattr)"
#endif
}

/*
 * ->tmpfile got the struct file to open in 6.1 (before, a dentry, and
 * the VFS opened it).  vexfs_tmpfile_t is what it gets;
 * vexfs_d_tmpfile() instantiates it and vexfs_tmpfile_open() finishes.
 */
#if defined(HAVE_TMPFILE_FILE)
typedef struct file vexfs_tmpfile_t;

static inline void vexfs_d_tmpfile(struct file *file, struct inode *inode)
{
	d_tmpfile(file, inode);
}

static inline int vexfs_tmpfile_open(struct file *file)
{
	return finish_open_simple(file, 0);
}
#elif defined(HAVE_TMPFILE_DENTRY)
typedef struct dentry vexfs_tmpfile_t;

static inline void vexfs_d_tmpfile(struct dentry *dentry, struct inode *inode)
{
	d_tmpfile(dentry, inode);
}

static inline int vexfs_tmpfile_open(struct dentry *dentry)
{
	return 0;
}
#else
#error "compat.h: unknown ->tmpfile (see src/probes/tmpfile)"
#endif

/*
 * 6.7 hid the timestamps behind accessors (6.6 the ctime); older kernels
 * have the fields.  Debian backported the ctime ones to 5.10 and 6.1.
 */
#ifndef HAVE_INODE_GET_CTIME
static inline struct timespec64 inode_get_ctime(const struct inode *inode)
{
	return inode->i_ctime;
}

static inline struct timespec64 inode_set_ctime_to_ts(struct inode *inode,
						      struct timespec64 ts)
{
	inode->i_ctime = ts;
	return ts;
}

static inline struct timespec64 inode_set_ctime_current(struct inode *inode)
{
	return inode_set_ctime_to_ts(inode, current_time(inode));
}
#endif

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
 * Helpers that 5.10 lacks, under the names later kernels give them, with
 * the behaviour VexFS relies on.
 */

/* 5.18: the inode comes from the cache with the memcg of the sb. */
#ifndef HAVE_ALLOC_INODE_SB
static inline void *alloc_inode_sb(struct super_block *sb,
				   struct kmem_cache *cache, gfp_t gfp)
{
	return kmem_cache_alloc(cache, gfp);
}
#endif

/*
 * 6.0: read a locked buffer (from bh_uptodate_or_lock()) and, if @wait,
 * wait for it; unlocks it on completion.
 */
#ifndef HAVE_BH_READ
static inline int __bh_read(struct buffer_head *bh, unsigned int op_flags,
			    bool wait)
{
	int ret = 0;

	get_bh(bh);
	bh->b_end_io = end_buffer_read_sync;
	submit_bh(REQ_OP_READ, op_flags, bh);
	if (wait) {
		wait_on_buffer(bh);
		if (!buffer_uptodate(bh))
			ret = -EIO;
	}
	return ret;
}
#endif

/* 5.16: the device size in bytes. */
#ifndef HAVE_BDEV_NR_BYTES
static inline loff_t bdev_nr_bytes(struct block_device *bdev)
{
	return i_size_read(bdev->bd_inode);
}
#endif

/*
 * 5.16: write a range as @wbc says.  VexFS only asks for WB_SYNC_ALL of
 * everything in the range, which is filemap_fdatawrite_range().
 */
#ifndef HAVE_FILEMAP_FDATAWRITE_WBC
static inline int filemap_fdatawrite_wbc(struct address_space *mapping,
					 struct writeback_control *wbc)
{
	return filemap_fdatawrite_range(mapping, wbc->range_start,
					wbc->range_end);
}
#endif

/*
 * Flush the device's volatile write cache.  5.12 dropped the gfp mask
 * of blkdev_issue_flush() (the error sector pointer went in 5.9).
 */
static inline int vexfs_blkdev_issue_flush(struct block_device *bdev)
{
#if defined(HAVE_BLKDEV_ISSUE_FLUSH_BDEV)
	return blkdev_issue_flush(bdev);
#elif defined(HAVE_BLKDEV_ISSUE_FLUSH_GFP)
	return blkdev_issue_flush(bdev, GFP_NOFS);
#else
#error "compat.h: unknown blkdev_issue_flush() (see src/probes/blkdev_flush)"
#endif
}

/* Checkpoint the whole journal; 5.15 gave jbd2_journal_flush() flags. */
static inline int vexfs_jbd2_journal_flush(journal_t *journal)
{
#if defined(HAVE_JBD2_JOURNAL_FLUSH_FLAGS)
	return jbd2_journal_flush(journal, 0);
#elif defined(HAVE_JBD2_JOURNAL_FLUSH_NO_FLAGS)
	return jbd2_journal_flush(journal);
#else
#error "compat.h: unknown jbd2_journal_flush() (see src/probes/jbd2_flush)"
#endif
}

/*
 * Discard (FITRIM): 5.19 replaced blk_queue_discard() and the queue's
 * limits with bdev_max_discard_sectors() and bdev_discard_granularity().
 * vexfs_bdev_discard_granularity() is 0 when @bdev cannot discard.
 */
static inline unsigned int vexfs_bdev_discard_granularity(struct block_device *bdev)
{
#if defined(HAVE_BDEV_MAX_DISCARD_SECTORS)
	if (!bdev_max_discard_sectors(bdev))
		return 0;
	return max(bdev_discard_granularity(bdev), 1U);
#elif defined(HAVE_BLK_QUEUE_DISCARD)
	struct request_queue *q = bdev_get_queue(bdev);

	if (!blk_queue_discard(q))
		return 0;
	return max(q->limits.discard_granularity, 1U);
#else
#error "compat.h: no known discard limits (see src/probes/discard)"
#endif
}

/*
 * ACLs.  6.2 split the ACL inode operations: permission checks call
 * ->get_inode_acl, ->set_acl takes a dentry, posix_acl_chmod() takes a
 * dentry, and the VFS handles the system.posix_acl_* names itself instead
 * of through xattr handlers.  5.15 gave ->get_acl the rcu flag, and 5.12
 * the idmapping to ->set_acl and posix_acl_chmod().  acl.c implements one
 * version of each; these adapt it.
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
#elif defined(HAVE_GET_ACL_RCU) || defined(HAVE_GET_ACL_NO_RCU)
static inline int vexfs_set_acl(VEXFS_IDMAP_PARAM(idmap) struct inode *inode,
				struct posix_acl *acl, int type)
{
	return __vexfs_set_acl(VEXFS_IDMAP_ARG(idmap), inode, acl, type);
}

static inline int vexfs_acl_chmod(vexfs_idmap_t *idmap, struct dentry *dentry)
{
	return posix_acl_chmod(VEXFS_IDMAP_PASS(idmap) d_inode(dentry),
			       d_inode(dentry)->i_mode);
}

#ifdef HAVE_GET_ACL_RCU
#define VEXFS_ACL_INODE_OPS \
	.get_acl = vexfs_get_acl, .set_acl = vexfs_set_acl
#else
/* Before 5.15 the VFS never asks for an ACL in RCU walk mode. */
static inline struct posix_acl *vexfs_get_acl_norcu(struct inode *inode,
						    int type)
{
	return vexfs_get_acl(inode, type, false);
}

#define VEXFS_ACL_INODE_OPS \
	.get_acl = vexfs_get_acl_norcu, .set_acl = vexfs_set_acl
#endif
#define VEXFS_ACL_XATTR_HANDLERS \
	&posix_acl_access_xattr_handler, &posix_acl_default_xattr_handler,
#else
#error "compat.h: no known ACL inode operations (see src/probes/acl)"
#endif

/*
 * ------------------------------------------------------------------------
 * Debian's 7.x kernels (sid's 7.2, trixie-backports' 7.3).  Everything
 * below maps one probe group of src/probes; an unknown combination is an
 * #error, never a guess.  The groups whose API takes an idmapping have a
 * *_NO_IDMAP alternative for 5.10, which has none (see VEXFS_IDMAP_PARAM
 * above).
 * ------------------------------------------------------------------------
 */

/*
 * ->create: 7.3 dropped the "excl" flag, which only NFS-like filesystems
 * ever looked at (5.10 has it, but no idmapping).  VEXFS_CREATE_OP(name,
 * fn) defines the ->create method @name around fn(idmap, dir, dentry,
 * mode); before 5.12 fn gets the identity idmapping.
 */
#if defined(HAVE_CREATE_EXCL) || defined(HAVE_CREATE_EXCL_NO_IDMAP)
#define VEXFS_CREATE_OP(name, fn)					\
static int name(VEXFS_IDMAP_PARAM(idmap) struct inode *dir,		\
		struct dentry *dentry, umode_t mode, bool excl)		\
{									\
	return fn(VEXFS_IDMAP_ARG(idmap), dir, dentry, mode);		\
}
#elif defined(HAVE_CREATE_NOEXCL)
#define VEXFS_CREATE_OP(name, fn)					\
static int name(VEXFS_IDMAP_PARAM(idmap) struct inode *dir,		\
		struct dentry *dentry, umode_t mode)			\
{									\
	return fn(VEXFS_IDMAP_ARG(idmap), dir, dentry, mode);		\
}
#else
#error "compat.h: no known ->create spelling (see src/probes/create)"
#endif

/*
 * ->mkdir: 7.x returns a dentry, NULL when the one passed in was
 * instantiated (what VexFS always does) or an ERR_PTR; before, an errno
 * (5.10 without an idmapping).  VEXFS_MKDIR_OP(name, fn) defines the
 * ->mkdir method @name around fn(idmap, dir, dentry, mode), which returns
 * an errno; before 5.12 fn gets the identity idmapping.
 */
#if defined(HAVE_MKDIR_DENTRY)
#define VEXFS_MKDIR_OP(name, fn)					\
static struct dentry *name(VEXFS_IDMAP_PARAM(idmap) struct inode *dir,	\
			   struct dentry *dentry, umode_t mode)		\
{									\
	return ERR_PTR(fn(VEXFS_IDMAP_ARG(idmap), dir, dentry, mode));	\
}
#elif defined(HAVE_MKDIR_INT) || defined(HAVE_MKDIR_INT_NO_IDMAP)
#define VEXFS_MKDIR_OP(name, fn)					\
static int name(VEXFS_IDMAP_PARAM(idmap) struct inode *dir,		\
		struct dentry *dentry, umode_t mode)			\
{									\
	return fn(VEXFS_IDMAP_ARG(idmap), dir, dentry, mode);		\
}
#else
#error "compat.h: no known ->mkdir spelling (see src/probes/mkdir)"
#endif

/*
 * vfs_create() of a regular file in @dir, whose i_rwsem the caller holds,
 * under the identity mapping.  7.x finds the directory from the dentry
 * and takes a delegated_inode, which only matters to callers that retry
 * after breaking an NFS delegation; NULL breaks it synchronously, as
 * before.  5.10 takes no idmapping.
 */
static inline int vexfs_vfs_create(struct inode *dir, struct dentry *dentry,
				   umode_t mode)
{
#if defined(HAVE_VFS_CREATE_DELEG)
	return vfs_create(VEXFS_NOP_IDMAP, dentry, mode, NULL);
#elif defined(HAVE_VFS_CREATE_DIR) || defined(HAVE_VFS_CREATE_DIR_NO_IDMAP)
	return vfs_create(VEXFS_IDMAP_PASS(VEXFS_NOP_IDMAP) dir, dentry, mode,
			  true);
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

/*
 * chattr flags (fileattr.c).  5.13 moved FS_IOC_GETFLAGS/SETFLAGS and
 * FS_IOC_FSGETXATTR/FSSETXATTR into the VFS, which checks ownership and
 * CAP_LINUX_IMMUTABLE and calls ->fileattr_get/->fileattr_set with a
 * struct fileattr (7.x: struct file_kattr); VEXFS_FILEATTR_INODE_OPS
 * names them in the inode operations.  5.10 leaves the ioctls to the
 * filesystem: there, compat.h gives struct fileattr and its helpers under
 * their later names, and vexfs_compat_fileattr_ioctl() does what 5.13's
 * fs/ioctl.c does, so that fileattr.c has one body for every kernel.
 */
#if defined(HAVE_FILEATTR_KATTR)
#include <linux/fileattr.h>
typedef struct file_kattr vexfs_fileattr_t;
#elif defined(HAVE_FILEATTR_STRUCT)
#include <linux/fileattr.h>
typedef struct fileattr vexfs_fileattr_t;
#elif defined(HAVE_FILEATTR_IOCTL)
struct fileattr {
	u32 flags;		/* FS_IOC_GETFLAGS/FS_IOC_SETFLAGS */
	u32 fsx_xflags;		/* struct fsxattr's fields */
	u32 fsx_extsize;
	u32 fsx_nextents;
	u32 fsx_projid;
	u32 fsx_cowextsize;
	bool flags_valid;	/* which of the two the caller gave */
	bool fsx_valid;
};
typedef struct fileattr vexfs_fileattr_t;

/* The flags FS_IOC_SETFLAGS and FS_IOC_FSSETXATTR can both express. */
#define FS_COMMON_FL \
	(FS_SYNC_FL | FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | \
	 FS_NOATIME_FL | FS_DAX_FL | FS_PROJINHERIT_FL)
#define FS_XFLAG_COMMON \
	(FS_XFLAG_SYNC | FS_XFLAG_IMMUTABLE | FS_XFLAG_APPEND | \
	 FS_XFLAG_NODUMP | FS_XFLAG_NOATIME | FS_XFLAG_DAX | \
	 FS_XFLAG_PROJINHERIT)

/* The flags of FS_COMMON_FL as FS_XFLAG_COMMON xflags, and back. */
static inline u32 vexfs_fl_convert(u32 in, bool to_xflags)
{
	static const u32 pairs[][2] = {
		{ FS_SYNC_FL, FS_XFLAG_SYNC },
		{ FS_IMMUTABLE_FL, FS_XFLAG_IMMUTABLE },
		{ FS_APPEND_FL, FS_XFLAG_APPEND },
		{ FS_NODUMP_FL, FS_XFLAG_NODUMP },
		{ FS_NOATIME_FL, FS_XFLAG_NOATIME },
		{ FS_DAX_FL, FS_XFLAG_DAX },
		{ FS_PROJINHERIT_FL, FS_XFLAG_PROJINHERIT },
	};
	unsigned int i;
	u32 out = 0;

	for (i = 0; i < ARRAY_SIZE(pairs); i++)
		if (in & pairs[i][!to_xflags])
			out |= pairs[i][to_xflags];
	return out;
}

static inline void fileattr_fill_xflags(struct fileattr *fa, u32 xflags)
{
	memset(fa, 0, sizeof(*fa));
	fa->fsx_valid = true;
	fa->fsx_xflags = xflags;
	fa->flags = vexfs_fl_convert(xflags, false);
}

static inline void fileattr_fill_flags(struct fileattr *fa, u32 flags)
{
	memset(fa, 0, sizeof(*fa));
	fa->flags_valid = true;
	fa->flags = flags;
	fa->fsx_xflags = vexfs_fl_convert(flags, true);
}

/* Does @fa ask for more than the flags (an extent size, a project id)? */
static inline bool fileattr_has_fsx(const struct fileattr *fa)
{
	return fa->fsx_valid &&
	       ((fa->fsx_xflags & ~FS_XFLAG_COMMON) || fa->fsx_extsize ||
		fa->fsx_projid || fa->fsx_cowextsize);
}
#else
#error "compat.h: no known file attribute interface (see src/probes/fileattr)"
#endif

int vexfs_fileattr_get(struct dentry *dentry, vexfs_fileattr_t *fa);
int vexfs_fileattr_set(vexfs_idmap_t *idmap, struct dentry *dentry,
		       vexfs_fileattr_t *fa);

#if defined(HAVE_FILEATTR_KATTR) || defined(HAVE_FILEATTR_STRUCT)
#define VEXFS_FILEATTR_INODE_OPS \
	.fileattr_get = vexfs_fileattr_get, .fileattr_set = vexfs_fileattr_set,

/* The VFS answers these ioctls before the filesystem's ->unlocked_ioctl. */
static inline long vexfs_compat_fileattr_ioctl(struct file *file,
					       unsigned int cmd,
					       void __user *arg)
{
	return -ENOTTY;
}
#else
#define VEXFS_FILEATTR_INODE_OPS

static inline void vexfs_fileattr_to_fsx(const struct fileattr *fa,
					 struct fsxattr *fsx)
{
	memset(fsx, 0, sizeof(*fsx));
	fsx->fsx_xflags = fa->fsx_xflags;
	fsx->fsx_extsize = fa->fsx_extsize;
	fsx->fsx_nextents = fa->fsx_nextents;
	fsx->fsx_projid = fa->fsx_projid;
	fsx->fsx_cowextsize = fa->fsx_cowextsize;
}

/*
 * Set @fa on @file's inode as 5.13's vfs_fileattr_set() does: the owner
 * (or CAP_FOWNER) only, CAP_LINUX_IMMUTABLE to change +i or +a, and the
 * flags the other interface cannot express are kept.  A non-owner gets
 * EACCES, as from 5.10's ext4 (5.13's VFS says EPERM).
 */
static inline int vexfs_compat_fileattr_set(struct file *file,
					    struct fileattr *fa)
{
	struct dentry *dentry = file->f_path.dentry;
	struct inode *inode = d_inode(dentry);
	struct fsxattr old_fsx, fsx;
	struct fileattr old;
	int err;

	if (!vexfs_inode_owner_or_capable(inode))
		return -EACCES;
	err = mnt_want_write_file(file);
	if (err)
		return err;
	inode_lock(inode);
	vexfs_fileattr_get(dentry, &old);
	if (fa->flags_valid) {
		err = vfs_ioc_setflags_prepare(inode, old.flags, fa->flags);
		fa->fsx_xflags |= old.fsx_xflags & ~FS_XFLAG_COMMON;
	} else {
		vexfs_fileattr_to_fsx(&old, &old_fsx);
		vexfs_fileattr_to_fsx(fa, &fsx);
		err = vfs_ioc_fssetxattr_check(inode, &old_fsx, &fsx);
		/* It drops the extent size flags of a zero size. */
		fa->fsx_xflags = fsx.fsx_xflags;
		fa->flags |= old.flags & ~FS_COMMON_FL;
	}
	if (!err)
		err = vexfs_fileattr_set(VEXFS_NOP_IDMAP, dentry, fa);
	inode_unlock(inode);
	mnt_drop_write_file(file);
	return err;
}

/* FS_IOC_GETFLAGS/SETFLAGS and FS_IOC_FSGETXATTR/FSSETXATTR, as 5.13. */
static inline long vexfs_compat_fileattr_ioctl(struct file *file,
					       unsigned int cmd,
					       void __user *arg)
{
	struct fileattr fa;
	struct fsxattr fsx;
	u32 flags;

	switch (cmd) {
	case FS_IOC_GETFLAGS:
		vexfs_fileattr_get(file->f_path.dentry, &fa);
		return put_user(fa.flags, (int __user *)arg);
	case FS_IOC_SETFLAGS:
		if (get_user(flags, (int __user *)arg))
			return -EFAULT;
		fileattr_fill_flags(&fa, flags);
		return vexfs_compat_fileattr_set(file, &fa);
	case FS_IOC_FSGETXATTR:
		vexfs_fileattr_get(file->f_path.dentry, &fa);
		vexfs_fileattr_to_fsx(&fa, &fsx);
		return copy_to_user(arg, &fsx, sizeof(fsx)) ? -EFAULT : 0;
	case FS_IOC_FSSETXATTR:
		if (copy_from_user(&fsx, arg, sizeof(fsx)))
			return -EFAULT;
		fileattr_fill_xflags(&fa, fsx.fsx_xflags);
		fa.fsx_extsize = fsx.fsx_extsize;
		fa.fsx_nextents = fsx.fsx_nextents;
		fa.fsx_projid = fsx.fsx_projid;
		fa.fsx_cowextsize = fsx.fsx_cowextsize;
		return vexfs_compat_fileattr_set(file, &fa);
	default:
		return -ENOTTY;
	}
}
#endif

/*
 * The lock that keeps page faults and readahead from adding pages of a
 * range while its blocks are punched or zeroed.  5.15 added
 * mapping->invalidate_lock, which filemap_fault() and readahead take
 * shared; before it, a filesystem kept a semaphore of its own and took it
 * around its ->fault (ext4's i_mmap_sem).  struct vexfs_mmap_sem is that
 * semaphore, and empty where the kernel has the lock.  The holder of
 * i_rwsem takes it exclusive; ->fault (through vexfs_filemap_fault())
 * and ->page_mkwrite take it shared.
 */
#ifdef HAVE_FILEMAP_INVALIDATE_LOCK
struct vexfs_mmap_sem {
};

static inline void vexfs_mmap_sem_init(struct vexfs_mmap_sem *sem)
{
}

static inline void vexfs_invalidate_lock(struct address_space *mapping,
					 struct vexfs_mmap_sem *sem)
{
	filemap_invalidate_lock(mapping);
}

static inline void vexfs_invalidate_unlock(struct address_space *mapping,
					   struct vexfs_mmap_sem *sem)
{
	filemap_invalidate_unlock(mapping);
}

static inline void vexfs_invalidate_lock_shared(struct address_space *mapping,
						struct vexfs_mmap_sem *sem)
{
	filemap_invalidate_lock_shared(mapping);
}

static inline void
vexfs_invalidate_unlock_shared(struct address_space *mapping,
			       struct vexfs_mmap_sem *sem)
{
	filemap_invalidate_unlock_shared(mapping);
}

/* filemap_fault() takes mapping->invalidate_lock itself. */
static inline vm_fault_t vexfs_filemap_fault(struct vm_fault *vmf,
					     struct vexfs_mmap_sem *sem)
{
	return filemap_fault(vmf);
}
#else
struct vexfs_mmap_sem {
	struct rw_semaphore sem;
};

static inline void vexfs_mmap_sem_init(struct vexfs_mmap_sem *sem)
{
	init_rwsem(&sem->sem);
}

static inline void vexfs_invalidate_lock(struct address_space *mapping,
					 struct vexfs_mmap_sem *sem)
{
	down_write(&sem->sem);
}

static inline void vexfs_invalidate_unlock(struct address_space *mapping,
					   struct vexfs_mmap_sem *sem)
{
	up_write(&sem->sem);
}

static inline void vexfs_invalidate_lock_shared(struct address_space *mapping,
						struct vexfs_mmap_sem *sem)
{
	down_read(&sem->sem);
}

static inline void
vexfs_invalidate_unlock_shared(struct address_space *mapping,
			       struct vexfs_mmap_sem *sem)
{
	up_read(&sem->sem);
}

static inline vm_fault_t vexfs_filemap_fault(struct vm_fault *vmf,
					     struct vexfs_mmap_sem *sem)
{
	vm_fault_t ret;

	down_read(&sem->sem);
	ret = filemap_fault(vmf);
	up_read(&sem->sem);
	return ret;
}
#endif

#endif /* _VEXFS_COMPAT_H */
