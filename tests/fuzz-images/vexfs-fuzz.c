// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs-fuzz - make hostile VexFS images from a valid one, by seed.
 *
 * usage: vexfs-fuzz fix-ids IMAGE
 *        vexfs-fuzz gen BASE OUT SEED
 *        vexfs-fuzz break-dir IMAGE
 *        vexfs-fuzz set-inode IMAGE INO OFFSET SIZE VALUE
 *        vexfs-fuzz set-value-ino IMAGE INO VALUE
 *
 * set-inode writes VALUE (little-endian, SIZE bytes) at byte OFFSET of
 * inode INO and set-value-ino points the first out-of-line attribute value
 * of inode INO at inode VALUE, both with valid checksums: the precise
 * corruptions of the regression cases that reproduce one bug each.
 *
 * break-dir flips one byte in the records of the first directory tree
 * block that the root does not own, leaving its checksum stale, and
 * prints the block's number: the precise damage the errors= tests need.
 *
 * fix-ids gives a freshly made image (mkfs -U with a constant UUID) a
 * constant name hash key,
 * so that the same population steps always give the same layout and a
 * seed reproduces the same corruption on any run.
 *
 * gen copies BASE to OUT and corrupts it as SEED says, printing one line
 * that describes what it did.  The corruption is structure-aware: the
 * image is catalogued first (the superblock, every in-use inode, and every
 * block that carries a valid metadata header: bitmaps, extent tree nodes,
 * directory tree nodes, xattr blocks), then 1 to 3 mutations each pick an
 * object (for a quarter of the seeds, the same object every time) and one
 * of its fields (header, count, length, offset, block or
 * inode number, tree level, sibling link, record of a directory leaf or
 * entry of an xattr block...) and give it a value chosen to hurt: zero,
 * all ones, off by one, a flipped bit, a random number, or a valid-looking
 * number that points somewhere it must not (another metadata block, the
 * block itself, an inode table block, another inode).  Some mutations
 * overwrite random bytes instead.  Then, for most seeds, every checksum
 * that covered a changed byte is recomputed, so that the corruption gets
 * past the crc32c and reaches the structural checks; for the others the
 * checksums are left stale.
 *
 * The program links userspace/lib for the checksums and is built static,
 * to run in the VM guest.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvexfs.h"

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64, so a seed means the same on every host. */
/* ------------------------------------------------------------------ */

static uint64_t rng_state;

/*
 * "Sticky" seeds aim every mutation at the same inode or block, so that
 * several fields of one object disagree at once.  The choice comes from a
 * stream of its own, so that the seeds that are not sticky corrupt
 * exactly what they did before sticky seeds existed (the regression
 * seeds keep their meaning).
 */
static bool sticky;
static uint64_t last_ino, last_block;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ------------------------------------------------------------------ */
/* The image and its catalogue                                         */
/* ------------------------------------------------------------------ */

static uint8_t *img;
static size_t img_size;
static struct vexfs_super_block *sb;
static uint32_t bs, seed_csum;
static uint64_t nblocks, ninodes, itable, itable_blocks, data_start;

struct meta {
	uint64_t blocknr;
	uint32_t magic;
};
static struct meta *metas;
static size_t nmetas;
static uint64_t *inos;		/* in-use inodes */
static size_t ninos;

/* What to re-checksum afterwards. */
static bool sb_dirty;
static uint64_t dirty_inos[64], dirty_blocks[64];
static size_t ndirty_inos, ndirty_blocks;

static char desc[4096];
static size_t desc_len;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	if (desc_len >= sizeof(desc) - 1)
		return;
	va_start(ap, fmt);
	desc_len += vsnprintf(desc + desc_len, sizeof(desc) - desc_len, fmt,
			      ap);
	va_end(ap);
	if (desc_len > sizeof(desc) - 1)
		desc_len = sizeof(desc) - 1;
}

static uint8_t *block_ptr(uint64_t nr)
{
	return img + nr * bs;
}

static struct vexfs_inode *inode_ptr(uint64_t ino)
{
	return (struct vexfs_inode *)(img + itable * bs +
				      ino * VEXFS_INODE_SIZE);
}

static void mark_inode(uint64_t ino)
{
	if (ndirty_inos < 64)
		dirty_inos[ndirty_inos++] = ino;
}

static void mark_block(uint64_t nr)
{
	if (ndirty_blocks < 64)
		dirty_blocks[ndirty_blocks++] = nr;
}

static bool known_magic(uint32_t m)
{
	return m == VEXFS_IBITMAP_MAGIC || m == VEXFS_BBITMAP_MAGIC ||
	       m == VEXFS_EXTENT_MAGIC || m == VEXFS_DIRTREE_MAGIC ||
	       m == VEXFS_XATTR_MAGIC || m == VEXFS_VECSTORE_MAGIC ||
	       m == VEXFS_VINDEX_MAGIC;
}

static int load(const char *path)
{
	struct stat st;
	uint64_t b, ino;
	FILE *f;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st)) {
		perror(path);
		return -1;
	}
	img_size = st.st_size;
	img = malloc(img_size);
	if (!img || fread(img, 1, img_size, f) != img_size) {
		fprintf(stderr, "vexfs-fuzz: %s: short read\n", path);
		return -1;
	}
	fclose(f);
	if (img_size < VEXFS_SUPER_OFFSET + VEXFS_SUPER_SIZE)
		return -1;
	sb = (struct vexfs_super_block *)(img + VEXFS_SUPER_OFFSET);
	if (sb->s_magic != VEXFS_SUPER_MAGIC ||
	    vexfs_super_csum(sb) != sb->s_checksum) {
		fprintf(stderr, "vexfs-fuzz: %s: not a valid vexfs image\n",
			path);
		return -1;
	}
	bs = sb->s_block_size;
	nblocks = sb->s_blocks_count;
	ninodes = sb->s_inodes_count;
	itable = sb->s_inode_table_start;
	itable_blocks = sb->s_inode_table_blocks;
	data_start = sb->s_data_start;
	seed_csum = vexfs_csum_seed(sb);
	if (nblocks * bs > img_size) {
		fprintf(stderr, "vexfs-fuzz: %s: image shorter than the fs\n",
			path);
		return -1;
	}

	metas = calloc(nblocks, sizeof(*metas));
	inos = calloc(ninodes, sizeof(*inos));
	if (!metas || !inos)
		return -1;
	for (b = 1; b < nblocks; b++) {
		const struct vexfs_block_header *h = (void *)block_ptr(b);

		if (known_magic(h->bh_magic) && h->bh_blocknr == b &&
		    vexfs_block_csum(seed_csum, h, bs) == h->bh_checksum) {
			metas[nmetas].blocknr = b;
			metas[nmetas].magic = h->bh_magic;
			nmetas++;
		}
	}
	for (ino = 1; ino < ninodes; ino++) {
		const struct vexfs_inode *raw = inode_ptr(ino);

		if (raw->i_mode &&
		    vexfs_inode_csum(seed_csum, raw) == raw->i_checksum)
			inos[ninos++] = ino;
	}
	return 0;
}

/* A random catalogued block of type @magic (0: any), or 0 if none. */
static uint64_t pick_meta(uint32_t magic)
{
	size_t i, n = 0, k;

	for (i = 0; i < nmetas; i++)
		n += !magic || metas[i].magic == magic;
	if (!n)
		return 0;
	k = below(n);
	for (i = 0; i < nmetas; i++)
		if ((!magic || metas[i].magic == magic) && !k--)
			return metas[i].blocknr;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

enum kind {
	K_PLAIN,	/* any number */
	K_COUNT,	/* a small count or length */
	K_BLOCK,	/* a physical block number */
	K_INO,		/* an inode number */
	K_LBLK,		/* a logical block of the same directory */
	K_MODE,		/* i_mode */
	K_FLAGS,	/* i_flags */
};

static uint64_t get_le(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void put_le(uint8_t *p, unsigned int size, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		p[i] = v >> (8 * i);
}

static uint64_t hurtful(uint64_t v, unsigned int size, enum kind kind,
			uint64_t self)
{
	static const uint16_t types[] = { 0, 0x1000, 0x2000, 0x4000, 0x6000,
					  0x8000, 0xa000, 0xc000, 0xf000 };
	uint64_t mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	unsigned int r = below(100);

	switch (kind) {
	case K_MODE:
		if (r < 70)
			return (v & 0x0fff) | types[below(9)];
		break;
	case K_FLAGS:
		if (r < 70)
			return v ^ (1ULL << below(8));
		break;
	case K_BLOCK:
		if (r < 50) {
			switch (below(8)) {
			case 0: return pick_meta(0);
			case 1: return self;
			case 2: return itable + below(itable_blocks);
			case 3: return data_start - 1;
			case 4: return nblocks;
			case 5: return nblocks - 1;
			case 6: return sb->s_block_bitmap_start;
			default: return pick_meta(VEXFS_EXTENT_MAGIC);
			}
		}
		break;
	case K_INO:
		if (r < 50) {
			switch (below(6)) {
			case 0: return ninos ? inos[below(ninos)] : 0;
			case 1: return ninodes;
			case 2: return ninodes - 1;
			case 3: return VEXFS_ROOT_INO;
			case 4: return self;
			default: return ninos ? inos[below(ninos)] : 1;
			}
		}
		break;
	case K_LBLK:
		if (r < 50) {
			switch (below(5)) {
			case 0: return 0;
			case 1: return self;
			case 2: return v + 1;
			case 3: return below(8);
			default: return v ? v - 1 : 1;
			}
		}
		break;
	case K_COUNT:
		if (r < 40)
			return (v + below(9) - 4) & mask;
		break;
	default:
		break;
	}
	switch (below(9)) {
	case 0: return 0;
	case 1: return mask;
	case 2: return (v + 1) & mask;
	case 3: return (v - 1) & mask;
	case 4: return v ^ (1ULL << below(8 * size));
	case 5: return rnd() & mask;
	case 6: return (mask >> 1) + 1;	/* the sign bit */
	case 7: return below(4096) & mask;
	default: return v ^ ((uint64_t)below(256) << (8 * below(size)));
	}
}

/* Mutate the field of @size bytes at @p, described as @what. */
static void mutate(uint8_t *p, unsigned int size, enum kind kind,
		   uint64_t self, const char *what)
{
	uint64_t old = get_le(p, size), v;
	int tries = 0;

	do
		v = hurtful(old, size, kind, self);
	while (v == old && ++tries < 8);
	if (v == old)
		v = old ^ 1;
	put_le(p, size, v);
	say(" %s=%#llx(was %#llx)", what, (unsigned long long)v,
	    (unsigned long long)old);
}

static void scribble(uint8_t *base, size_t len, const char *what)
{
	unsigned int n = 1 + below(8), i;

	say(" %s:", what);
	for (i = 0; i < n; i++) {
		size_t off = below(len);
		uint8_t b = rnd();

		base[off] = b;
		say("%s%zx=%02x", i ? "," : "", off, b);
	}
}

/* ------------------------------------------------------------------ */
/* Mutations per object                                                */
/* ------------------------------------------------------------------ */

struct field {
	unsigned int off, size;
	enum kind kind;
	const char *name;
};

static const struct field inode_fields[] = {
	{ 0x00, 2, K_MODE, "i_mode" },
	{ 0x02, 2, K_COUNT, "i_links_count" },
	{ 0x04, 4, K_FLAGS, "i_flags" },
	{ 0x10, 8, K_COUNT, "i_size" },
	{ 0x10, 8, K_PLAIN, "i_size" },
	{ 0x18, 8, K_COUNT, "i_blocks" },
	{ 0x28, 4, K_PLAIN, "i_atime.nsec" },
	{ 0x60, 8, K_INO, "i_ino" },
	{ 0x70, 8, K_INO, "i_parent" },
	{ 0x78, 8, K_BLOCK, "i_xattr_block" },
	{ 0x80, 4, K_PLAIN, "i_rdev" },
	{ 0xa0, 2, K_PLAIN, "eh_magic" },
	{ 0xa2, 2, K_COUNT, "eh_entries" },
	{ 0xa4, 2, K_COUNT, "eh_max" },
	{ 0xa6, 2, K_COUNT, "eh_depth" },
};

static const char *const ext_names[] = { "pblk", "lblk", "len", "flags" };
static const unsigned int ext_offs[] = { 0, 8, 12, 14 };
static const unsigned int ext_sizes[] = { 8, 4, 2, 2 };

/* An extent tree node at @hdr (in an inode or a block) of @room bytes. */
static void mutate_extent_node(uint8_t *hdr, size_t room, uint64_t self)
{
	unsigned int n = get_le(hdr + 2, 2), depth = get_le(hdr + 6, 2);
	unsigned int max = (room - 8) / 16, i, f;
	char name[64];

	if (n > max)
		n = max;
	if (!n || below(4) == 0) {
		static const char *const hn[] = { "eh_magic", "eh_entries",
						  "eh_max", "eh_depth" };

		f = below(4);
		mutate(hdr + 2 * f, 2, f ? K_COUNT : K_PLAIN, self, hn[f]);
		return;
	}
	i = below(n);
	f = below(depth ? 2 : 4);
	snprintf(name, sizeof(name), "%s[%u].%s", depth ? "idx" : "ext", i,
		 depth && f == 0 ? "child" : ext_names[f]);
	mutate(hdr + 8 + 16 * i + ext_offs[f], ext_sizes[f],
	       f == 0 ? K_BLOCK : f == 2 ? K_COUNT : K_PLAIN, self, name);
}

static void mutate_inode(void)
{
	uint64_t ino;
	struct vexfs_inode *raw;
	unsigned int r = below(100);

	if (!ninos)
		return;
	ino = sticky && last_ino ? last_ino : inos[below(ninos)];
	last_ino = ino;
	raw = inode_ptr(ino);
	say(" inode %llu:", (unsigned long long)ino);
	mark_inode(ino);
	if (r < 60) {
		const struct field *f =
			&inode_fields[below(sizeof(inode_fields) /
					    sizeof(inode_fields[0]))];

		mutate((uint8_t *)raw + f->off, f->size, f->kind,
		       f->kind == K_INO ? ino : 0, f->name);
	} else if (r < 85 && !(raw->i_flags & VEXFS_INODE_INLINE)) {
		mutate_extent_node(raw->i_data, VEXFS_INODE_DATA_SIZE, 0);
	} else if (r < 92) {
		scribble(raw->i_data, VEXFS_INODE_DATA_SIZE, "i_data");
	} else {
		scribble((uint8_t *)raw, VEXFS_INODE_SIZE, "bytes");
	}
}

static void mutate_header(uint8_t *blk, uint64_t nr)
{
	switch (below(3)) {
	case 0:
		mutate(blk, 4, K_PLAIN, nr, "bh_magic");
		break;
	case 1:
		mutate(blk + 8, 8, K_BLOCK, nr, "bh_blocknr");
		break;
	default:
		mutate(blk + 16, 8, K_INO, get_le(blk + 16, 8), "bh_owner");
		break;
	}
}

static void mutate_dir_node(uint8_t *blk, uint64_t nr)
{
	uint8_t *node = blk + 32, *body = blk + 48;
	unsigned int level = get_le(node, 2), count = get_le(node + 2, 2);
	unsigned int used = get_le(node + 4, 2), r = below(100);
	unsigned int off, i, k;
	char name[64];

	if (r < 35 || !count) {
		static const struct field nf[] = {
			{ 0, 2, K_COUNT, "dn_level" },
			{ 2, 2, K_COUNT, "dn_count" },
			{ 4, 2, K_COUNT, "dn_used" },
			{ 8, 4, K_LBLK, "dn_next" },
			{ 12, 4, K_LBLK, "dn_prev" },
		};
		const struct field *f = &nf[below(5)];

		mutate(node + f->off, f->size, f->kind, 0, f->name);
		return;
	}
	if (level) {
		if (count > (bs - 48) / 16)
			count = (bs - 48) / 16;
		i = below(count);
		if (below(2)) {
			snprintf(name, sizeof(name), "di[%u].child", i);
			mutate(body + 16 * i + 8, 4, K_LBLK, 0, name);
		} else {
			snprintf(name, sizeof(name), "di[%u].hash", i);
			mutate(body + 16 * i, 8, K_PLAIN, 0, name);
		}
		return;
	}
	/* A leaf: walk to record k, trusting the lengths only as far as safe. */
	k = below(count);
	for (off = 0, i = 0; i < k; i++) {
		unsigned int len = get_le(body + off + 16, 2);

		if (!len || off + len + 24 > used || off + len + 24 > bs - 48)
			break;
		off += len;
	}
	if (off + 24 > bs - 48)
		return;
	switch (below(7)) {
	case 0:
		snprintf(name, sizeof(name), "de[%u].hash", i);
		mutate(body + off, 8, K_PLAIN, 0, name);
		break;
	case 1:
	case 2:
		snprintf(name, sizeof(name), "de[%u].ino", i);
		mutate(body + off + 8, 8, K_INO, 0, name);
		break;
	case 3:
		snprintf(name, sizeof(name), "de[%u].rec_len", i);
		mutate(body + off + 16, 2, K_COUNT, 0, name);
		break;
	case 4:
		snprintf(name, sizeof(name), "de[%u].name_len", i);
		mutate(body + off + 18, 1, K_COUNT, 0, name);
		break;
	case 5:
		snprintf(name, sizeof(name), "de[%u].file_type", i);
		mutate(body + off + 19, 1, K_COUNT, 0, name);
		break;
	default:
		snprintf(name, sizeof(name), "de[%u].name[0]", i);
		mutate(body + off + 20, 1, K_PLAIN, 0, name);
		break;
	}
	(void)nr;
}

static void mutate_xattr(uint8_t *blk)
{
	unsigned int off = 32, n = 0, k, i;
	char name[64];

	/* Count the entries, stopping at anything odd. */
	while (off + 16 <= bs && blk[off] && n < 64) {
		off += (16 + blk[off] + 3) & ~3U;
		n++;
	}
	if (!n) {
		mutate(blk + 32, 1, K_COUNT, 0, "xe[0].name_len");
		return;
	}
	k = below(n);
	for (off = 32, i = 0; i < k; i++)
		off += (16 + blk[off] + 3) & ~3U;
	switch (below(6)) {
	case 0:
		snprintf(name, sizeof(name), "xe[%u].name_len", k);
		mutate(blk + off, 1, K_COUNT, 0, name);
		break;
	case 1:
		snprintf(name, sizeof(name), "xe[%u].index", k);
		mutate(blk + off + 1, 1, K_COUNT, 0, name);
		break;
	case 2:
		snprintf(name, sizeof(name), "xe[%u].value_offs", k);
		mutate(blk + off + 2, 2, K_COUNT, 0, name);
		break;
	case 3:
		snprintf(name, sizeof(name), "xe[%u].value_size", k);
		mutate(blk + off + 4, 4, K_COUNT, 0, name);
		break;
	default:
		snprintf(name, sizeof(name), "xe[%u].value_ino", k);
		mutate(blk + off + 8, 8, K_INO, 0, name);
		break;
	}
}

static void mutate_block(uint32_t magic)
{
	uint64_t nr = sticky && last_block ? last_block : pick_meta(magic);
	uint8_t *blk;
	unsigned int r = below(100);

	if (!nr)
		nr = pick_meta(0);
	if (!nr)
		return;
	last_block = nr;
	blk = block_ptr(nr);
	magic = get_le(blk, 4);
	say(" block %llu(%.4s):", (unsigned long long)nr, (const char *)blk);
	mark_block(nr);
	if (r < 12) {
		mutate_header(blk, nr);
	} else if (r < 22) {
		scribble(blk, bs, "bytes");
	} else if (magic == VEXFS_EXTENT_MAGIC) {
		mutate_extent_node(blk + 32, bs - 32, nr);
	} else if (magic == VEXFS_DIRTREE_MAGIC) {
		mutate_dir_node(blk, nr);
	} else if (magic == VEXFS_XATTR_MAGIC) {
		mutate_xattr(blk);
	} else {
		/* A bitmap: flip bits, which frees used objects or leaks. */
		unsigned int bits = (bs - 32) * 8, n = 1 + below(16), i;

		say(" bits");
		for (i = 0; i < n; i++) {
			unsigned int bit = below(bits);

			blk[32 + bit / 8] ^= 1 << (bit % 8);
			say(" %u", bit);
		}
	}
}

static void mutate_super(void)
{
	static const struct field sf[] = {
		{ 0x10, 8, K_COUNT, "s_blocks_count" },
		{ 0x18, 8, K_COUNT, "s_free_blocks" },
		{ 0x20, 8, K_COUNT, "s_inodes_count" },
		{ 0x28, 8, K_COUNT, "s_free_inodes" },
		{ 0x30, 4, K_FLAGS, "s_feature_compat" },
		{ 0x34, 4, K_FLAGS, "s_feature_ro_compat" },
		{ 0x90, 8, K_BLOCK, "s_inode_bitmap_start" },
		{ 0x98, 8, K_COUNT, "s_inode_bitmap_blocks" },
		{ 0xa0, 8, K_BLOCK, "s_block_bitmap_start" },
		{ 0xa8, 8, K_COUNT, "s_block_bitmap_blocks" },
		{ 0xb0, 8, K_BLOCK, "s_inode_table_start" },
		{ 0xb8, 8, K_COUNT, "s_inode_table_blocks" },
		{ 0xd0, 8, K_BLOCK, "s_data_start" },
		{ 0xd8, 8, K_INO, "s_root_ino" },
		{ 0xe8, 8, K_INO, "s_last_orphan" },
		{ 0x10c, 2, K_FLAGS, "s_state" },
		{ 0x10e, 2, K_COUNT, "s_errors" },
		{ 0x110, 4, K_PLAIN, "s_hash_seed[0]" },
	};
	const struct field *f = &sf[below(sizeof(sf) / sizeof(sf[0]))];

	say(" super:");
	sb_dirty = true;
	mutate((uint8_t *)sb + f->off, f->size, f->kind, 0, f->name);
}

/* ------------------------------------------------------------------ */

static int write_out(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(img, 1, img_size, f) != img_size || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

static int gen(const char *base, const char *out, uint64_t seed)
{
	unsigned int n, i;
	bool fix;

	if (load(base))
		return 1;
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 7;
	sticky = below(4) == 0;
	rng_state = seed * 0x2545f4914f6cdd1dULL + 1;
	fix = below(10) < 7;
	n = 1 + below(3);
	say("seed %llu: %s checksums%s;", (unsigned long long)seed,
	    fix ? "recomputed" : "stale", sticky ? ", one object" : "");
	for (i = 0; i < n; i++) {
		unsigned int r = below(100);

		if (i)
			say(" ;");
		if (r < 30)
			mutate_inode();
		else if (r < 45)
			mutate_block(VEXFS_EXTENT_MAGIC);
		else if (r < 68)
			mutate_block(VEXFS_DIRTREE_MAGIC);
		else if (r < 80)
			mutate_block(VEXFS_XATTR_MAGIC);
		else if (r < 90)
			mutate_block(below(2) ? VEXFS_BBITMAP_MAGIC :
						VEXFS_IBITMAP_MAGIC);
		else if (r < 95)
			mutate_super();
		else
			mutate_block(0);
	}
	if (fix) {
		for (i = 0; i < ndirty_inos; i++) {
			struct vexfs_inode *raw = inode_ptr(dirty_inos[i]);

			raw->i_checksum = vexfs_inode_csum(seed_csum, raw);
		}
		for (i = 0; i < ndirty_blocks; i++) {
			struct vexfs_block_header *h =
				(void *)block_ptr(dirty_blocks[i]);

			h->bh_checksum = vexfs_block_csum(seed_csum, h, bs);
		}
		if (sb_dirty)
			sb->s_checksum = vexfs_super_csum(sb);
	}
	printf("%s\n", desc);
	return write_out(out) ? 1 : 0;
}

/*
 * A constant name hash key (mkfs -U gives the constant UUID), so that
 * populating the image gives the same layout every time.
 */
static int fix_ids(const char *path)
{
	struct vexfs_super_block s;
	int fd = open(path, O_RDWR);

	if (fd < 0 || pread(fd, &s, sizeof(s), VEXFS_SUPER_OFFSET) !=
	    sizeof(s) || s.s_magic != VEXFS_SUPER_MAGIC) {
		fprintf(stderr, "vexfs-fuzz: %s: cannot read the superblock\n",
			path);
		return 1;
	}
	s.s_hash_seed[0] = 0x01234567;
	s.s_hash_seed[1] = 0x89abcdef;
	s.s_hash_seed[2] = 0xfedcba98;
	s.s_hash_seed[3] = 0x76543210;
	s.s_checksum = vexfs_super_csum(&s);
	if (pwrite(fd, &s, sizeof(s), VEXFS_SUPER_OFFSET) != sizeof(s) ||
	    close(fd)) {
		perror(path);
		return 1;
	}
	return 0;
}

static int break_dir(const char *path)
{
	size_t i;

	if (load(path))
		return 1;
	for (i = 0; i < nmetas; i++) {
		uint8_t *blk = block_ptr(metas[i].blocknr);

		if (metas[i].magic == VEXFS_DIRTREE_MAGIC &&
		    get_le(blk + 16, 8) != VEXFS_ROOT_INO) {
			blk[48 + 20] ^= 0x40;	/* the first name's first byte */
			printf("%llu\n", (unsigned long long)metas[i].blocknr);
			return write_out(path) ? 1 : 0;
		}
	}
	fprintf(stderr, "vexfs-fuzz: %s: no directory block to break\n", path);
	return 1;
}

static int set_inode(const char *path, uint64_t ino, unsigned int off,
		     unsigned int size, uint64_t value)
{
	struct vexfs_inode *raw;

	if (load(path))
		return 1;
	if (ino >= ninodes || off + size > VEXFS_INODE_SIZE || !size ||
	    size > 8) {
		fprintf(stderr, "vexfs-fuzz: bad inode field\n");
		return 1;
	}
	raw = inode_ptr(ino);
	put_le((uint8_t *)raw + off, size, value);
	raw->i_checksum = vexfs_inode_csum(seed_csum, raw);
	return write_out(path) ? 1 : 0;
}

static int set_value_ino(const char *path, uint64_t ino, uint64_t value)
{
	uint64_t blk;
	uint8_t *b;
	unsigned int off;

	if (load(path))
		return 1;
	blk = ino < ninodes ? inode_ptr(ino)->i_xattr_block : 0;
	if (!blk || blk >= nblocks) {
		fprintf(stderr, "vexfs-fuzz: inode %llu has no xattr block\n",
			(unsigned long long)ino);
		return 1;
	}
	b = block_ptr(blk);
	for (off = 32; off + 16 <= bs && b[off]; off += (16 + b[off] + 3) & ~3U) {
		if (get_le(b + off + 8, 8)) {
			put_le(b + off + 8, 8, value);
			((struct vexfs_block_header *)b)->bh_checksum =
				vexfs_block_csum(seed_csum, b, bs);
			return write_out(path) ? 1 : 0;
		}
	}
	fprintf(stderr, "vexfs-fuzz: inode %llu has no out-of-line value\n",
		(unsigned long long)ino);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "set-inode"))
		return set_inode(argv[2], strtoull(argv[3], NULL, 0),
				 strtoul(argv[4], NULL, 0),
				 strtoul(argv[5], NULL, 0),
				 strtoull(argv[6], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "set-value-ino"))
		return set_value_ino(argv[2], strtoull(argv[3], NULL, 0),
				     strtoull(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "break-dir"))
		return break_dir(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "fix-ids"))
		return fix_ids(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return gen(argv[2], argv[3], strtoull(argv[4], NULL, 0));
	fprintf(stderr, "usage: vexfs-fuzz fix-ids IMAGE\n"
			"       vexfs-fuzz gen BASE OUT SEED\n"
			"       vexfs-fuzz break-dir IMAGE\n"
			"       vexfs-fuzz set-inode IMAGE INO OFFSET SIZE VALUE\n"
			"       vexfs-fuzz set-value-ino IMAGE INO VALUE\n");
	return 2;
}
