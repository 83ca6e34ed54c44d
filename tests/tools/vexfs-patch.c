// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs-patch - damage a VexFS image precisely, for tests.
 *
 * usage: vexfs-patch IMAGE [--keep-csum] WHERE=VALUE...
 *
 * WHERE is sb:OFF:SIZE (a superblock field at byte offset OFF, SIZE 1, 2,
 * 4 or 8 bytes) or abs:OFF:SIZE (any byte offset in the image).  VALUE is
 * written little-endian; a leading ^ XORs it into the field instead.
 * Afterwards the superblock checksum is recomputed, so that a test can
 * damage a field without the checksum giving it away, unless --keep-csum
 * (or a patch to the checksum itself) asks to leave it stale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"

static int patch(struct vexfs_dev *dev, const char *spec, bool *csum_touched)
{
	char where[8];
	long long off;
	unsigned long long val;
	unsigned int size;
	uint8_t buf[8];
	struct vexfs_err err;
	bool xor = false;
	const char *eq = strchr(spec, '=');
	int i;

	if (!eq || sscanf(spec, "%7[a-z]:%lli:%u", where, &off, &size) != 3 ||
	    (size != 1 && size != 2 && size != 4 && size != 8))
		return -1;
	eq++;
	if (*eq == '^') {
		xor = true;
		eq++;
	}
	val = strtoull(eq, NULL, 0);
	if (!strcmp(where, "sb")) {
		if (off < 0 || off + size > VEXFS_SUPER_SIZE)
			return -1;
		if (off < 8 && off + size > 4)
			*csum_touched = true;
		off += VEXFS_SUPER_OFFSET;
	} else if (strcmp(where, "abs")) {
		return -1;
	}
	if (vexfs_dev_read(dev, off, buf, size, &err))
		return -1;
	for (i = 0; i < (int)size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));

		buf[i] = xor ? buf[i] ^ b : b;
	}
	return vexfs_dev_write(dev, off, buf, size, &err);
}

int main(int argc, char **argv)
{
	struct vexfs_super_block sb;
	struct vexfs_err err;
	struct vexfs_dev dev;
	bool keep = false, touched = false;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: vexfs-patch IMAGE [--keep-csum] sb|abs:OFF:SIZE=[^]VALUE...\n");
		return 2;
	}
	if (vexfs_dev_open(&dev, argv[1], true, &err)) {
		fprintf(stderr, "vexfs-patch: %s\n", err.msg);
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--keep-csum")) {
			keep = true;
			continue;
		}
		if (patch(&dev, argv[i], &touched)) {
			fprintf(stderr, "vexfs-patch: bad patch '%s'\n", argv[i]);
			return 1;
		}
	}
	if (!keep && !touched) {
		if (vexfs_super_read(&dev, &sb, &err) ||
		    vexfs_super_write(&dev, &sb, &err)) {
			fprintf(stderr, "vexfs-patch: %s\n", err.msg);
			return 1;
		}
	}
	vexfs_dev_close(&dev);
	return 0;
}
