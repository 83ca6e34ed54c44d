// SPDX-License-Identifier: GPL-2.0
/* ->write_begin takes the kiocb, not the file, and returns a folio (7.x). */
#include <linux/fs.h>

static int probe_write_begin(const struct kiocb *iocb,
			     struct address_space *mapping, loff_t pos,
			     unsigned int len, struct folio **foliop,
			     void **fsdata)
{
	return 0;
}

static const struct address_space_operations probe_aops __used = {
	.write_begin = probe_write_begin,
};
