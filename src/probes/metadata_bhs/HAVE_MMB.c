// SPDX-License-Identifier: GPL-2.0
/*
 * The filesystem keeps an inode's dirty metadata buffers in its own
 * struct mapping_metadata_bhs, with the mmb_*() helpers (7.x).
 */
#include <linux/fs.h>
#include <linux/buffer_head.h>

static int __used probe(struct buffer_head *bh, struct inode *inode,
			struct mapping_metadata_bhs *mmb)
{
	mmb_init(mmb, inode->i_mapping);
	mmb_mark_buffer_dirty(bh, mmb);
	mmb_invalidate(mmb);
	return mmb_sync(mmb);
}
