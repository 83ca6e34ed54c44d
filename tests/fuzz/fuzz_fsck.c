// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_fsck.c - libFuzzer target over libvexfs's image parser and fsck's
 * check-only path.
 *
 * Each input is a whole filesystem image, checked in memory with
 * vexfs_check_mem() in VEXFS_CHECK_NO mode (-fn): superblock validation,
 * bitmaps, inodes, extent trees, directory trees, xattr blocks, symlinks,
 * connectivity, vector collections (pass 6: table, descriptors, stores,
 * slots; the seed "colls" has three) and counts.  Then the path lookup and file read used by the
 * tools run over it.  Any crash, sanitizer report, leak or hang is a bug.
 *
 * Build and run: tests/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"
#include "check.h"

static void quiet(void *priv, const char *text)
{
	(void)priv;
	(void)text;
}

/* The library paths the tools use besides fsck: lookup and reads. */
static void exercise_readers(uint8_t *img, size_t size)
{
	static const char *const paths[] = { "/", "/a", "/a/b", "/lost+found",
					     "/d/big", "/link" };
	struct vexfs_err err;
	struct vexfs_fs fs;
	size_t i;

	memset(&fs, 0, sizeof(fs));
	vexfs_dev_open_mem(&fs.dev, img, size, false);
	if (vexfs_super_read(&fs.dev, &fs.sb, &err) ||
	    vexfs_super_validate(&fs.sb, size, &err))
		return;
	fs.bs = le32(fs.sb.s_block_size);
	fs.dev.bs = fs.bs;
	fs.seed = vexfs_csum_seed(&fs.sb);
	for (i = 0; i < VEXFS_ARRAY_SIZE(paths); i++) {
		struct vexfs_inode inode;
		uint64_t ino;
		char *buf;
		const char *why;

		if (vexfs_lookup(&fs, paths[i], &ino, &err) ||
		    vexfs_inode_read(&fs, ino, &inode, &err))
			continue;
		buf = malloc(fs.bs + 1);
		if (!buf)
			return;
		if ((le16(inode.i_mode) & 0170000) == 0120000)
			vexfs_symlink_read(&fs, ino, &inode, buf, &why, &err);
		else if (le64(inode.i_size) >= 1)
			vexfs_file_read(&fs, ino, &inode, buf,
					le64(inode.i_size) < fs.bs ?
					(size_t)le64(inode.i_size) : fs.bs, &err);
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vexfs_check_opts opts = {
		.mode = VEXFS_CHECK_NO, .force = true, .name = "fuzz",
		.print = quiet,
	};
	struct vexfs_check_result res;
	struct vexfs_err err;
	uint8_t *img;

	if (size < 2048)
		return 0;
	img = malloc(size);
	if (!img)
		return 0;
	memcpy(img, data, size);
	vexfs_check_mem(img, size, &opts, &res, &err);
	exercise_readers(img, size);
	/* check-only must not have written anything */
	if (memcmp(img, data, size))
		abort();
	free(img);
	return 0;
}
