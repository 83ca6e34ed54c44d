// SPDX-License-Identifier: GPL-2.0
/* ->splice_read is generic_file_splice_read() (before 6.5). */
#include <linux/fs.h>

static const struct file_operations probe_fops __used = {
	.splice_read = generic_file_splice_read,
};
