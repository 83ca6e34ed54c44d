// SPDX-License-Identifier: GPL-2.0
/*
 * namei.c - name lookup and the directory inode operations.
 *
 * The directory tree itself lives in dir.c; this file applies the POSIX
 * rules around it: link counts (a directory has 2 + its subdirectories,
 * since "." and ".." are not stored), i_parent (which is ".." for a
 * directory), and the times: adding or removing a name changes the
 * directory's mtime and ctime, and a changed link count or a rename
 * changes the inode's ctime.
 *
 * Locking: the VFS holds the directory's i_rwsem exclusively for every
 * operation here but lookup (shared), and for rename the i_rwsem of both
 * directories and of the inodes involved, plus s_vfs_rename_mutex for a
 * rename across directories.  The tree needs nothing more.
 *
 * Journaling: each operation runs in one jbd2 handle, started here
 * before anything else is locked (see journal.c), so that it commits as a
 * whole or not at all: a rename never shows the name neither or twice.
 * An inode that loses its last link goes on the orphan list in the same
 * handle, so a crash before its last close frees it at the next mount.
 * RENAME_WHITEOUT (overlayfs) allocates the whiteout in the rename's
 * handle too and points the old name's entry at it: after a crash the
 * old name names either the file or the whiteout, never nothing.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "vexfs.h"

static struct dentry *vexfs_lookup(struct inode *dir, struct dentry *dentry,
				   unsigned int flags)
{
	struct inode *inode = NULL;
	u64 ino;
	int err;

	if (dentry->d_name.len > VEXFS_NAME_LEN)
		return ERR_PTR(-ENAMETOOLONG);
	err = vexfs_dir_find(dir, &dentry->d_name, NULL, &ino);
	if (!err) {
		inode = vexfs_iget(dir->i_sb, ino);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	} else if (err != -ENOENT) {
		return ERR_PTR(err);
	}
	/* A miss is remembered as a negative dentry. */
	return d_splice_alias(inode, dentry);
}

/* A name was added to or removed from @dir. */
static void vexfs_dir_touch(struct inode *dir)
{
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	mark_inode_dirty(dir);
	vexfs_dirsync(dir);
}

/*
 * Link the new inode @inode under @dentry in @dir and make it visible, or
 * drop it (eviction frees it) if the name cannot be added.
 */
static int vexfs_add_new(struct inode *dir, struct dentry *dentry,
			 struct inode *inode)
{
	int err;

	err = vexfs_dir_add(dir, &dentry->d_name, inode);
	if (err) {
		clear_nlink(inode);
		discard_new_inode(inode);
		return err;
	}
	vexfs_dir_touch(dir);
	d_instantiate_new(dentry, inode);
	return 0;
}

static int __vexfs_create(vexfs_idmap_t *idmap, struct inode *dir,
			  struct dentry *dentry, umode_t mode)
{
	struct inode *inode;

	inode = vexfs_new_inode(idmap, dir, mode, 0);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	return vexfs_add_new(dir, dentry, inode);
}

static int __vexfs_mknod(vexfs_idmap_t *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, dev_t rdev)
{
	struct inode *inode;

	/* Every dev_t fits i_rdev through new_encode_dev(). */
	inode = vexfs_new_inode(idmap, dir, mode, rdev);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	return vexfs_add_new(dir, dentry, inode);
}

static int __vexfs_tmpfile(vexfs_idmap_t *idmap, struct inode *dir,
			   vexfs_tmpfile_t *file, umode_t mode)
{
	struct inode *inode;
	int err;

	inode = vexfs_new_inode(idmap, dir, mode, 0);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	/* Drops the link count to 0; the last close frees the inode. */
	vexfs_d_tmpfile(file, inode);
	err = vexfs_orphan_add(inode);
	unlock_new_inode(inode);
	if (err)
		return err;
	return vexfs_tmpfile_open(file);
}

static int __vexfs_symlink(vexfs_idmap_t *idmap, struct inode *dir,
			   struct dentry *dentry, const char *symname)
{
	size_t len = strlen(symname) + 1;	/* with the NUL */
	struct vexfs_inode_info *vi;
	struct inode *inode;
	int err;

	if (len > dir->i_sb->s_blocksize)
		return -ENAMETOOLONG;
	inode = vexfs_new_inode(idmap, dir, S_IFLNK | 0777, 0);
	if (IS_ERR(inode))
		return PTR_ERR(inode);

	vi = VEXFS_I(inode);
	if (len <= sizeof(vi->i_data)) {
		/* A fast symlink: the target, NUL included, in i_data. */
		vi->i_flags |= VEXFS_INODE_INLINE;
		memset(vi->i_data, 0, sizeof(vi->i_data));
		memcpy(vi->i_data, symname, len);
		inode->i_op = &vexfs_fast_symlink_inode_operations;
		i_size_write(inode, len - 1);
	} else {
		/* vexfs_new_inode() set up a page symlink. */
		err = page_symlink(inode, symname, len);
		if (err) {
			clear_nlink(inode);
			discard_new_inode(inode);
			return err;
		}
	}
	mark_inode_dirty(inode);
	return vexfs_add_new(dir, dentry, inode);
}

/*
 * Would moving @inode from @old_dir to @new_dir cross a collection
 * boundary?  Both directories must be in the same collection, and so must
 * the inode, unless it is a collection's root (in its collection, below a
 * directory that is in none).  An inode that a collection's adoption walk
 * (vecadopt.c) has not reached yet is in no collection below a directory
 * that is in one: it stays where it is until the walk reaches it.
 */
static bool vexfs_move_crosses(struct inode *inode, struct inode *old_dir,
			       struct inode *new_dir)
{
	u32 from = VEXFS_I(old_dir)->i_collection;
	u32 to = VEXFS_I(new_dir)->i_collection;
	u32 own = VEXFS_I(inode)->i_collection;
	bool root = own && !from;

	return from != to || (own != to && !root);
}

static int __vexfs_link(struct dentry *old_dentry, struct inode *dir,
			struct dentry *dentry)
{
	struct inode *inode = d_inode(old_dentry);
	int err;

	if (inode->i_nlink >= VEXFS_LINK_MAX)
		return -EMLINK;
	/* A link may not cross a collection boundary (like XFS projects). */
	if (VEXFS_I(inode)->i_collection != VEXFS_I(dir)->i_collection)
		return -EXDEV;
	err = vexfs_dir_add(dir, &dentry->d_name, inode);
	if (err)
		return err;
	vexfs_dir_touch(dir);
	inode_set_ctime_current(inode);
	inode_inc_link_count(inode);
	/* An O_TMPFILE file given a name is no orphan any more. */
	if (inode->i_nlink == 1)
		vexfs_orphan_del(inode);
	ihold(inode);
	d_instantiate(dentry, inode);
	return 0;
}

static int __vexfs_mkdir(vexfs_idmap_t *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode)
{
	struct inode *inode;
	int err;

	if (dir->i_nlink >= VEXFS_LINK_MAX)
		return -EMLINK;
	inode = vexfs_new_inode(idmap, dir, S_IFDIR | mode, 0);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	err = vexfs_add_new(dir, dentry, inode);
	if (err)
		return err;
	inode_inc_link_count(dir);	/* the new ".." */
	return 0;
}

/*
 * Find the entry @dentry of @dir into @slot.  The entry must name the
 * inode the dcache says it does (@inode).
 */
static int vexfs_find_own_name(struct inode *dir, struct dentry *dentry,
			       struct inode *inode, struct vexfs_dir_slot *slot)
{
	u64 ino;
	int err;

	err = vexfs_dir_find(dir, &dentry->d_name, slot, &ino);
	if (err == -ENOENT) {
		vexfs_error(dir->i_sb, "directory %llu: entry \"%pd\" vanished",
			    (unsigned long long)dir->i_ino, dentry);
		return -EFSCORRUPTED;
	}
	if (err)
		return err;
	if (ino != inode->i_ino) {
		vexfs_error(dir->i_sb, "directory %llu: entry \"%pd\" names inode %llu, not %llu",
			    (unsigned long long)dir->i_ino, dentry, ino,
			    (unsigned long long)inode->i_ino);
		vexfs_dir_slot_release(slot);
		return -EFSCORRUPTED;
	}
	return 0;
}

/*
 * Remove the name @dentry of @inode from @dir, or, if @whiteout is not
 * NULL, make the name refer to @whiteout instead: the entry keeps its
 * place, so that the whiteout replaces the name in the same handle,
 * without a moment (or a crash) when neither exists.
 */
static int vexfs_remove_name(struct inode *dir, struct dentry *dentry,
			     struct inode *inode, struct inode *whiteout)
{
	struct vexfs_dir_slot slot;
	int err;

	err = vexfs_find_own_name(dir, dentry, inode, &slot);
	if (err)
		return err;
	if (whiteout)
		vexfs_dir_slot_set(dir, &slot, whiteout);
	else
		vexfs_dir_slot_delete(dir, &slot);
	vexfs_dir_slot_release(&slot);
	vexfs_dir_touch(dir);
	return 0;
}

/*
 * Drop one link of @inode, which must have one.  A directory keeps at
 * least the two of "." and its name: a corrupt count must not let a
 * directory that is still linked reach 0 (and be freed at eviction, or
 * trip inc_nlink()'s warning when a subdirectory is added later).
 * The last link makes an orphan.
 */
static void vexfs_drop_link(struct inode *inode)
{
	if (S_ISDIR(inode->i_mode) ? inode->i_nlink > 2 : inode->i_nlink > 0)
		drop_nlink(inode);
	else
		vexfs_error(inode->i_sb, "inode %llu: link count underflow",
			    (unsigned long long)inode->i_ino);
	mark_inode_dirty(inode);
	if (!inode->i_nlink)
		vexfs_orphan_add(inode);
}

static int __vexfs_unlink(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	int err;

	err = vexfs_remove_name(dir, dentry, inode, NULL);
	if (err)
		return err;
	inode_set_ctime_to_ts(inode, inode_get_ctime(dir));
	vexfs_drop_link(inode);
	return 0;
}

static int __vexfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	int err;

	err = vexfs_dir_is_empty(inode);
	if (err < 0)
		return err;
	if (!err)
		return -ENOTEMPTY;
	err = vexfs_remove_name(dir, dentry, inode, NULL);
	if (err)
		return err;
	inode_set_ctime_to_ts(inode, inode_get_ctime(dir));
	/* Its blocks go at eviction; meanwhile it reads as empty. */
	i_size_write(inode, 0);
	clear_nlink(inode);
	mark_inode_dirty(inode);
	vexfs_orphan_add(inode);
	if (dir->i_nlink > 2)
		vexfs_drop_link(dir);	/* its ".." */
	return 0;
}

/* Both names exist: swap the inodes they name. */
static int vexfs_exchange(struct inode *old_dir, struct dentry *old_dentry,
			  struct inode *new_dir, struct dentry *new_dentry)
{
	struct inode *old_inode = d_inode(old_dentry);
	struct inode *new_inode = d_inode(new_dentry);
	bool old_is_dir = S_ISDIR(old_inode->i_mode);
	bool new_is_dir = S_ISDIR(new_inode->i_mode);
	struct vexfs_dir_slot old_slot, new_slot;
	u64 ino;
	int err;

	if (vexfs_move_crosses(old_inode, old_dir, new_dir) ||
	    vexfs_move_crosses(new_inode, new_dir, old_dir))
		return -EXDEV;
	if (old_dir != new_dir && old_is_dir != new_is_dir &&
	    (old_is_dir ? new_dir : old_dir)->i_nlink >= VEXFS_LINK_MAX)
		return -EMLINK;

	/* Find both before changing either. */
	err = vexfs_dir_find(old_dir, &old_dentry->d_name, &old_slot, &ino);
	if (err)
		return err == -ENOENT ? -EFSCORRUPTED : err;
	err = vexfs_dir_find(new_dir, &new_dentry->d_name, &new_slot, &ino);
	if (err) {
		vexfs_dir_slot_release(&old_slot);
		return err == -ENOENT ? -EFSCORRUPTED : err;
	}
	vexfs_dir_slot_set(old_dir, &old_slot, new_inode);
	vexfs_dir_slot_set(new_dir, &new_slot, old_inode);
	vexfs_dir_slot_release(&new_slot);
	vexfs_dir_slot_release(&old_slot);

	if (old_dir != new_dir) {
		/* i_parent names the directory the inode is now in. */
		VEXFS_I(old_inode)->i_parent = new_dir->i_ino;
		VEXFS_I(new_inode)->i_parent = old_dir->i_ino;
		if (old_is_dir) {
			if (!new_is_dir) {
				inc_nlink(new_dir);
				vexfs_drop_link(old_dir);
			}
		}
		if (new_is_dir) {
			if (!old_is_dir) {
				inc_nlink(old_dir);
				vexfs_drop_link(new_dir);
			}
		}
	}
	vexfs_dir_touch(old_dir);
	if (new_dir != old_dir)
		vexfs_dir_touch(new_dir);
	inode_set_ctime_current(old_inode);
	mark_inode_dirty(old_inode);
	inode_set_ctime_current(new_inode);
	mark_inode_dirty(new_inode);
	return 0;
}

/*
 * The whiteout RENAME_WHITEOUT leaves at the old name: a character device
 * 0/0 (WHITEOUT_DEV), which overlayfs reads as "deleted in this layer".
 * It is made like any device node in @dir (owner, ACLs, collection), in
 * the rename's handle, and is still I_NEW.
 */
static struct inode *vexfs_new_whiteout(vexfs_idmap_t *idmap,
					struct inode *dir)
{
	return vexfs_new_inode(idmap, dir, S_IFCHR | WHITEOUT_MODE,
			       WHITEOUT_DEV);
}

static int __vexfs_rename(vexfs_idmap_t *idmap, struct inode *old_dir,
			  struct dentry *old_dentry, struct inode *new_dir,
			  struct dentry *new_dentry, unsigned int flags)
{
	struct inode *old_inode = d_inode(old_dentry);
	struct inode *new_inode = d_inode(new_dentry);
	bool is_dir = S_ISDIR(old_inode->i_mode);
	struct inode *whiteout = NULL;
	struct vexfs_dir_slot slot;
	u64 ino;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	/* The VFS refuses RENAME_EXCHANGE with RENAME_WHITEOUT. */
	if (flags & RENAME_EXCHANGE)
		return vexfs_exchange(old_dir, old_dentry, new_dir, new_dentry);
	/*
	 * Moving across a collection boundary would carry vectors of one
	 * dimension into another collection: EXDEV makes mv copy instead,
	 * and the copy's user.vexfs.embedding xattr carries the vector.
	 */
	if (vexfs_move_crosses(d_inode(old_dentry), old_dir, new_dir))
		return -EXDEV;

	/* The VFS has checked the types match; a directory must be empty. */
	if (new_inode && is_dir) {
		err = vexfs_dir_is_empty(new_inode);
		if (err < 0)
			return err;
		if (!err)
			return -ENOTEMPTY;
	}
	if (!new_inode && is_dir && new_dir != old_dir &&
	    new_dir->i_nlink >= VEXFS_LINK_MAX)
		return -EMLINK;

	/* Check the old name is readable before changing anything. */
	err = vexfs_dir_find(old_dir, &old_dentry->d_name, NULL, &ino);
	if (!err && ino != old_inode->i_ino)
		err = -ENOENT;
	if (err) {
		if (err == -ENOENT) {
			vexfs_error(old_dir->i_sb, "directory %llu: bad entry \"%pd\"",
				    (unsigned long long)old_dir->i_ino, old_dentry);
			err = -EFSCORRUPTED;
		}
		return err;
	}

	/*
	 * The whiteout is made before anything changes, so that running out
	 * of inodes or space leaves the rename undone.
	 */
	if (flags & RENAME_WHITEOUT) {
		whiteout = vexfs_new_whiteout(idmap, old_dir);
		if (IS_ERR(whiteout))
			return PTR_ERR(whiteout);
	}

	if (new_inode) {
		err = vexfs_dir_find(new_dir, &new_dentry->d_name, &slot, &ino);
		if (err) {
			err = err == -ENOENT ? -EFSCORRUPTED : err;
			goto out_whiteout;
		}
		vexfs_dir_slot_set(new_dir, &slot, old_inode);
		vexfs_dir_slot_release(&slot);
		inode_set_ctime_current(new_inode);
		if (is_dir) {
			i_size_write(new_inode, 0);
			clear_nlink(new_inode);
			mark_inode_dirty(new_inode);
			vexfs_orphan_add(new_inode);
		} else {
			vexfs_drop_link(new_inode);
		}
	} else {
		err = vexfs_dir_add(new_dir, &new_dentry->d_name, old_inode);
		if (err)
			goto out_whiteout;
		if (is_dir)
			inc_nlink(new_dir);	/* gains a subdirectory */
	}
	vexfs_dir_touch(new_dir);

	err = vexfs_remove_name(old_dir, old_dentry, old_inode, whiteout);
	if (err)
		goto out_whiteout;
	/*
	 * old_dir loses a subdirectory.  Over an existing directory new_dir
	 * trades one subdirectory for another, which is why the replaced
	 * one did not change its count above.
	 */
	/* i_parent follows the inode: naming search hits relies on it. */
	VEXFS_I(old_inode)->i_parent = new_dir->i_ino;
	if (is_dir)
		vexfs_drop_link(old_dir);
	inode_set_ctime_current(old_inode);
	mark_inode_dirty(old_inode);
	if (whiteout) {
		/* Linked by the old name's entry; no dentry refers to it. */
		unlock_new_inode(whiteout);
		iput(whiteout);
	}
	return 0;

out_whiteout:
	/* Never linked: eviction frees it within this handle. */
	if (whiteout) {
		clear_nlink(whiteout);
		discard_new_inode(whiteout);
	}
	return err;
}

/* ------------------------------------------------------------------ */
/* The operations, each in one handle                                  */
/* ------------------------------------------------------------------ */

/*
 * Run one directory operation in a handle of @credits.  -ENOSPC may only
 * mean that the free blocks wait for a commit: force one and try again.
 */
#define VEXFS_JOURNALED(sb, credits, call)				\
({									\
	int __retries = 0, __err;					\
	handle_t *__h;							\
									\
	do {								\
		__h = vexfs_journal_start(sb, credits, 0);		\
		if (IS_ERR(__h)) {					\
			__err = PTR_ERR(__h);				\
			break;						\
		}							\
		__err = call;						\
		if (!__err)						\
			__err = vexfs_journal_stop(__h);		\
		else							\
			vexfs_journal_stop(__h);			\
	} while (__err == -ENOSPC &&					\
		 vexfs_should_retry_alloc(sb, &__retries));		\
	__err;								\
})

static int vexfs_do_create(vexfs_idmap_t *idmap, struct inode *dir,
			   struct dentry *dentry, umode_t mode)
{
	return VEXFS_JOURNALED(dir->i_sb, VEXFS_CREATE_CREDITS,
			       __vexfs_create(idmap, dir, dentry, mode));
}

/* The ->create method; its argument list differs (see compat.h). */
VEXFS_CREATE_OP(vexfs_create, vexfs_do_create)

static int vexfs_mknod(VEXFS_IDMAP_PARAM(idmap) struct inode *dir,
		       struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return VEXFS_JOURNALED(dir->i_sb, VEXFS_CREATE_CREDITS,
			       __vexfs_mknod(VEXFS_IDMAP_ARG(idmap), dir,
					     dentry, mode, rdev));
}

static int vexfs_tmpfile(VEXFS_IDMAP_PARAM(idmap) struct inode *dir,
			 vexfs_tmpfile_t *file, umode_t mode)
{
	return VEXFS_JOURNALED(dir->i_sb, VEXFS_CREATE_CREDITS,
			       __vexfs_tmpfile(VEXFS_IDMAP_ARG(idmap), dir,
					       file, mode));
}

static int vexfs_symlink(VEXFS_IDMAP_PARAM(idmap) struct inode *dir,
			 struct dentry *dentry, const char *symname)
{
	return VEXFS_JOURNALED(dir->i_sb, VEXFS_CREATE_CREDITS,
			       __vexfs_symlink(VEXFS_IDMAP_ARG(idmap), dir,
					       dentry, symname));
}

static int vexfs_link(struct dentry *old_dentry, struct inode *dir,
		      struct dentry *dentry)
{
	return VEXFS_JOURNALED(dir->i_sb, VEXFS_DIR_ADD_CREDITS +
			       2 * VEXFS_INODE_CREDITS + VEXFS_ORPHAN_CREDITS,
			       __vexfs_link(old_dentry, dir, dentry));
}

static int vexfs_do_mkdir(vexfs_idmap_t *idmap, struct inode *dir,
			  struct dentry *dentry, umode_t mode)
{
	return VEXFS_JOURNALED(dir->i_sb, VEXFS_CREATE_CREDITS,
			       __vexfs_mkdir(idmap, dir, dentry, mode));
}

/* The ->mkdir method; its return type differs (see compat.h). */
VEXFS_MKDIR_OP(vexfs_mkdir, vexfs_do_mkdir)

static int vexfs_unlink(struct inode *dir, struct dentry *dentry)
{
	return VEXFS_JOURNALED(dir->i_sb, VEXFS_UNLINK_CREDITS,
			       __vexfs_unlink(dir, dentry));
}

static int vexfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	return VEXFS_JOURNALED(dir->i_sb, VEXFS_UNLINK_CREDITS,
			       __vexfs_rmdir(dir, dentry));
}

static int vexfs_rename(VEXFS_IDMAP_PARAM(idmap) struct inode *old_dir,
			struct dentry *old_dentry, struct inode *new_dir,
			struct dentry *new_dentry, unsigned int flags)
{
	int credits = VEXFS_RENAME_CREDITS;

	if (flags & RENAME_WHITEOUT)
		credits += VEXFS_WHITEOUT_CREDITS;
	return VEXFS_JOURNALED(old_dir->i_sb, credits,
			       __vexfs_rename(VEXFS_IDMAP_ARG(idmap), old_dir,
					      old_dentry, new_dir, new_dentry,
					      flags));
}

const struct inode_operations vexfs_dir_inode_operations = {
	.lookup		= vexfs_lookup,
	.create		= vexfs_create,
	.link		= vexfs_link,
	.unlink		= vexfs_unlink,
	.symlink	= vexfs_symlink,
	.mkdir		= vexfs_mkdir,
	.rmdir		= vexfs_rmdir,
	.mknod		= vexfs_mknod,
	.rename		= vexfs_rename,
	.tmpfile	= vexfs_tmpfile,
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
	VEXFS_FILEATTR_INODE_OPS
	VEXFS_ACL_INODE_OPS,
};
