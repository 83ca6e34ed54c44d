// SPDX-License-Identifier: GPL-2.0
/*
 * lookup_one() and lookup_one_unlocked() take an idmap and a qstr; the
 * _len variants are gone (7.x).
 */
#include <linux/fs.h>
#include <linux/namei.h>

static void __used probe(struct dentry *base, struct qstr *name)
{
	dput(lookup_one(&nop_mnt_idmap, name, base));
	dput(lookup_one_unlocked(&nop_mnt_idmap, name, base));
}
