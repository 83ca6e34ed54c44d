// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs-fuse - mount a VexFS image or device through FUSE, read-only.
 *
 *   vexfs-fuse [-f] [-d] [-o OPTIONS] IMAGE MOUNTPOINT
 *
 * Before mounting it refuses, with a message, what it cannot read
 * safely: a filesystem with unknown incompat features (libvexfs's
 * superblock rules, which are the kernel's), one the kernel has mounted
 * (it changes under us), one whose journal holds transactions that were
 * never replayed (the metadata would be read half old, half new) unless
 * -o replay asks for the replay, which writes to the image as a kernel
 * mount would, and a read-write mount: this version only reads.
 * The operations are in ops.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "vexfs-fuse.h"

static const char *prog = "vexfs-fuse";

struct options {
	const char *image;
	const char *mountpoint;
	int replay;
	int rw;
	int help;
	int version;
	int nonopts;
};

enum { KEY_RW, KEY_HELP, KEY_VERSION };

static const struct fuse_opt opt_spec[] = {
	{ "replay", offsetof(struct options, replay), 1 },
	FUSE_OPT_KEY("rw", KEY_RW),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_END
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-f] [-d] [-s] [-o OPTION[,OPTION...]] IMAGE MOUNTPOINT\n"
		"\n"
		"Mount the VexFS filesystem on IMAGE (an image file or a block device)\n"
		"at MOUNTPOINT, read-only, through FUSE.  Unmount with fusermount3 -u.\n"
		"\n"
		"  -f             stay in the foreground\n"
		"  -d             debug: foreground, and every request logged\n"
		"  -o ro          read-only (the default, and the only mode)\n"
		"  -o replay      replay a journal that needs it first (writes IMAGE)\n"
		"  -o allow_other let other users in (see fuse(8))\n"
		"  -h, --help     this help\n"
		"  -V, --version  the version\n", prog);
}

static int opt_proc(void *data, const char *arg, int key,
		    struct fuse_args *outargs)
{
	struct options *o = data;

	(void)outargs;
	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		if (o->nonopts++ == 0) {
			o->image = arg;
			return 0;
		}
		if (o->nonopts == 2) {
			o->mountpoint = arg;
			return 1;	/* fuse_parse_cmdline() wants it */
		}
		fprintf(stderr, "%s: too many arguments: '%s'\n", prog, arg);
		return -1;
	case KEY_RW:
		o->rw = 1;
		return 0;
	case KEY_HELP:
		o->help = 1;
		return 0;
	case KEY_VERSION:
		o->version = 1;
		return 0;
	default:
		return 1;
	}
}

/*
 * Replay the journal of @path, as a kernel mount would: the device is
 * opened for writing for that alone.  INCOMPAT_RECOVER stays set, so that
 * the next kernel mount or fsck.vexfs still rebuilds the free counts and
 * finishes the orphan list, which a replay alone does not.
 */
static int replay(const char *path)
{
	struct vexfs_journal_replay r;
	struct vexfs_err err = { "" };
	struct vexfs_journal j;
	struct vexfs_fs fs;
	int ret;

	ret = vexfs_fs_open(&fs, path, true, &err);
	if (ret) {
		fprintf(stderr, "%s: %s: cannot open for the journal replay: %s\n",
			prog, path, err.msg);
		return ret;
	}
	ret = vexfs_journal_open(&fs, &j, &err);
	if (!ret)
		ret = vexfs_journal_recover(&j, &r, &err);
	if (!ret)
		ret = vexfs_dev_sync(&fs.dev, &err);
	if (ret) {
		fprintf(stderr, "%s: %s: journal replay failed: %s\n", prog,
			path, err.msg);
		vexfs_fs_close(&fs);
		return ret;
	}
	fprintf(stderr, "%s: %s: replayed %llu transaction%s (%llu block%s)%s\n",
		prog, path, (unsigned long long)r.transactions,
		r.transactions == 1 ? "" : "s",
		(unsigned long long)r.blocks_replayed,
		r.blocks_replayed == 1 ? "" : "s",
		r.corrupt ? "; the log ended in a corrupt transaction" : "");
	vexfs_fs_close(&fs);
	return 0;
}

/*
 * May the filesystem be read as it is on disk?  Return: 0; 1 if its
 * journal must be replayed first; -1 if it cannot be read (said why).
 */
static int check_journal(struct vfuse *vf)
{
	const struct vexfs_super_block *sb = &vf->fs.sb;
	struct vexfs_err err = { "" };
	struct vexfs_journal j;
	int ret;

	if (!(le32(sb->s_feature_compat) & VEXFS_FEATURE_COMPAT_HAS_JOURNAL) ||
	    !le64(sb->s_journal_start))
		return 0;
	ret = vexfs_journal_open(&vf->fs, &j, &err);
	if (ret) {
		fprintf(stderr, "%s: %s: cannot read the journal: %s; run fsck.vexfs\n",
			prog, vf->image, err.msg);
		return -1;
	}
	/* A log that is not empty would be replayed by the kernel too. */
	return j.log_start ? 1 : 0;
}

/* The free counts statfs shows: after a crash, from the bitmaps. */
static int free_counts(struct vfuse *vf)
{
	const struct vexfs_super_block *sb = &vf->fs.sb;
	struct vexfs_err err = { "" };
	struct vexfs_bitmap map;
	int ret;

	vf->free_blocks = le64(sb->s_free_blocks);
	vf->free_inodes = le64(sb->s_free_inodes);
	if (!(le32(sb->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_RECOVER))
		return 0;
	ret = vexfs_bitmap_init(&map, sb, VEXFS_BLOCK_BITMAP);
	if (!ret)
		ret = vexfs_bitmap_load(&vf->fs, &map, true, &err);
	if (!ret)
		vf->free_blocks = vexfs_bitmap_count_clear(map.bits, map.nbits);
	vexfs_bitmap_release(&map);
	if (!ret)
		ret = vexfs_bitmap_init(&map, sb, VEXFS_INODE_BITMAP);
	if (!ret)
		ret = vexfs_bitmap_load(&vf->fs, &map, true, &err);
	if (!ret)
		vf->free_inodes = vexfs_bitmap_count_clear(map.bits, map.nbits);
	vexfs_bitmap_release(&map);
	if (ret)
		fprintf(stderr, "%s: %s: %s; run fsck.vexfs\n", prog, vf->image,
			err.msg[0] ? err.msg : strerror(-ret));
	return ret;
}

/* Open @o->image and decide whether it may be mounted.  Return: 0 or -1. */
static int open_image(struct vfuse *vf, const struct options *o)
{
	struct vexfs_err err = { "" };
	char mnt[4096];
	int tries, ret;

	vf->image = o->image;
	if (vexfs_dev_mountpoint(o->image, mnt, sizeof(mnt))) {
		fprintf(stderr, "%s: %s is mounted on %s: it would change while being read\n",
			prog, o->image, mnt);
		return -1;
	}
	for (tries = 0; tries < 2; tries++) {
		ret = vexfs_fs_open(&vf->fs, o->image, false, &err);
		if (ret) {
			fprintf(stderr, "%s: %s\n", prog, err.msg);
			return -1;
		}
		ret = check_journal(vf);
		if (ret <= 0)
			break;
		vexfs_fs_close(&vf->fs);
		if (!o->replay || tries) {
			fprintf(stderr,
				"%s: %s: the journal holds transactions that were never replayed (the filesystem was not cleanly unmounted);\n"
				"reading it now would show half-done changes. Run fsck.vexfs %s, or mount it\n"
				"once with the kernel module, or mount with -o replay (which writes to %s).\n",
				prog, o->image, o->image, o->image);
			return -1;
		}
		if (replay(o->image))
			return -1;
	}
	if (ret < 0)
		goto fail;
	if (le16(vf->fs.sb.s_state) & VEXFS_STATE_ERROR)
		fprintf(stderr, "%s: %s: warning: errors were detected on this filesystem; run fsck.vexfs\n",
			prog, o->image);
	if (le32(vf->fs.sb.s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_RECOVER)
		fprintf(stderr, "%s: %s: note: not cleanly unmounted; deleted files still on the orphan list are left to fsck.vexfs or the next kernel mount\n",
			prog, o->image);
	if (free_counts(vf))
		goto fail;
	return 0;
fail:
	vexfs_fs_close(&vf->fs);
	return -1;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts copts;
	struct options o = { 0 };
	struct fuse_session *se;
	struct vfuse *vf;
	int ret = 1;

	if (fuse_opt_parse(&args, &o, opt_spec, opt_proc) == -1)
		return 2;
	if (o.help) {
		usage(stdout);
		fuse_opt_free_args(&args);
		return 0;
	}
	if (o.version) {
		printf("%s %s (libfuse %s)\n", prog, VEXFS_VERSION,
		       fuse_pkgversion());
		fuse_opt_free_args(&args);
		return 0;
	}
	if (o.rw) {
		fprintf(stderr, "%s: read-write is not supported yet; mount with -o ro (the default)\n",
			prog);
		fuse_opt_free_args(&args);
		return 2;
	}
	if (!o.image || !o.mountpoint) {
		usage(stderr);
		fuse_opt_free_args(&args);
		return 2;
	}
	/* The kernel checks permissions (and ACLs) from what getattr says. */
	fuse_opt_add_arg(&args, "-oro,default_permissions,subtype=vexfs");
	if (fuse_parse_cmdline(&args, &copts) != 0) {
		fuse_opt_free_args(&args);
		return 2;
	}
	vf = calloc(1, sizeof(*vf));
	if (!vf)
		goto out_args;
	if (open_image(vf, &o))
		goto out_free;
	{
		/* fsname= shows the image in /proc/mounts, like a device. */
		char *fsname = NULL;
		const char *p;

		for (p = o.image; *p; p++)
			if (*p == ',' || *p == '\\')
				break;
		if (!*p && asprintf(&fsname, "-ofsname=%s", o.image) > 0) {
			fuse_opt_add_arg(&args, fsname);
			free(fsname);
		}
	}
	openlog(prog, LOG_PID, LOG_DAEMON);
	se = fuse_session_new(&args, &vfuse_ops, sizeof(vfuse_ops), vf);
	if (!se)
		goto out_close;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, copts.mountpoint) != 0)
		goto out_signals;
	fuse_daemonize(copts.foreground);
	/*
	 * One thread: the directory cache has no locks, and a reader over
	 * one image gains little from more.
	 */
	ret = fuse_session_loop(se) ? 1 : 0;
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_close:
	vfuse_dir_cache_free(vf);
	vexfs_fs_close(&vf->fs);
out_free:
	free(vf);
	free(copts.mountpoint);
out_args:
	fuse_opt_free_args(&args);
	return ret;
}
