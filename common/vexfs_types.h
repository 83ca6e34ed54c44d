/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_types.h - the kernel's spellings, in both worlds.
 *
 * The code in common/ is compiled into vexfs.ko and into libvexfs.  It is
 * written as kernel code: this shim gives userspace the few kernel names
 * it uses (u8..u64, le*_to_cpu(), cpu_to_le*(), U32_MAX, S_ISREG()) and
 * gives both worlds one crc32c behind one signature, vexfs_crc32c(): the
 * kernel's crc32c() in the module, the table-driven one of
 * userspace/lib/crc32c.c in libvexfs.  Nothing here may need libc in the
 * kernel or floating point anywhere (tests/kernel-safe builds common/
 * with kernel flags).
 */
#ifndef _VEXFS_TYPES_H
#define _VEXFS_TYPES_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/stat.h>
#include <linux/limits.h>
#include <linux/crc32c.h>
#include <asm/byteorder.h>

static inline u32 vexfs_crc32c(u32 crc, const void *buf, size_t len)
{
	return crc32c(crc, buf, len);
}

#else /* userspace */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <endian.h>
#include <sys/stat.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define le16_to_cpu(x)	le16toh((u16)(x))
#define le32_to_cpu(x)	le32toh((u32)(x))
#define le64_to_cpu(x)	le64toh((u64)(x))
#define cpu_to_le16(x)	((__le16)htole16(x))
#define cpu_to_le32(x)	((__le32)htole32(x))
#define cpu_to_le64(x)	((__le64)htole64(x))

#ifndef U16_MAX
#define U16_MAX		((u16)~0U)
#endif
#ifndef U32_MAX
#define U32_MAX		((u32)~0U)
#endif
#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif

/* userspace/lib/crc32c.c: the kernel's crc32c(), no final inversion */
u32 vexfs_crc32c(u32 crc, const void *buf, size_t len);

#endif /* __KERNEL__ */

#endif /* _VEXFS_TYPES_H */
