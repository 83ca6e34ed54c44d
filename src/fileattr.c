// SPDX-License-Identifier: GPL-2.0
/*
 * fileattr.c - the inode flags of chattr(1) and lsattr(1): immutable,
 * append-only, noatime, sync, dirsync, nodump and project-inherit.
 *
 * The on-disk i_flags use the FS_*_FL values (include/vexfs_format.h), so
 * FS_IOC_GETFLAGS reports them as they are.  The VFS enforces most of
 * their meaning through inode->i_flags (S_IMMUTABLE, S_APPEND, ...), which
 * vexfs_set_inode_flags() keeps in step with the on-disk flags at iget and
 * on every change; the few paths the VFS leaves to the filesystem (writes
 * and page faults through a file opened before chattr +i, setattr through
 * such a file, the embedding ioctls) call vexfs_may_modify().
 *
 * Since 5.13 the VFS decodes FS_IOC_GETFLAGS/SETFLAGS and
 * FS_IOC_FSGETXATTR/FSSETXATTR, checks ownership and CAP_LINUX_IMMUTABLE
 * and calls ->fileattr_get/->fileattr_set; on 5.10 compat.h does the same
 * from the ioctl (vexfs_compat_fileattr_ioctl()).  VexFS has no project
 * ids: it reports 0 and refuses any other (EOPNOTSUPP).
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vexfs.h"

/*
 * What a new inode takes from its directory, and what each type of inode
 * may carry: ext4's EXT4_FL_INHERITED, EXT4_REG_FLMASK and
 * EXT4_OTHER_FLMASK, restricted to the flags VexFS has.  As in ext4,
 * immutable and append-only are never inherited: they lock the one inode
 * that someone holding CAP_LINUX_IMMUTABLE chose, not its future entries.
 */
#define VEXFS_FL_INHERITED	(VEXFS_INODE_SYNC | VEXFS_INODE_NODUMP | \
				 VEXFS_INODE_NOATIME | VEXFS_INODE_DIRSYNC | \
				 VEXFS_INODE_PROJINHERIT)
#define VEXFS_FL_DIR_ONLY	(VEXFS_INODE_DIRSYNC | VEXFS_INODE_PROJINHERIT)
#define VEXFS_FL_OTHER		(VEXFS_INODE_NODUMP | VEXFS_INODE_NOATIME)

/* The flags of @flags an inode of type @mode may have (ext4_mask_flags()). */
static u32 vexfs_mask_flags(umode_t mode, u32 flags)
{
	if (S_ISDIR(mode))
		return flags;
	if (S_ISREG(mode))
		return flags & ~VEXFS_FL_DIR_ONLY;
	return flags & VEXFS_FL_OTHER;
}

/**
 * vexfs_set_inode_flags() - set inode->i_flags from the on-disk flags
 * @inode: the inode, whose VEXFS_I()->i_flags are current
 *
 * Context: at iget, or with i_rwsem held; inode_set_flags() makes the
 * update atomic for lockless readers of i_flags.
 */
void vexfs_set_inode_flags(struct inode *inode)
{
	u32 fl = VEXFS_I(inode)->i_flags;
	unsigned int new = 0;

	if (fl & VEXFS_INODE_SYNC)
		new |= S_SYNC;
	if (fl & VEXFS_INODE_IMMUTABLE)
		new |= S_IMMUTABLE;
	if (fl & VEXFS_INODE_APPEND)
		new |= S_APPEND;
	if (fl & VEXFS_INODE_NOATIME)
		new |= S_NOATIME;
	if (fl & VEXFS_INODE_DIRSYNC)
		new |= S_DIRSYNC;
	inode_set_flags(inode, new, S_SYNC | S_IMMUTABLE | S_APPEND |
			S_NOATIME | S_DIRSYNC);
}

/**
 * vexfs_inherit_flags() - give a new inode the flags of its directory
 * @inode: the new inode, whose mode is set and i_flags still 0
 * @dir: the directory it is created in
 */
void vexfs_inherit_flags(struct inode *inode, struct inode *dir)
{
	VEXFS_I(inode)->i_flags |=
		vexfs_mask_flags(inode->i_mode,
				 VEXFS_I(dir)->i_flags & VEXFS_FL_INHERITED);
	vexfs_set_inode_flags(inode);
}

/**
 * vexfs_may_modify() - may @inode's data or metadata change at all?
 * @inode: the inode
 *
 * The VFS refuses to open an immutable file for writing and checks the
 * flags on the paths it owns; this is for the ones it leaves to the
 * filesystem, such as a write through a file opened before chattr +i.
 *
 * Return: 0, or -EPERM for an immutable inode.
 */
int vexfs_may_modify(struct inode *inode)
{
	return IS_IMMUTABLE(inode) ? -EPERM : 0;
}

/**
 * vexfs_may_relabel() - may @inode's attributes (xattrs, embedding) change?
 * @inode: the inode
 *
 * As xattr_permission() decides for extended attributes: neither an
 * immutable nor an append-only inode may change them.
 *
 * Return: 0 or -EPERM.
 */
int vexfs_may_relabel(struct inode *inode)
{
	return IS_IMMUTABLE(inode) || IS_APPEND(inode) ? -EPERM : 0;
}

/* Mark the running handle synchronous (chattr +S, +D, mount -o sync). */
static void vexfs_handle_make_sync(struct super_block *sb)
{
	handle_t *handle = vexfs_handle(sb);

	if (handle)
		handle->h_sync = 1;
}

/**
 * vexfs_dirsync() - make a change to @dir durable before it returns
 * @dir: a directory a name was added to or removed from
 *
 * For a directory with chattr +D or +S (or a dirsync/sync mount), the
 * handle that changed it commits before the operation returns, as ext4's
 * ext4_handle_sync() makes it.
 *
 * Context: inside a handle.
 */
void vexfs_dirsync(struct inode *dir)
{
	if (IS_DIRSYNC(dir))
		vexfs_handle_make_sync(dir->i_sb);
}

/**
 * vexfs_fileattr_get() - ->fileattr_get: report the chattr flags
 * @dentry: the file
 * @fa: filled in (flags and the matching xflags; project id 0)
 *
 * Return: 0.
 */
int vexfs_fileattr_get(struct dentry *dentry, vexfs_fileattr_t *fa)
{
	struct inode *inode = d_inode(dentry);

	fileattr_fill_flags(fa, VEXFS_I(inode)->i_flags &
			    VEXFS_INODE_USER_FLAGS);
	return 0;
}

/* Store @flags (already checked) in @inode, in one handle. */
static int vexfs_fileattr_store(struct inode *inode, u32 flags)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	handle_t *handle;

	handle = vexfs_journal_start(inode->i_sb, VEXFS_INODE_CREDITS, 0);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	vi->i_flags = (vi->i_flags & ~VEXFS_INODE_USER_FLAGS) | flags;
	vexfs_set_inode_flags(inode);
	inode_set_ctime_current(inode);
	mark_inode_dirty(inode);
	if (IS_SYNC(inode))
		vexfs_handle_make_sync(inode->i_sb);
	return vexfs_journal_stop(handle);
}

/**
 * vexfs_fileattr_set() - ->fileattr_set: change the chattr flags
 * @idmap: the mount's idmapping (unused: the VFS checked ownership)
 * @dentry: the file
 * @fa: the new flags, from FS_IOC_SETFLAGS or FS_IOC_FSSETXATTR
 *
 * The caller (the VFS, or compat.h on 5.10) holds i_rwsem and write
 * access to the mount, and has checked that the caller owns the file
 * and holds CAP_LINUX_IMMUTABLE if +i or +a changes.  As ext4 does, a
 * flag VexFS does not have, or one that does not apply to the file's
 * type (+D or +P on a regular file), is refused with EOPNOTSUPP, and so
 * is any fsxattr field but the flags (extent size hints, a project id):
 * ext4 ignores those, but VexFS refuses them as btrfs does, rather than
 * report success for what it does not store.  An immutable inode's other
 * flags cannot change unless +i is cleared in the same call (EPERM).
 *
 * Context: process context, i_rwsem held; starts a handle; may sleep.
 * Return: 0, -EOPNOTSUPP, -EPERM, -EIO or -EROFS.
 */
int vexfs_fileattr_set(vexfs_idmap_t *idmap, struct dentry *dentry,
		       vexfs_fileattr_t *fa)
{
	struct inode *inode = d_inode(dentry);
	u32 flags = fa->flags;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	if (fileattr_has_fsx(fa))
		return -EOPNOTSUPP;
	if (flags & ~VEXFS_INODE_USER_FLAGS)
		return -EOPNOTSUPP;
	if (vexfs_mask_flags(inode->i_mode, flags) != flags)
		return -EOPNOTSUPP;
	/*
	 * An immutable inode's other flags are frozen too: +i must go
	 * first, or in the same call (ext4_ioctl_check_immutable()).
	 */
	if (IS_IMMUTABLE(inode) && (flags & VEXFS_INODE_IMMUTABLE) &&
	    flags != (VEXFS_I(inode)->i_flags & VEXFS_INODE_USER_FLAGS))
		return -EPERM;
	return vexfs_fileattr_store(inode, flags);
}
