// SPDX-License-Identifier: GPL-2.0
/*
 * mapping->invalidate_lock and its helpers (5.15), which filemap_fault()
 * and readahead take shared while they add pages; compat.h supplies a
 * lock of VexFS's own otherwise.
 */
#include <linux/fs.h>

static void __used probe(struct address_space *mapping)
{
	filemap_invalidate_lock(mapping);
	filemap_invalidate_unlock(mapping);
	filemap_invalidate_lock_shared(mapping);
	filemap_invalidate_unlock_shared(mapping);
}
