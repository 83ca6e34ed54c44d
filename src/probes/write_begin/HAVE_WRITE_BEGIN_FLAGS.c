// SPDX-License-Identifier: GPL-2.0
/*
 * ->write_begin takes AOP_FLAG_* flags and returns a page, and so does
 * block_write_begin() (before 6.0).
 */
#include <linux/fs.h>
#include <linux/buffer_head.h>

static int probe_write_begin(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len, unsigned int flags,
			     struct page **pagep, void **fsdata)
{
	return block_write_begin(mapping, pos, len, flags, pagep, NULL);
}

static const struct address_space_operations probe_aops __used = {
	.write_begin = probe_write_begin,
};
