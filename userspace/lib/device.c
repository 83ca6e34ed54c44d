// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - block devices and image files: open, size, read, write.
 *
 * The exported functions are documented in libvexfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/major.h>

#include "libvexfs.h"

int vexfs_errf(struct vexfs_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

static int dev_get_size(struct vexfs_dev *dev, const struct stat *st,
			struct vexfs_err *err)
{
	if (!dev->is_bdev) {
		dev->size = (uint64_t)st->st_size;
		return 0;
	}
	if (ioctl(dev->fd, BLKGETSIZE64, &dev->size))
		return vexfs_errf(err, errno, "%s: cannot get the size: %s",
				  dev->path, strerror(errno));
	return 0;
}

int vexfs_dev_open(struct vexfs_dev *dev, const char *path, bool write,
		   struct vexfs_err *err)
{
	int flags = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	struct stat st;
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	snprintf(dev->path, sizeof(dev->path), "%s", path);
	if (stat(path, &st))
		return vexfs_errf(err, errno, "%s: %s", path, strerror(errno));
	dev->is_bdev = S_ISBLK(st.st_mode);
	if (!dev->is_bdev && !S_ISREG(st.st_mode))
		return vexfs_errf(err, EINVAL,
				  "%s: not a block device or a regular file",
				  path);
	/* For a block device, O_EXCL fails while it is mounted or in use. */
	if (dev->is_bdev && write)
		flags |= O_EXCL;
	dev->fd = open(path, flags);
	if (dev->fd < 0)
		return vexfs_errf(err, errno, "%s: %s", path,
				  errno == EBUSY ? "device is in use" :
				  strerror(errno));
	dev->writable = write;
	ret = dev_get_size(dev, &st, err);
	if (ret)
		vexfs_dev_close(dev);
	return ret;
}

int vexfs_dev_open_mem(struct vexfs_dev *dev, void *buf, uint64_t size,
		       bool write)
{
	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	snprintf(dev->path, sizeof(dev->path), "(memory)");
	dev->mem = buf;
	dev->size = size;
	dev->writable = write;
	return 0;
}

void vexfs_dev_close(struct vexfs_dev *dev)
{
	dev->mem = NULL;
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
}

int vexfs_dev_read(struct vexfs_dev *dev, uint64_t off, void *buf,
		   size_t len, struct vexfs_err *err)
{
	size_t done = 0;

	if (off > dev->size || len > dev->size - off)
		return vexfs_errf(err, EIO,
				  "%s: read of %zu bytes at %llu is past the end of the device",
				  dev->path, len, (unsigned long long)off);
	if (dev->mem) {
		memcpy(buf, dev->mem + off, len);
		return 0;
	}
	while (done < len) {
		ssize_t n = pread(dev->fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vexfs_errf(err, errno, "%s: read at %llu: %s",
					  dev->path,
					  (unsigned long long)(off + done),
					  strerror(errno));
		if (n == 0)
			return vexfs_errf(err, EIO,
					  "%s: read at %llu: unexpected end",
					  dev->path,
					  (unsigned long long)(off + done));
		done += (size_t)n;
	}
	return 0;
}

int vexfs_dev_write(struct vexfs_dev *dev, uint64_t off, const void *buf,
		    size_t len, struct vexfs_err *err)
{
	size_t done = 0;

	if (!dev->writable)
		return vexfs_errf(err, EROFS, "%s: opened read-only",
				  dev->path);
	if (off > dev->size || len > dev->size - off)
		return vexfs_errf(err, ENOSPC,
				  "%s: write of %zu bytes at %llu is past the end of the device",
				  dev->path, len, (unsigned long long)off);
	if (dev->mem) {
		memcpy(dev->mem + off, buf, len);
		return 0;
	}
	while (done < len) {
		ssize_t n = pwrite(dev->fd, (const char *)buf + done,
				   len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vexfs_errf(err, n ? errno : ENOSPC,
					  "%s: write at %llu: %s", dev->path,
					  (unsigned long long)(off + done),
					  n ? strerror(errno) : "no space");
		done += (size_t)n;
	}
	return 0;
}

/* The slow way, for files and devices that cannot zero a range. */
static int dev_write_zeros(struct vexfs_dev *dev, uint64_t off, uint64_t len,
			   struct vexfs_err *err)
{
	const size_t chunk = 1 << 20;
	void *zero = calloc(1, chunk);
	int ret = 0;

	if (!zero)
		return vexfs_errf(err, ENOMEM, "out of memory");
	while (len && !ret) {
		size_t n = len < chunk ? (size_t)len : chunk;

		ret = vexfs_dev_write(dev, off, zero, n, err);
		off += n;
		len -= n;
	}
	free(zero);
	return ret;
}

int vexfs_dev_zero(struct vexfs_dev *dev, uint64_t off, uint64_t len,
		   struct vexfs_err *err)
{
	if (!dev->writable)
		return vexfs_errf(err, EROFS, "%s: opened read-only",
				  dev->path);
	if (off > dev->size || len > dev->size - off)
		return vexfs_errf(err, ENOSPC,
				  "%s: cannot zero %llu bytes at %llu: past the end",
				  dev->path, (unsigned long long)len,
				  (unsigned long long)off);
	if (!len)
		return 0;
	if (dev->mem) {
		memset(dev->mem + off, 0, len);
		return 0;
	}
	if (dev->is_bdev) {
		uint64_t range[2] = { off, len };

		/* BLKZEROOUT needs 512-byte alignment, which ours always has */
		if (!(off % 512) && !(len % 512) &&
		    !ioctl(dev->fd, BLKZEROOUT, range))
			return 0;
	} else if (!fallocate(dev->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			      (off_t)off, (off_t)len)) {
		return 0;
	}
	return dev_write_zeros(dev, off, len, err);
}

int vexfs_dev_sync(struct vexfs_dev *dev, struct vexfs_err *err)
{
	if (dev->mem)
		return 0;
	if (fsync(dev->fd))
		return vexfs_errf(err, errno, "%s: fsync: %s", dev->path,
				  strerror(errno));
	return 0;
}

int vexfs_read_block(struct vexfs_dev *dev, uint64_t nr, void *buf,
		     struct vexfs_err *err)
{
	return vexfs_dev_read(dev, nr * dev->bs, buf, dev->bs, err);
}

int vexfs_write_block(struct vexfs_dev *dev, uint64_t nr, const void *buf,
		      struct vexfs_err *err)
{
	return vexfs_dev_write(dev, nr * dev->bs, buf, dev->bs, err);
}

/* Is the mounted loop device @rdev backed by the file @want? */
static bool loop_backs(dev_t rdev, const struct stat *want)
{
	char sys[128], back[PATH_MAX];
	struct stat bst;
	bool found = false;
	FILE *f;

	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/loop/backing_file",
		 major(rdev), minor(rdev));
	f = fopen(sys, "re");
	if (!f)
		return false;
	if (fgets(back, sizeof(back), f)) {
		back[strcspn(back, "\n")] = '\0';
		found = !stat(back, &bst) && bst.st_ino == want->st_ino &&
			bst.st_dev == want->st_dev;
	}
	fclose(f);
	return found;
}

/* Does the mount source @fsname name the device or image @want? */
static bool mount_matches(const char *fsname, const struct stat *want)
{
	struct stat st;

	if (stat(fsname, &st) || !S_ISBLK(st.st_mode))
		return false;
	if (S_ISBLK(want->st_mode))
		return st.st_rdev == want->st_rdev;
	if (S_ISREG(want->st_mode) && major(st.st_rdev) == LOOP_MAJOR)
		return loop_backs(st.st_rdev, want);
	return false;
}

int vexfs_dev_mountpoint(const char *path, char *mnt, size_t len)
{
	struct stat want;
	struct mntent *me;
	int found = 0;
	FILE *f;

	if (stat(path, &want))
		return 0;
	f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return 0;
	while (!found && (me = getmntent(f))) {
		if (mount_matches(me->mnt_fsname, &want)) {
			snprintf(mnt, len, "%s", me->mnt_dir);
			found = 1;
		}
	}
	endmntent(f);
	return found;
}
