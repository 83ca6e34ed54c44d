// SPDX-License-Identifier: GPL-2.0
/* filemap_fdatawrite_wbc() exists (5.16); compat.h supplies it otherwise. */
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/writeback.h>

static int __used probe(struct address_space *mapping,
			struct writeback_control *wbc)
{
	return filemap_fdatawrite_wbc(mapping, wbc);
}
