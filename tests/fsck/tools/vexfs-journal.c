// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs-journal - write transactions into a VexFS image's (empty) jbd2
 * journal, as the kernel's jbd2 would have left them at a crash, for the
 * fsck fixtures.  Built on libvexfs's journal writer.
 *
 * usage: vexfs-journal IMAGE [--csum 2|3] [--no-flag] TXN...
 *
 * TXN      commit:ITEMS   a committed transaction
 *          open:ITEMS     one cut off before its commit block
 * ITEMS    comma-separated: B logs block B's current contents, B=0 logs a
 *          block of zeroes for B, B=magic logs B's contents with the jbd2
 *          magic number over its first four bytes (an escaped block),
 *          -B revokes block B
 *
 * The superblock gets INCOMPAT_RECOVER, as a crash leaves it, unless
 * --no-flag.  For each transaction one line is printed:
 *   tid T desc D commit C revoke R     (log block numbers, 0 if none)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"

#define MAX_ITEMS 64

static void die(const char *what)
{
	fprintf(stderr, "vexfs-journal: %s\n", what);
	exit(1);
}

static int one_txn(struct vexfs_fs *fs, struct vexfs_journal_writer *w,
		   char *spec, struct vexfs_err *err)
{
	uint64_t blocks[MAX_ITEMS], revoke[MAX_ITEMS];
	struct vexfs_journal_txn t = { .blocks = blocks, .revoke = revoke };
	uint8_t *data = calloc(MAX_ITEMS, fs->bs);
	char *items, *item, *save = NULL;
	int ret;

	if (!data)
		die("out of memory");
	items = strchr(spec, ':');
	if (!items)
		die("a transaction is commit:ITEMS or open:ITEMS");
	*items++ = '\0';
	if (!strcmp(spec, "commit"))
		t.commit = true;
	else if (strcmp(spec, "open"))
		die("a transaction is commit:ITEMS or open:ITEMS");
	t.commit_sec = 1700000000;
	for (item = strtok_r(items, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		uint8_t *blk = data + t.n * fs->bs;

		if (item[0] == '-') {
			if (t.nrevoke == MAX_ITEMS)
				die("too many revokes");
			revoke[t.nrevoke++] = strtoull(item + 1, NULL, 0);
			continue;
		}
		if (t.n == MAX_ITEMS)
			die("too many blocks");
		if (eq)
			*eq++ = '\0';
		blocks[t.n] = strtoull(item, NULL, 0);
		if (eq && !strcmp(eq, "0")) {
			memset(blk, 0, fs->bs);
		} else {
			ret = vexfs_read_block(&fs->dev, blocks[t.n], blk, err);
			if (ret)
				return ret;
			if (eq && !strcmp(eq, "magic")) {
				blk[0] = 0xc0;
				blk[1] = 0x3b;
				blk[2] = 0x39;
				blk[3] = 0x98;
			} else if (eq) {
				die("B=0 or B=magic");
			}
		}
		t.n++;
	}
	t.data = data;
	w->last_desc = w->last_commit = w->last_revoke = 0;
	ret = vexfs_journal_write_txn(w, &t, err);
	if (!ret)
		printf("tid %u desc %u commit %u revoke %u\n", w->tid - 1,
		       w->last_desc, w->last_commit, w->last_revoke);
	free(data);
	return ret;
}

int main(int argc, char **argv)
{
	struct vexfs_journal_writer w;
	struct vexfs_journal j;
	struct vexfs_err err;
	struct vexfs_fs fs;
	bool flag = true;
	int i = 2, csum = 0;

	if (argc < 3)
		die("usage: vexfs-journal IMAGE [--csum 2|3] [--no-flag] TXN...");
	if (vexfs_fs_open(&fs, argv[1], true, &err))
		die(err.msg);
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--csum") && i + 1 < argc)
			csum = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-flag"))
			flag = false;
		else
			die("unknown option");
	}
	if (vexfs_journal_open(&fs, &j, &err) ||
	    (csum && vexfs_journal_set_csum(&j, csum, &err)) ||
	    vexfs_journal_writer_start(&j, &w, &err))
		die(err.msg);
	for (; i < argc; i++)
		if (one_txn(&fs, &w, argv[i], &err))
			die(err.msg);
	if (flag) {
		fs.sb.s_feature_incompat = cpu_le32(le32(fs.sb.s_feature_incompat) |
						    VEXFS_FEATURE_INCOMPAT_RECOVER);
		if (vexfs_super_write(&fs.dev, &fs.sb, &err))
			die(err.msg);
	}
	if (vexfs_dev_sync(&fs.dev, &err))
		die(err.msg);
	vexfs_fs_close(&fs);
	return 0;
}
