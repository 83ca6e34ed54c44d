// SPDX-License-Identifier: GPL-2.0
/*
 * posix_acl_to_xattr() allocates the buffer (kmalloc, NULL on failure)
 * and returns it with its size (7.x).
 */
#include <linux/fs.h>
#include <linux/posix_acl_xattr.h>

static void * __used probe(const struct posix_acl *acl, size_t *sizep)
{
	void *ret = posix_acl_to_xattr(&init_user_ns, acl, sizep, GFP_NOFS);

	return ret;
}
