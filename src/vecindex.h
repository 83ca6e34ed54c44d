/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vecindex.h - what the three files of the ANN index share, and nothing
 * else sees: vecindex.c (its storage: the index inode's blocks, the pin
 * tables, the records, struct hnsw_ops), vecbuild.c (its state, the
 * header and the quantizer, keeping it in step with the store, the build
 * worker) and vecquery.c (queries, the ioctls' side, mount and unmount).
 * The rest of VexFS calls only the vexfs_vindex_*() functions of
 * vector.h.
 *
 * The design, the states and the locking are explained at the top of
 * vecindex.c.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#ifndef _VEXFS_VECINDEX_H
#define _VEXFS_VECINDEX_H

#include "vexfs.h"
#include "vector.h"

/* Highest slot the index can address (the core's slots are u32). */
#define VX_MAX_SLOT		0xfffffffeU

struct vx_bcache;

/**
 * struct vx_io - one operation's view of the index storage (hnsw ctx)
 * @vx: the index
 * @sb: its filesystem
 * @ixi: the index inode
 * @store: the vector store inode
 * @img: one slot image, for the build's reads of the store
 * @vimg: two slot images for vec_get (the core holds up to two originals,
 *	nested)
 * @vslot: the slot whose original each of @vimg holds (0: none), so that
 *	the rerank's second vec_get of a candidate copies nothing
 * @vbusy: which of @vimg are handed out
 * @bcache: VX_BCACHE referenced buffers, direct-mapped by logical block,
 *	for blocks the pin tables do not hold; allocated at the first such
 *	block
 * @no_bcache: allocating @bcache failed: do without
 */
struct vx_io {
	struct vexfs_vindex *vx;
	struct super_block *sb;
	struct inode *ixi;
	struct inode *store;
	void *img;
	void *vimg[2];
	u32 vslot[2];
	u32 vbusy;
	struct vx_bcache *bcache;
	bool no_bcache;
};

static inline struct vexfs_coll *vx_coll(struct vexfs_vindex *vx)
{
	return container_of(vx, struct vexfs_coll, vx);
}

static inline bool vx_can_write(struct super_block *sb)
{
	return !sb_rdonly(sb);
}

/* vecindex.c */
extern const struct hnsw_ops vexfs_vx_ops;
void vexfs_vx_pin_size(struct vexfs_vindex *vx);
void vexfs_vx_unpin_all(struct vexfs_vindex *vx);
struct buffer_head *vexfs_vx_getblk(struct vx_io *io, u32 lblk, bool create,
				    bool *held);
int vexfs_vx_io_begin(struct vexfs_vindex *vx, struct super_block *sb,
		      struct vx_io *io);
void vexfs_vx_io_end(struct vx_io *io);

/* vecbuild.c */
int vexfs_vx_write_header(struct vx_io *io, bool quantizer);
int vexfs_vx_wscratch(struct vexfs_vindex *vx);
void vexfs_vx_queue_build(struct vexfs_vindex *vx);
void vexfs_vx_fail(struct vexfs_vindex *vx, int err, const char *what);
void vexfs_vx_open(struct vexfs_vindex *vx);
u32 vexfs_vx_state(struct vexfs_vindex *vx);

#endif /* _VEXFS_VECINDEX_H */
