// SPDX-License-Identifier: GPL-2.0
/*
 * The address_space operations that read, dirty, invalidate and migrate
 * take folios, and buffer.c/mpage.c have folio versions of the generic
 * ones (6.0 and later).
 */
#include <linux/fs.h>
#include <linux/buffer_head.h>
#include <linux/mpage.h>

static int probe_read_folio(struct file *file, struct folio *folio)
{
	return mpage_read_folio(folio, NULL);
}

static const struct address_space_operations probe_aops __used = {
	.read_folio		= probe_read_folio,
	.dirty_folio		= block_dirty_folio,
	.invalidate_folio	= block_invalidate_folio,
	.migrate_folio		= buffer_migrate_folio,
};
