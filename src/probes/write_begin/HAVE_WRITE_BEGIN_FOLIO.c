// SPDX-License-Identifier: GPL-2.0
/* ->write_begin takes a file and returns a folio (6.12). */
#include <linux/fs.h>

static int probe_write_begin(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len,
			     struct folio **foliop, void **fsdata)
{
	return 0;
}

static const struct address_space_operations probe_aops __used = {
	.write_begin = probe_write_begin,
};
