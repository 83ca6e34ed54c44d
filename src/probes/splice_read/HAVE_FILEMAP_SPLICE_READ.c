// SPDX-License-Identifier: GPL-2.0
/* ->splice_read is filemap_splice_read() (6.5 and later). */
#include <linux/fs.h>

static const struct file_operations probe_fops __used = {
	.splice_read = filemap_splice_read,
};
