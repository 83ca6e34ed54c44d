// SPDX-License-Identifier: GPL-2.0
/*
 * vector.c - the rules of a collection descriptor and of a vector-store
 * slot's owner, for the kernel's mount and embedding reads and for fsck's
 * pass 6.
 *
 * The descriptor's identity (id, dimension, metric, element type, root)
 * cannot be repaired: the kernel refuses a descriptor that breaks it and
 * fsck removes the collection.  Its index tunables can: the kernel
 * refuses them, fsck resets them to the defaults.  What fsck repairs
 * apart (the store and index inodes, the counts, the flags) the kernel
 * checks with its own state, as pass 6 does with fsck's.
 *
 * Store blocks carry no struct vexfs_block_header (every slot checks
 * itself), so VEXFS_VECSTORE_MAGIC is reserved and never written.
 */
#include "vexfs_rules.h"
#include "vexfs_hnsw.h"

/**
 * vexfs_coll_desc_check() - the identity of a collection descriptor
 * @d: the descriptor (c_id non-zero, its checksum verified)
 * @id: the id its place in the table gives it
 * @inodes_count: s_inodes_count
 *
 * Return: NULL, or why the descriptor is bad.
 */
const char *vexfs_coll_desc_check(const struct vexfs_collection *d, u32 id,
				  u64 inodes_count)
{
	u16 dim = le16_to_cpu(d->c_dim);

	if (le32_to_cpu(d->c_id) != id)
		return "wrong id";
	if (!dim || dim > VEXFS_MAX_DIM)
		return "bad dimension";
	if (d->c_metric < VEXFS_METRIC_L2 || d->c_metric > VEXFS_METRIC_IP)
		return "bad metric";
	if (d->c_elem_type != VEXFS_ELEM_F32)
		return "bad element type";
	if (vexfs_ino_check(le64_to_cpu(d->c_root_ino), inodes_count))
		return "bad root inode number";
	return NULL;
}

/**
 * vexfs_coll_tunables_check() - the descriptor's HNSW build parameters
 * @d: the descriptor
 *
 * 0 means the default for either.
 *
 * Return: NULL, or why they are bad.
 */
const char *vexfs_coll_tunables_check(const struct vexfs_collection *d)
{
	u16 m = le16_to_cpu(d->c_hnsw_m);

	if ((m && (m < HNSW_MIN_M || m > HNSW_MAX_M)) ||
	    le16_to_cpu(d->c_hnsw_ef_construction) > HNSW_MAX_EF)
		return "bad index parameters";
	return NULL;
}

/**
 * vexfs_vec_slot_owner_check() - is a slot the embedding of this inode?
 * @hdr: the slot's header (its checksum is the caller's business)
 * @ino: the inode whose i_vec_slot names the slot
 * @generation: that inode's i_generation
 *
 * A slot names its owner by number and generation: a slot written for an
 * earlier inode of the same number is not this one's embedding.
 *
 * Return: NULL, or why the slot is not the inode's.
 */
const char *vexfs_vec_slot_owner_check(const struct vexfs_vec_slot *hdr,
				       u64 ino, u32 generation)
{
	if (!hdr->vs_ino)
		return "the slot is free";
	if (le64_to_cpu(hdr->vs_ino) != ino)
		return "the slot belongs to another inode";
	if (le32_to_cpu(hdr->vs_generation) != generation)
		return "the slot is of another generation of the inode";
	return NULL;
}
