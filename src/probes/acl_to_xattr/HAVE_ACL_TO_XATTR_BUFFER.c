// SPDX-License-Identifier: GPL-2.0
/* posix_acl_to_xattr() fills a buffer the caller allocated (6.1, 6.12). */
#include <linux/fs.h>
#include <linux/posix_acl_xattr.h>

static int __used probe(const struct posix_acl *acl, void *buf, size_t size)
{
	int ret = posix_acl_to_xattr(&init_user_ns, acl, buf, size);

	return ret;
}
