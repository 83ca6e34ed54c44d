// SPDX-License-Identifier: GPL-2.0
/* lookup_one_len() and lookup_one_len_unlocked() exist (6.1, 6.12). */
#include <linux/fs.h>
#include <linux/namei.h>

static void __used probe(struct dentry *base, const char *name, int len)
{
	dput(lookup_one_len(name, base, len));
	dput(lookup_one_len_unlocked(name, base, len));
}
