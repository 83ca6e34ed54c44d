/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel API difference between the supported kernels
 * (Debian 12's 6.1 and 6.12 series), and nothing else.
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
#include "compat-gen.h"

/*
 * 6.3 replaced the user namespace argument of the inode operations with a
 * struct mnt_idmap.  VexFS does not support idmapped mounts, so it only
 * passes the argument through.
 */
#ifdef HAVE_MNT_IDMAP
typedef struct mnt_idmap vexfs_idmap_t;
#else
typedef struct user_namespace vexfs_idmap_t;
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

/* 6.12's ->write_begin/->write_end pass folios, 6.1's pass pages. */
#ifdef HAVE_WRITE_BEGIN_FOLIO
typedef struct folio vexfs_write_page_t;
#else
typedef struct page vexfs_write_page_t;
#endif

/* Unlock and release what ->write_begin returned. */
static inline void vexfs_write_page_release(vexfs_write_page_t *page)
{
#ifdef HAVE_WRITE_BEGIN_FOLIO
	folio_unlock(page);
	folio_put(page);
#else
	unlock_page(page);
	put_page(page);
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
#ifdef HAVE_FILEMAP_SPLICE_READ
#define vexfs_splice_read	filemap_splice_read
#else
#define vexfs_splice_read	generic_file_splice_read
#endif

/* 6.6 gave generic_fillattr() the request mask. */
static inline void vexfs_fillattr(vexfs_idmap_t *idmap, u32 request_mask,
				  struct inode *inode, struct kstat *stat)
{
#ifdef HAVE_GENERIC_FILLATTR_MASK
	generic_fillattr(idmap, request_mask, inode, stat);
#else
	generic_fillattr(idmap, inode, stat);
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

#ifdef HAVE_GET_INODE_ACL
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
#else
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
#endif

#endif /* _VEXFS_COMPAT_H */
