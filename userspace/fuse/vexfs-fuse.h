/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vexfs-fuse.h - what main.c (options, opening the image, the journal)
 * and ops.c (the FUSE operations) share.
 */
#ifndef VEXFS_FUSE_H
#define VEXFS_FUSE_H

#define FUSE_USE_VERSION 34	/* libfuse 3.10 (Debian 11) and later */
#include <fuse_lowlevel.h>

#include "libvexfs.h"

/* A directory's entries, read and checked once: the image never changes. */
struct vfuse_dir {
	uint64_t ino;
	struct vexfs_dirent_list l;	/* in hash order, as readdir gives */
	struct vfuse_dir *next;		/* in its hash bucket */
};

#define VFUSE_DIR_BUCKETS	1024
/*
 * Past this many cached entries (about 300 bytes each) the cache starts
 * over; a directory larger than that is still cached whole while in use.
 */
#define VFUSE_DIR_CACHE_MAX	(1u << 17)

struct vfuse {
	struct vexfs_fs fs;
	const char *image;
	uint64_t free_blocks, free_inodes;	/* for statfs */
	struct vfuse_dir *dirs[VFUSE_DIR_BUCKETS];
	uint64_t dir_entries;			/* cached, all directories */
};

extern const struct fuse_lowlevel_ops vfuse_ops;

/* Log a problem with the image: to stderr and, once daemonized, syslog. */
void vfuse_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void vfuse_dir_cache_free(struct vfuse *vf);

#endif /* VEXFS_FUSE_H */
