// SPDX-License-Identifier: GPL-2.0
/* alloc_inode_sb() exists (5.18); compat.h supplies it otherwise. */
#include <linux/fs.h>
#include <linux/slab.h>

static void * __used probe(struct super_block *sb, struct kmem_cache *cache)
{
	return alloc_inode_sb(sb, cache, GFP_KERNEL);
}
