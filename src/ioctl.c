// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl.c - the ioctl interface of include/vexfs_uapi.h, and
 * FS_IOC_GETVERSION (the inode's generation, as ext4 and xfs report it);
 * before 5.13, also the chattr flags ioctls (fileattr.c, through
 * compat.h).
 *
 * Each command copies its argument in, checks every field (version,
 * flags, reserved fields, sizes, limits) before acting, and copies out a
 * structure that was zeroed first, so nothing of the kernel's memory
 * reaches userspace.  Commands that change anything take write access to
 * the mount.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>

#include "vexfs.h"
#include "vector.h"

static bool vexfs_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

static void vexfs_fill_info(struct vexfs_coll *c, struct vexfs_collection_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = VEXFS_UAPI_VERSION;
	info->id = c->id;
	info->dim = c->dim;
	info->metric = c->metric;
	info->elem_type = VEXFS_ELEM_FLOAT32;
	info->root_ino = c->root_ino;
	mutex_lock(&c->lock);
	info->count = c->count;
	info->slots = c->slots;
	mutex_unlock(&c->lock);
	info->hnsw_m = c->hnsw_m;
	info->hnsw_ef_construction = c->hnsw_ef_construction;
	info->index_state = vexfs_vindex_peek_state(c);
}

/*
 * Is @dir already the root of the collection @info asks for?  Then an
 * adopting create resumes the walk an earlier one did not finish.
 */
static bool vexfs_coll_resumes(struct inode *dir,
			       const struct vexfs_collection_info *info,
			       struct vexfs_coll **out)
{
	struct vexfs_coll *c;

	if (!VEXFS_I(dir)->i_collection)
		return false;
	c = vexfs_coll_get(dir);
	if (IS_ERR(c) || c->root_ino != dir->i_ino || c->dim != info->dim ||
	    c->metric != info->metric)
		return false;
	*out = c;
	return true;
}

static int vexfs_ioc_create(struct file *file, void __user *arg)
{
	struct inode *dir = file_inode(file);
	struct vexfs_collection_info info;
	struct vexfs_coll *c;
	bool adopt;
	int err;

	if (copy_from_user(&info, arg, sizeof(info)))
		return -EFAULT;
	if (info.version != VEXFS_UAPI_VERSION ||
	    (info.flags & ~VEXFS_COLLECTION_ADOPT) || info.id ||
	    info.root_ino || info.count || info.slots || info.index_state ||
	    (info.elem_type && info.elem_type != VEXFS_ELEM_FLOAT32) ||
	    !vexfs_zero(info.reserved, sizeof(info.reserved)))
		return -EINVAL;
	if ((info.hnsw_m && (info.hnsw_m < 2 ||
			     info.hnsw_m > VEXFS_HNSW_MAX_M)) ||
	    info.hnsw_ef_construction > VEXFS_HNSW_MAX_EF)
		return -EINVAL;
	if (!info.dim || info.dim > VEXFS_UAPI_MAX_DIM ||
	    info.metric < VEXFS_UAPI_METRIC_L2 ||
	    info.metric > VEXFS_UAPI_METRIC_IP)
		return -EINVAL;
	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	/* Like changing the directory's attributes: its owner decides. */
	if (!vexfs_inode_owner_or_capable(dir))
		return -EPERM;
	err = vexfs_may_relabel(dir);
	if (err)
		return err;
	err = vexfs_inode_permission(dir, MAY_WRITE);
	if (err)
		return err;
	err = mnt_want_write_file(file);
	if (err)
		return err;
	adopt = info.flags & VEXFS_COLLECTION_ADOPT;
	inode_lock(dir);
	if (IS_DEADDIR(dir))
		err = -ENOENT;
	else if (adopt && vexfs_coll_resumes(dir, &info, &c))
		err = 0;
	else
		err = vexfs_coll_create(dir, info.dim, info.metric,
					info.hnsw_m, info.hnsw_ef_construction,
					adopt, &c);
	inode_unlock(dir);
	if (!err && adopt)
		err = vexfs_coll_adopt(dir, c);
	mnt_drop_write_file(file);
	if (err)
		return err;
	vexfs_fill_info(c, &info);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int vexfs_ioc_info(struct file *file, void __user *arg)
{
	struct vexfs_collection_info info;
	struct vexfs_coll *c;

	if (copy_from_user(&info, arg, sizeof(info)))
		return -EFAULT;
	if (info.version != VEXFS_UAPI_VERSION || info.flags ||
	    !vexfs_zero(&info.id, sizeof(info) -
			offsetof(struct vexfs_collection_info, id)))
		return -EINVAL;
	c = vexfs_coll_get(file_inode(file));
	if (IS_ERR(c))
		return PTR_ERR(c);
	vexfs_fill_info(c, &info);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

struct vexfs_list_ctx {
	struct vexfs_collection_info *out;
	u32 capacity;
	u32 count;
};

static int vexfs_list_one(struct vexfs_coll *c, void *arg)
{
	struct vexfs_list_ctx *l = arg;

	if (l->count < l->capacity)
		vexfs_fill_info(c, &l->out[l->count]);
	l->count++;
	return 0;
}

static int vexfs_ioc_list(struct file *file, void __user *arg)
{
	struct vexfs_collection_list list;
	struct vexfs_list_ctx l = { };
	int err;

	if (copy_from_user(&list, arg, sizeof(list)))
		return -EFAULT;
	if (list.version != VEXFS_UAPI_VERSION || list.flags || list.count ||
	    list.capacity > VEXFS_LIST_MAX ||
	    (list.capacity && !list.entries) ||
	    !vexfs_zero(list.reserved, sizeof(list.reserved)))
		return -EINVAL;
	l.capacity = list.capacity;
	if (l.capacity) {
		l.out = kvcalloc(l.capacity, sizeof(*l.out), GFP_KERNEL);
		if (!l.out)
			return -ENOMEM;
	}
	err = vexfs_coll_for_each(file_inode(file)->i_sb, vexfs_list_one, &l);
	if (err)
		goto out;
	err = -EFAULT;
	if (l.capacity &&
	    copy_to_user(u64_to_user_ptr(list.entries), l.out,
			 (size_t)min(l.count, l.capacity) * sizeof(*l.out)))
		goto out;
	list.count = l.count;
	err = copy_to_user(arg, &list, sizeof(list)) ? -EFAULT : 0;
out:
	kvfree(l.out);
	return err;
}

/* Check a struct vexfs_embedding; 0 or -EINVAL. */
static int vexfs_embedding_args(const struct vexfs_embedding *e)
{
	if (e->version != VEXFS_UAPI_VERSION || e->flags || e->reserved0 ||
	    !vexfs_zero(e->reserved, sizeof(e->reserved)) ||
	    e->dim > VEXFS_UAPI_MAX_DIM)
		return -EINVAL;
	return 0;
}

static int vexfs_ioc_embed_set(struct file *file, void __user *arg)
{
	struct inode *inode = file_inode(file);
	struct vexfs_embedding e;
	u32 *vec;
	int err;

	if (copy_from_user(&e, arg, sizeof(e)))
		return -EFAULT;
	err = vexfs_embedding_args(&e);
	if (err || !e.dim)
		return -EINVAL;
	if (!S_ISREG(inode->i_mode))
		return S_ISDIR(inode->i_mode) ? -EISDIR : -EPERM;
	err = vexfs_inode_permission(inode, MAY_WRITE);
	if (err)
		return err;
	vec = kvmalloc_array(e.dim, sizeof(u32), GFP_KERNEL);
	if (!vec)
		return -ENOMEM;
	err = -EFAULT;
	if (copy_from_user(vec, u64_to_user_ptr(e.vector),
			   (size_t)e.dim * sizeof(u32)))
		goto out;
	err = mnt_want_write_file(file);
	if (err)
		goto out;
	inode_lock(inode);
	err = vexfs_embedding_set(inode, vec, e.dim);
	inode_unlock(inode);
	mnt_drop_write_file(file);
out:
	kvfree(vec);
	return err;
}

static int vexfs_ioc_embed_get(struct file *file, void __user *arg)
{
	struct inode *inode = file_inode(file);
	struct vexfs_embedding e;
	u32 *vec, dim;
	int err;

	if (copy_from_user(&e, arg, sizeof(e)))
		return -EFAULT;
	err = vexfs_embedding_args(&e);
	if (err)
		return err;
	err = vexfs_inode_permission(inode, MAY_READ);
	if (err)
		return err;
	err = vexfs_embedding_get(inode, NULL, &dim);
	if (err)
		return err;
	if (e.dim && e.dim != dim)
		return -EINVAL;
	if (e.dim) {
		vec = kvmalloc_array(dim, sizeof(u32), GFP_KERNEL);
		if (!vec)
			return -ENOMEM;
		err = vexfs_embedding_get(inode, vec, &dim);
		if (!err && copy_to_user(u64_to_user_ptr(e.vector), vec,
					 (size_t)dim * sizeof(u32)))
			err = -EFAULT;
		kvfree(vec);
		if (err)
			return err;
	}
	/* dim 0 asks for the dimension only. */
	e.dim = dim;
	return copy_to_user(arg, &e, sizeof(e)) ? -EFAULT : 0;
}

static int vexfs_ioc_embed_remove(struct file *file, void __user *arg)
{
	struct inode *inode = file_inode(file);
	struct vexfs_embedding e;
	int err;

	if (copy_from_user(&e, arg, sizeof(e)))
		return -EFAULT;
	err = vexfs_embedding_args(&e);
	if (err || e.dim || e.vector)
		return -EINVAL;
	err = vexfs_inode_permission(inode, MAY_WRITE);
	if (err)
		return err;
	err = mnt_want_write_file(file);
	if (err)
		return err;
	inode_lock(inode);
	err = vexfs_embedding_remove(inode);
	inode_unlock(inode);
	mnt_drop_write_file(file);
	return err;
}

/* One item of a batch: find or create @name in @dirf, set its vector. */
static int vexfs_batch_one(struct file *dirf, const struct vexfs_batch *b,
			   const char *name, u32 len, const u32 *vec)
{
	struct dentry *parent = dirf->f_path.dentry, *dentry;
	struct inode *dir = d_inode(parent), *inode;
	bool created = false;
	int err;

	if (!len || len > VEXFS_NAME_LEN || memchr(name, '/', len) ||
	    memchr(name, '\0', len) || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	err = vexfs_vec_check(vec, b->dim);
	if (err)
		return err;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = vexfs_lookup_one(name, parent, len);
	if (IS_ERR(dentry)) {
		inode_unlock(dir);
		return PTR_ERR(dentry);
	}
	if (d_really_is_negative(dentry)) {
		err = -ENOENT;
		if ((b->flags & VEXFS_BATCH_CREATE) && !IS_DEADDIR(dir)) {
			err = vexfs_vfs_create(dir, dentry,
					       S_IFREG | (b->mode & 07777));
			created = !err;
		}
	}
	inode_unlock(dir);
	if (err)
		goto out;
	inode = d_inode(dentry);
	err = -EPERM;
	if (!S_ISREG(inode->i_mode))
		goto out;
	/* A file the caller just created is theirs to label, as open() is. */
	if (!created) {
		err = vexfs_inode_permission(inode, MAY_WRITE);
		if (err)
			goto out;
	}
	/*
	 * The embedding is one transaction (vexfs_embedding_set()); a file
	 * made above was created in one of its own, which cannot be the
	 * same: the directory's i_rwsem is taken before a handle, and the
	 * file's after.  A crash in between leaves the file without an
	 * embedding, and the caller without a result for it.
	 */
	inode_lock(inode);
	err = vexfs_embedding_set(inode, vec, b->dim);
	inode_unlock(inode);
out:
	dput(dentry);
	return err;
}

static int vexfs_ioc_batch(struct file *file, void __user *arg)
{
	struct inode *dir = file_inode(file);
	struct vexfs_batch_item *items;
	struct vexfs_batch b;
	struct vexfs_coll *c;
	char *name = NULL;
	u32 *vec = NULL, i;
	int err;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	if (b.version != VEXFS_UAPI_VERSION || (b.flags & ~VEXFS_BATCH_ALL) ||
	    !b.count || b.count > VEXFS_BATCH_MAX || !b.dim ||
	    b.dim > VEXFS_UAPI_MAX_DIM || b.mode & ~07777 || b.done ||
	    !vexfs_zero(b.reserved, sizeof(b.reserved)))
		return -EINVAL;
	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	c = vexfs_coll_get(dir);
	if (IS_ERR(c))
		return PTR_ERR(c);
	if (b.dim != c->dim)
		return -EINVAL;

	items = kvmalloc_array(b.count, sizeof(*items), GFP_KERNEL);
	name = kmalloc(VEXFS_NAME_LEN + 1, GFP_KERNEL);
	vec = kvmalloc_array(b.dim, sizeof(u32), GFP_KERNEL);
	err = -ENOMEM;
	if (!items || !name || !vec)
		goto out;
	err = -EFAULT;
	if (copy_from_user(items, u64_to_user_ptr(b.items),
			   (size_t)b.count * sizeof(*items)))
		goto out;
	err = -EINVAL;
	for (i = 0; i < b.count; i++)
		if (items[i].result || !items[i].name_len ||
		    items[i].name_len > VEXFS_NAME_LEN)
			goto out;
	err = mnt_want_write_file(file);
	if (err)
		goto out;
	for (i = 0; i < b.count; i++) {
		u32 len = items[i].name_len;
		int r;

		if (copy_from_user(name, u64_to_user_ptr(items[i].name), len) ||
		    copy_from_user(vec, u64_to_user_ptr(b.vectors) +
				   (u64)i * b.dim * sizeof(u32),
				   (size_t)b.dim * sizeof(u32))) {
			r = -EFAULT;
		} else {
			name[len] = '\0';
			r = vexfs_batch_one(file, &b, name, len, vec);
		}
		items[i].result = r;
		if (!r)
			b.done++;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	mnt_drop_write_file(file);
	if (err == -EINTR)
		goto out;
	err = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(b.items), items,
			 (size_t)b.count * sizeof(*items)) ||
	    copy_to_user(arg, &b, sizeof(b)))
		goto out;
	err = 0;
out:
	kvfree(items);
	kfree(name);
	kvfree(vec);
	return err;
}

/* Copy the path of hit @i of a query out (vexfs_vec_query()'s put_path). */
static int vexfs_query_put_path(const struct vexfs_query *q, u32 i,
				const char *path)
{
	if (copy_to_user(u64_to_user_ptr(q->paths) + (u64)i * q->path_size,
			 path, strlen(path) + 1))
		return -EFAULT;
	return 0;
}

/*
 * Run a checked query: copy the vector in, search (vecsearch.c, which
 * sees kernel buffers only), copy the hits out.  @q is updated.
 */
static int vexfs_ioc_query_run(struct file *file, struct vexfs_query *q)
{
	struct vexfs_query_hit *hits = NULL;
	struct vexfs_coll *c;
	u32 *qv = NULL;
	int err;

	c = vexfs_coll_get(file_inode(file));
	if (IS_ERR(c))
		return PTR_ERR(c);
	if (q->dim != c->dim)
		return -EINVAL;
	err = -ENOMEM;
	qv = kvmalloc_array(q->dim, sizeof(u32), GFP_KERNEL);
	hits = kvcalloc(q->k, sizeof(*hits), GFP_KERNEL);
	if (!qv || !hits)
		goto out;
	err = -EFAULT;
	if (copy_from_user(qv, u64_to_user_ptr(q->vector),
			   (size_t)q->dim * sizeof(u32)))
		goto out;
	err = vexfs_vec_query(file, c, q, qv, hits, vexfs_query_put_path);
	if (err)
		goto out;
	if (copy_to_user(u64_to_user_ptr(q->hits), hits,
			 (size_t)q->nhits * sizeof(*hits)))
		err = -EFAULT;
out:
	kvfree(qv);
	kvfree(hits);
	return err;
}

static int vexfs_ioc_query(struct file *file, void __user *arg)
{
	struct inode *dir = file_inode(file);
	struct vexfs_query q;
	int err;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	if (q.version != VEXFS_UAPI_VERSION || (q.flags & ~VEXFS_QUERY_ALL) ||
	    !q.k || q.k > VEXFS_QUERY_MAX_K || !q.dim || q.method ||
	    (q.ef && (q.ef < q.k || q.ef > VEXFS_HNSW_MAX_EF)) ||
	    q.dim > VEXFS_UAPI_MAX_DIM || q.nhits || q.scanned ||
	    q.path_size == 1 || q.path_size > VEXFS_QUERY_MAX_PATH ||
	    (!q.path_size && q.paths) || (q.path_size && !q.paths) ||
	    !vexfs_zero(q.reserved, sizeof(q.reserved)))
		return -EINVAL;
	if (!S_ISDIR(dir->i_mode))
		return -ENOTDIR;
	err = vexfs_inode_permission(dir, MAY_READ | MAY_EXEC);
	if (err)
		return err;
	err = vexfs_ioc_query_run(file, &q);
	if (err)
		return err;
	return copy_to_user(arg, &q, sizeof(q)) ? -EFAULT : 0;
}

static int vexfs_ioc_stats(struct file *file, void __user *arg)
{
	struct vexfs_collection_stats st;
	struct vexfs_coll *c;

	if (copy_from_user(&st, arg, sizeof(st)))
		return -EFAULT;
	if (st.version != VEXFS_UAPI_VERSION || st.flags ||
	    !vexfs_zero(&st.info, sizeof(st) -
			offsetof(struct vexfs_collection_stats, info)))
		return -EINVAL;
	c = vexfs_coll_get(file_inode(file));
	if (IS_ERR(c))
		return PTR_ERR(c);
	vexfs_fill_info(c, &st.info);
	mutex_lock(&c->lock);
	st.free_slots = c->slots - c->count;
	st.store_bytes = vexfs_store_bytes(c, file_inode(file)->i_sb->s_blocksize);
	mutex_unlock(&c->lock);
	st.slot_size = c->slot_size;
	st.queries = atomic64_read(&c->queries);
	st.scanned = atomic64_read(&c->scanned);
	vexfs_vindex_fill_stats(c, &st.info.index_state, &st.index_live,
				&st.index_deleted, &st.index_bytes,
				&st.index_queries);
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

static int vexfs_ioc_index_ctl(struct file *file, void __user *arg)
{
	struct inode *inode = file_inode(file);
	struct vexfs_index_ctl ctl;
	struct vexfs_coll *c;
	bool writes;
	int err;

	if (copy_from_user(&ctl, arg, sizeof(ctl)))
		return -EFAULT;
	if (ctl.version != VEXFS_UAPI_VERSION || ctl.state || ctl.reserved0 ||
	    !vexfs_zero(ctl.reserved, sizeof(ctl.reserved)) ||
	    ctl.op < VEXFS_INDEX_OP_WAIT || ctl.op > VEXFS_INDEX_OP_COMPACT)
		return -EINVAL;
	c = vexfs_coll_get(inode);
	if (IS_ERR(c))
		return PTR_ERR(c);
	writes = ctl.op != VEXFS_INDEX_OP_WAIT;
	if (writes) {
		struct inode *root = vexfs_iget_quiet(inode->i_sb, c->root_ino);
		bool owner;

		if (IS_ERR(root))
			return PTR_ERR(root);
		owner = vexfs_inode_owner_or_capable(root);
		iput(root);
		if (!owner && !capable(CAP_SYS_ADMIN))
			return -EPERM;
		err = mnt_want_write_file(file);
		if (err)
			return err;
	}
	err = vexfs_vindex_ctl(c, ctl.op, &ctl.state);
	if (writes)
		mnt_drop_write_file(file);
	if (err)
		return err;
	return copy_to_user(arg, &ctl, sizeof(ctl)) ? -EFAULT : 0;
}

/**
 * vexfs_ioctl() - the VexFS ioctls, for files and directories
 * @file: the open file the ioctl was made on
 * @cmd: VEXFS_IOC_*
 * @arg: user pointer to the command's structure
 *
 * Context: process context, no locks held; may sleep.
 * Return: 0 or a negative errno (-ENOTTY for an unknown command).
 */
long vexfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VEXFS_IOC_COLLECTION_CREATE:
		return vexfs_ioc_create(file, uarg);
	case VEXFS_IOC_COLLECTION_INFO:
		return vexfs_ioc_info(file, uarg);
	case VEXFS_IOC_COLLECTION_LIST:
		return vexfs_ioc_list(file, uarg);
	case VEXFS_IOC_EMBEDDING_SET:
		return vexfs_ioc_embed_set(file, uarg);
	case VEXFS_IOC_EMBEDDING_GET:
		return vexfs_ioc_embed_get(file, uarg);
	case VEXFS_IOC_EMBEDDING_REMOVE:
		return vexfs_ioc_embed_remove(file, uarg);
	case VEXFS_IOC_BATCH_SET:
		return vexfs_ioc_batch(file, uarg);
	case VEXFS_IOC_QUERY:
		return vexfs_ioc_query(file, uarg);
	case VEXFS_IOC_COLLECTION_STATS:
		return vexfs_ioc_stats(file, uarg);
	case VEXFS_IOC_INDEX_CTL:
		return vexfs_ioc_index_ctl(file, uarg);
	case FS_IOC_SHUTDOWN: {
		u32 flags;

		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (get_user(flags, (u32 __user *)uarg))
			return -EFAULT;
		return vexfs_shutdown(file_inode(file)->i_sb, flags);
	}
	case FITRIM:
		return vexfs_ioc_fitrim(file, uarg);
	case FS_IOC_GETFLAGS:
	case FS_IOC_SETFLAGS:
	case FS_IOC_FSGETXATTR:
	case FS_IOC_FSSETXATTR:
		/* Only before 5.13; later the VFS calls fileattr.c. */
		return vexfs_compat_fileattr_ioctl(file, cmd, uarg);
	case FS_IOC_GETVERSION:
	case FS_IOC32_GETVERSION:
		return put_user(file_inode(file)->i_generation,
				(int __user *)uarg);
	default:
		return -ENOTTY;
	}
}
