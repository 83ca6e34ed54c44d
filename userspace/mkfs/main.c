// SPDX-License-Identifier: GPL-2.0
/*
 * mkfs.vexfs - make a VexFS filesystem.
 *
 * usage: mkfs.vexfs [-L label] [-U uuid|clear|random|time] [-b blocksize]
 *                   [-N inodes] [-J size=MiB] [-E opts] [-d dir] [-n] [-F]
 *                   [-q] [-V] [-h]
 *                   DEVICE [blocks]
 *
 * Exit status: 0 on success, 1 on any error (as mke2fs).  The work is
 * done by vexfs_layout_compute() and vexfs_mkfs() in libvexfs.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <uuid/uuid.h>

#include "libvexfs.h"

static const char *prog = "mkfs.vexfs";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [options] DEVICE|IMAGE [blocks]\n"
		"\n"
		"Make a VexFS filesystem.\n"
		"\n"
		"  -L label      volume label (at most %d bytes)\n"
		"  -U uuid       filesystem UUID, or clear, random or time\n"
		"  -b size       block size: 1024, 2048 or 4096 (default 4096)\n"
		"  -N inodes     inode table size (default: one inode per 16 KiB)\n"
		"  -J size=N     journal size in MiB (default: from the filesystem\n"
		"                size, as mke2fs; size=0 makes no journal)\n"
		"  -d dir        copy the directory tree dir into the new filesystem\n"
		"  -E opts       extended options, comma-separated:\n"
		"                  root_owner=UID:GID  owner of the root directory\n"
		"                                      (default: the caller, or dir's)\n"
		"                  hash_seed=UUID      directory hash key (default random)\n"
		"  -n            show what would be done; write nothing\n"
		"  -F            force: overwrite an existing filesystem\n"
		"  -q            quiet\n"
		"  -V            print the version and exit\n"
		"  -h            print this help and exit\n",
		prog, VEXFS_LABEL_MAX - 1);
}

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t parse_number(const char *arg, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-')
		die("invalid %s '%s'", what, arg);
	return v;
}

static void parse_uuid(const char *arg, uint8_t uuid[16])
{
	if (!strcmp(arg, "clear"))
		uuid_clear(uuid);
	else if (!strcmp(arg, "random"))
		uuid_generate_random(uuid);
	else if (!strcmp(arg, "time"))
		uuid_generate_time(uuid);
	else if (uuid_parse(arg, uuid))
		die("invalid UUID '%s'", arg);
}

struct signature {
	uint64_t off;
	const char *magic;
	size_t len;
	const char *name;
};

/* Enough to recognize what a user would be sad to lose. */
static const struct signature signatures[] = {
	{ VEXFS_SUPER_OFFSET, "SFXV", 4, "vexfs" },
	{ 1080, "\x53\xef", 2, "ext2/ext3/ext4" },
	{ 0, "XFSB", 4, "xfs" },
	{ 0x10040, "_BHRfS_M", 8, "btrfs" },
	{ 4086, "SWAPSPACE2", 10, "swap" },
	{ 0x8001, "CD001", 5, "iso9660" },
};

/* Name a filesystem already on the device, if one is recognizable. */
static const char *existing_fs(struct vexfs_dev *dev)
{
	char buf[16];
	size_t i;

	for (i = 0; i < VEXFS_ARRAY_SIZE(signatures); i++) {
		const struct signature *sig = &signatures[i];

		if (!vexfs_dev_read(dev, sig->off, buf, sig->len, NULL) &&
		    !memcmp(buf, sig->magic, sig->len))
			return sig->name;
	}
	return NULL;
}

static void print_region(const char *what, uint64_t start, uint64_t len)
{
	printf("%-16s blocks %llu-%llu (%llu)\n", what,
	       (unsigned long long)start,
	       (unsigned long long)(start + len - 1),
	       (unsigned long long)len);
}

static void print_summary(const struct vexfs_layout *lay,
			  const struct vexfs_mkfs_opts *opts, bool dry_run)
{
	char uuid[37];

	vexfs_uuid_unparse(opts->uuid, uuid);
	printf("%s %s%s\n", prog, VEXFS_VERSION,
	       dry_run ? " (dry run: nothing is written)" : "");
	printf("Creating VexFS filesystem with %llu %u-byte blocks and %llu inodes\n",
	       (unsigned long long)lay->blocks, lay->block_size,
	       (unsigned long long)lay->inodes);
	printf("Filesystem UUID:  %s\n", uuid);
	if (opts->label && *opts->label)
		printf("Filesystem label: %s\n", opts->label);
	if (lay->journal_blocks)
		print_region("Journal:", lay->journal_start,
			     lay->journal_blocks);
	print_region("Inode bitmap:", lay->inode_bitmap_start,
		     lay->inode_bitmap_blocks);
	print_region("Block bitmap:", lay->block_bitmap_start,
		     lay->block_bitmap_blocks);
	print_region("Inode table:", lay->inode_table_start,
		     lay->inode_table_blocks);
	print_region("Data:", lay->data_start, lay->blocks - lay->data_start);
}

struct mkfs_args {
	struct vexfs_mkfs_opts opts;
	bool dry_run, force, quiet, uuid_set, seed_set, owner_set;
	const char *src_dir;
	uint32_t root_uid, root_gid;
	uint64_t inodes, fs_blocks;
	uint64_t journal_mib;		/* UINT64_MAX: the default size */
	uint32_t block_size;
	const char *path;
};

static void parse_extended(char *arg, struct mkfs_args *a)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *val = strchr(tok, '=');
		unsigned int uid, gid;
		uint8_t seed[16];
		char end;

		if (val)
			*val++ = '\0';
		if (!strcmp(tok, "root_owner") && val) {
			if (sscanf(val, "%u:%u%c", &uid, &gid, &end) != 2)
				die("invalid root_owner '%s' (want UID:GID)", val);
			a->root_uid = uid;
			a->root_gid = gid;
			a->owner_set = true;
		} else if (!strcmp(tok, "hash_seed") && val) {
			if (uuid_parse(val, seed))
				die("invalid hash_seed '%s' (want a UUID)", val);
			memcpy(a->opts.hash_seed, seed, sizeof(seed));
			a->seed_set = true;
		} else {
			die("unknown extended option '%s'", tok);
		}
	}
}

static void parse_args(int argc, char **argv, struct mkfs_args *a)
{
	int opt;

	while ((opt = getopt(argc, argv, "L:U:b:N:J:E:d:nFqVh")) != -1) {
		switch (opt) {
		case 'E':
			parse_extended(optarg, a);
			break;
		case 'd':
			a->src_dir = optarg;
			break;
		case 'L':
			if (strlen(optarg) >= VEXFS_LABEL_MAX)
				die("label '%s' is too long (at most %d bytes)",
				    optarg, VEXFS_LABEL_MAX - 1);
			a->opts.label = optarg;
			break;
		case 'U':
			parse_uuid(optarg, a->opts.uuid);
			a->uuid_set = true;
			break;
		case 'b':
			a->block_size = (uint32_t)parse_number(optarg,
							       "block size");
			break;
		case 'N':
			a->inodes = parse_number(optarg, "inode count");
			if (!a->inodes)
				die("invalid inode count '%s'", optarg);
			break;
		case 'J':
			if (strncmp(optarg, "size=", 5))
				die("invalid journal option '%s' (only size=N is known)",
				    optarg);
			a->journal_mib = parse_number(optarg + 5, "journal size");
			if (a->journal_mib > (1ULL << 20))
				die("journal size %s MiB is too large", optarg + 5);
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'F':
			a->force = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'V':
			printf("%s %s\n", prog, VEXFS_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (optind >= argc || argc - optind > 2) {
		usage(stderr);
		exit(1);
	}
	a->path = argv[optind];
	if (argc - optind == 2)
		a->fs_blocks = parse_number(argv[optind + 1], "block count");
}

/* The bytes to format: the device, or the block count asked for. */
static uint64_t fs_bytes(const struct mkfs_args *a, const struct vexfs_dev *dev)
{
	uint64_t dev_blocks;

	if (a->block_size != 1024 && a->block_size != 2048 &&
	    a->block_size != 4096)
		die("invalid block size %u (use 1024, 2048 or 4096)",
		    a->block_size);
	dev_blocks = dev->size / a->block_size;
	if (!a->fs_blocks)
		return dev->size;
	if (a->fs_blocks > dev_blocks)
		die("%s: %llu blocks requested, but the device holds only %llu",
		    a->path, (unsigned long long)a->fs_blocks,
		    (unsigned long long)dev_blocks);
	return a->fs_blocks * a->block_size;
}

static void make_ids(struct mkfs_args *a)
{
	struct vexfs_mkfs_opts *o = &a->opts;

	if (!a->uuid_set)
		uuid_generate(o->uuid);
	if ((!a->seed_set &&
	     getrandom(o->hash_seed, sizeof(o->hash_seed), 0) !=
	     sizeof(o->hash_seed)) ||
	    getrandom(&o->root_generation, sizeof(o->root_generation), 0) !=
	    sizeof(o->root_generation))
		die("cannot get random bytes: %s", strerror(errno));
	o->now = time(NULL);
}

static void warn_cb(void *priv, const char *msg)
{
	(void)priv;
	fprintf(stderr, "%s: warning: %s\n", prog, msg);
}

/* -d and -E root_owner: fill the new filesystem, set the root's owner. */
static void populate(struct mkfs_args *a, struct vexfs_dev *dev)
{
	struct vexfs_populate_opts popts = { .warn = warn_cb };
	struct vexfs_err err = { "" };
	struct vexfs_inode root;
	struct vexfs_fs fs;

	if (vexfs_fs_from_dev(&fs, dev, &err))
		die("%s", err.msg);
	if (!a->quiet && a->src_dir)
		printf("Copying files into the filesystem from %s\n", a->src_dir);
	if (a->src_dir && vexfs_populate(&fs, a->src_dir, &popts, &err))
		die("%s: %s", a->src_dir, err.msg);
	if (a->owner_set) {
		if (vexfs_inode_read(&fs, VEXFS_ROOT_INO, &root, &err))
			die("%s", err.msg);
		root.i_uid = cpu_le32(a->root_uid);
		root.i_gid = cpu_le32(a->root_gid);
		if (vexfs_inode_write(&fs, VEXFS_ROOT_INO, &root, &err))
			die("%s", err.msg);
	}
	if (vexfs_dev_sync(&fs.dev, &err))
		die("%s", err.msg);
}

int main(int argc, char **argv)
{
	struct mkfs_args a = {
		.opts.label = "",
		.block_size = VEXFS_DEFAULT_BLOCK_SIZE,
		.journal_mib = UINT64_MAX,
	};
	uint64_t journal_blocks;
	struct vexfs_err err = { "" };
	struct vexfs_layout lay;
	struct vexfs_dev dev;
	const char *other;
	char mnt[4096];

	parse_args(argc, argv, &a);
	if (vexfs_dev_mountpoint(a.path, mnt, sizeof(mnt)))
		die("%s is mounted on %s; will not make a filesystem here!",
		    a.path, mnt);
	if (vexfs_dev_open(&dev, a.path, !a.dry_run, &err))
		die("%s", err.msg);
	journal_blocks = a.journal_mib == UINT64_MAX ? VEXFS_JOURNAL_DEFAULT :
			 (a.journal_mib << 20) / a.block_size;
	if (vexfs_layout_compute_journal(&lay, fs_bytes(&a, &dev), a.block_size,
					 a.inodes, journal_blocks, &err))
		die("%s: %s", a.path, err.msg);

	other = existing_fs(&dev);
	if (other && !a.force && !a.dry_run)
		die("%s: contains a %s filesystem; use -F to overwrite it",
		    a.path, other);

	make_ids(&a);
	if (!a.quiet)
		print_summary(&lay, &a.opts, a.dry_run);
	if (!a.dry_run && vexfs_mkfs(&dev, &lay, &a.opts, &err))
		die("%s", err.msg);
	if (!a.dry_run && (a.src_dir || a.owner_set))
		populate(&a, &dev);
	vexfs_dev_close(&dev);
	if (!a.quiet && !a.dry_run)
		printf("Writing the metadata and the superblock: done\n");
	return 0;
}
