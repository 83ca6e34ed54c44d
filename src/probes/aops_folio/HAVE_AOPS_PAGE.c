// SPDX-License-Identifier: GPL-2.0
/*
 * The address_space operations that read, dirty, invalidate and migrate
 * take pages: ->readpage, ->set_page_dirty, ->invalidatepage and
 * ->migratepage (before 5.18).
 */
#include <linux/fs.h>
#include <linux/buffer_head.h>
#include <linux/mpage.h>

static int probe_readpage(struct file *file, struct page *page)
{
	return mpage_readpage(page, NULL);
}

static const struct address_space_operations probe_aops __used = {
	.readpage		= probe_readpage,
	.set_page_dirty		= __set_page_dirty_buffers,
	.invalidatepage		= block_invalidatepage,
	.migratepage		= buffer_migrate_page,
};
