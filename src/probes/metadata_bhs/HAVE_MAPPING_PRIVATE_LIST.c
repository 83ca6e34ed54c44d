// SPDX-License-Identifier: GPL-2.0
/*
 * An inode's dirty metadata buffers hang off its address_space, kept by
 * the VFS: mark_buffer_dirty_inode(), sync_mapping_buffers(),
 * invalidate_inode_buffers() (before 7.x).
 */
#include <linux/fs.h>
#include <linux/buffer_head.h>

static int __used probe(struct buffer_head *bh, struct inode *inode)
{
	mark_buffer_dirty_inode(bh, inode);
	invalidate_inode_buffers(inode);
	return sync_mapping_buffers(inode->i_mapping);
}
