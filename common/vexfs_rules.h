/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_rules.h - the rules of the on-disk format, compiled in both worlds.
 *
 * Each rule takes bytes and sizes and returns NULL when they are good or a
 * short reason string (a constant) when they are not.  The kernel module
 * wraps the rules with its logging and buffer heads, libvexfs with its
 * visitors and fsck with its problem table; a rule changed here changes
 * for both, so fsck and the kernel cannot disagree about the same bytes.
 * The functions are documented where they are defined, in the .c files
 * of common/.
 */
#ifndef _VEXFS_RULES_H
#define _VEXFS_RULES_H

#include "vexfs_types.h"
#include "vexfs_format.h"

/* csum.c: checksum seeds and skips */
u32 vexfs_csum_skip(u32 seed, const void *buf, size_t len, size_t csum_off);
u32 vexfs_csum_seed(const struct vexfs_super_block *raw);
u32 vexfs_super_csum(const struct vexfs_super_block *raw);
u32 vexfs_inode_csum(u32 seed, const struct vexfs_inode *raw);
u32 vexfs_block_csum(u32 seed, const void *block, u32 bs);
u32 vexfs_desc_csum(u32 seed, const struct vexfs_collection *d);
u32 vexfs_vec_slot_csum(u32 seed, const void *img, u32 slot_size);
u32 vexfs_vindex_rec_csum(u32 seed, const void *rec, u32 size);
const char *vexfs_block_header_check(const void *blk, u32 magic, u64 blocknr,
				     u64 owner);

#endif /* _VEXFS_RULES_H */
