// SPDX-License-Identifier: GPL-2.0
/*
 * vexfs-damage - damage a VexFS image precisely, for the fsck fixtures.
 *
 * usage: vexfs-damage IMAGE [--stale-csum] TARGET FIELD=VALUE...
 *        vexfs-damage IMAGE --lookup PATH      print PATH's inode number
 *        vexfs-damage IMAGE --map PATH         print "lblk pblk len" lines
 *                                              (PATH may be #INO, for the
 *                                              queries on one inode)
 *        vexfs-damage IMAGE --nodes PATH       print its extent tree blocks
 *        vexfs-damage IMAGE --xattr-block PATH print its xattr block
 *        vexfs-damage IMAGE --vec PATH         print "COLLECTION SLOT"
 *        vexfs-damage IMAGE --index N          print collection N's index
 *                                              inode
 *        vexfs-damage IMAGE --entry DIR NAME   print "L N": NAME is record N
 *                                              of block L of directory DIR
 *        vexfs-damage IMAGE --fragment PATH    rewrite its extent tree with
 *                                              one extent per block (same
 *                                              data blocks), so that a small
 *                                              file gets a tree of blocks
 *
 * TARGET   sb            the superblock
 *          inode:N       inode N
 *          ibitmap:K     the K-th inode bitmap block (0-based)
 *          bbitmap:K     the K-th block bitmap block
 *          dir:PATH:L    logical block L of directory PATH (a tree node)
 *          meta:B        block B, a metadata block (header and checksum)
 *          raw:B         block B, with no checksum to update
 *          coll:N        the descriptor of collection N (1-based)
 *          slot:N:S      slot S of collection N's vector store (a slot
 *                        within one block); element K of the vector is
 *                        @(16+4K):4
 *          vindex:N      the header block of collection N's ANN index
 *          vnode:N:S     the node record of slot S in that index; its
 *                        code byte K is @(16+K):1, level-0 link J is
 *                        @(16+padded dim+4J):4
 *          vupper:N:R    upper-level record R (1-based) of that index;
 *                        link J is @(16+4J):4
 * FIELD    a field name: c_* for a descriptor, vs_* for a slot, vh_*, vn_*
 *          and vu_* for the index header, node and upper records, s_* for sb, i_* for an inode (i_mtime.sec style
 *          for timestamps), bh_* for a block header, dn_* for a directory
 *          node; de:N.de_* (de_hash, de_ino, de_rec_len, de_name_len,
 *          de_file_type, or de_name for its first byte) for record N of a
 *          directory leaf; bit:N for bit N of a bitmap block's body; or
 *          @OFF:SIZE, SIZE bytes (1, 2, 4, 8) at byte OFF of the target.
 * VALUE    a number (C syntax) that replaces the field; ^N XORs, +N adds,
 *          -N subtracts.
 *
 * Afterwards the target's checksum is recomputed, so that the damage is
 * not given away by the checksum, unless --stale-csum is given or the
 * checksum field itself was patched.  The superblock is read without
 * validation, so damaged images can be damaged further.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"

struct field {
	const char *name;
	size_t off, size;
};

#define SB(f)	{ #f, offsetof(struct vexfs_super_block, f), \
		  sizeof(((struct vexfs_super_block *)0)->f) }
#define IN(f)	{ #f, offsetof(struct vexfs_inode, f), \
		  sizeof(((struct vexfs_inode *)0)->f) }
#define BH(f)	{ #f, offsetof(struct vexfs_block_header, f), \
		  sizeof(((struct vexfs_block_header *)0)->f) }

static const struct field sb_fields[] = {
	SB(s_magic), SB(s_checksum), SB(s_version_major),
	SB(s_version_minor), SB(s_block_size), SB(s_blocks_count),
	SB(s_free_blocks), SB(s_inodes_count), SB(s_free_inodes),
	SB(s_feature_compat), SB(s_feature_ro_compat),
	SB(s_feature_incompat), SB(s_inode_size), SB(s_checksum_type),
	SB(s_inode_bitmap_start), SB(s_inode_bitmap_blocks),
	SB(s_block_bitmap_start), SB(s_block_bitmap_blocks),
	SB(s_inode_table_start), SB(s_inode_table_blocks),
	SB(s_journal_start), SB(s_journal_blocks), SB(s_data_start),
	SB(s_root_ino), SB(s_first_ino), SB(s_last_orphan),
	SB(s_mkfs_time), SB(s_mount_time), SB(s_write_time),
	SB(s_mount_count), SB(s_state), SB(s_errors),
	SB(s_collections_ino), SB(s_collections_count),
	SB(s_default_mount_opts), SB(s_lastcheck_time),
	{ NULL, 0, 0 },
};

static const struct field inode_fields[] = {
	IN(i_mode), IN(i_links_count), IN(i_flags), IN(i_uid), IN(i_gid),
	IN(i_size), IN(i_blocks), IN(i_atime.sec), IN(i_atime.nsec),
	IN(i_mtime.sec), IN(i_mtime.nsec), IN(i_ctime.sec),
	IN(i_ctime.nsec), IN(i_crtime.sec), IN(i_crtime.nsec), IN(i_ino),
	IN(i_generation), IN(i_checksum), IN(i_parent), IN(i_xattr_block),
	IN(i_rdev), IN(i_collection), IN(i_vec_slot), IN(i_next_orphan),
	{ NULL, 0, 0 },
};

static const struct field header_fields[] = {
	BH(bh_magic), BH(bh_checksum), BH(bh_blocknr), BH(bh_owner),
	BH(bh_reserved),
	{ NULL, 0, 0 },
};

#define DN(f)	{ #f, sizeof(struct vexfs_block_header) + \
		  offsetof(struct vexfs_dir_node, f), \
		  sizeof(((struct vexfs_dir_node *)0)->f) }

static const struct field dir_fields[] = {
	BH(bh_magic), BH(bh_checksum), BH(bh_blocknr), BH(bh_owner),
	BH(bh_reserved), DN(dn_level), DN(dn_count), DN(dn_used),
	DN(dn_next), DN(dn_prev),
	{ NULL, 0, 0 },
};

#define DE(f)	{ #f, offsetof(struct vexfs_dir_entry, f), \
		  sizeof(((struct vexfs_dir_entry *)0)->f) }

static const struct field entry_fields[] = {
	DE(de_hash), DE(de_ino), DE(de_rec_len), DE(de_name_len),
	DE(de_file_type), { "de_name", 20, 1 },
	{ NULL, 0, 0 },
};

#define CO(f)	{ #f, offsetof(struct vexfs_collection, f), \
		  sizeof(((struct vexfs_collection *)0)->f) }

static const struct field coll_fields[] = {
	CO(c_id), CO(c_dim), CO(c_metric), CO(c_elem_type), CO(c_root_ino),
	CO(c_store_ino), CO(c_index_ino), CO(c_count), CO(c_slots),
	CO(c_hnsw_m), CO(c_hnsw_ef_construction), CO(c_flags),
	CO(c_checksum),
	{ NULL, 0, 0 },
};

#define VS(f)	{ #f, offsetof(struct vexfs_vec_slot, f), \
		  sizeof(((struct vexfs_vec_slot *)0)->f) }

static const struct field slot_fields[] = {
	VS(vs_ino), VS(vs_generation), VS(vs_checksum),
	{ NULL, 0, 0 },
};

#define VH(f)	{ #f, offsetof(struct vexfs_vindex_header, f), \
		  sizeof(((struct vexfs_vindex_header *)0)->f) }

static const struct field vindex_fields[] = {
	BH(bh_magic), BH(bh_checksum), BH(bh_blocknr), BH(bh_owner),
	VH(vh_version), VH(vh_dim), VH(vh_metric), VH(vh_trained), VH(vh_m),
	VH(vh_ef_construction), VH(vh_node_size), VH(vh_upper_size),
	VH(vh_max_level), VH(vh_epoch), VH(vh_seed), VH(vh_q_exp),
	VH(vh_q_blocks), VH(vh_q_step), VH(vh_entry), VH(vh_node_start),
	VH(vh_upper_used), VH(vh_q_checksum), VH(vh_live), VH(vh_deleted),
	VH(vh_slots),
	{ NULL, 0, 0 },
};

#define VN(f)	{ #f, offsetof(struct vexfs_vindex_node, f), \
		  sizeof(((struct vexfs_vindex_node *)0)->f) }
#define VU(f)	{ #f, offsetof(struct vexfs_vindex_upper, f), \
		  sizeof(((struct vexfs_vindex_upper *)0)->f) }

static const struct field vnode_fields[] = {
	VN(vn_checksum), VN(vn_epoch), VN(vn_level), VN(vn_flags),
	VN(vn_count), VN(vn_upper),
	{ NULL, 0, 0 },
};

static const struct field vupper_fields[] = {
	VU(vu_checksum), VU(vu_epoch), VU(vu_slot), VU(vu_level),
	VU(vu_count),
	{ NULL, 0, 0 },
};

/* The object being damaged, in memory. */
struct target {
	enum { T_SB, T_INODE, T_BITMAP, T_RAW, T_COLL, T_SLOT,
	       T_VREC } kind;
	uint64_t off;			/* byte offset in the image */
	size_t len;
	size_t csum_off;		/* offset of its checksum field */
	const struct field *fields;
	uint8_t buf[VEXFS_MAX_BLOCK_SIZE];
	bool csum_touched;
};

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("vexfs-damage: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static struct vexfs_fs *open_fs(const char *image);
static uint64_t path_ino(struct vexfs_fs *fs, const char *path);
static const char *image_path;

/* The byte offset in the image of byte @pos (@len bytes) of inode @ino. */
static uint64_t data_pos(uint64_t ino, uint64_t pos, size_t len)
{
	struct vexfs_fs *fs = open_fs(image_path);
	struct vexfs_ext_list list;
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t pblk;

	if (vexfs_inode_read(fs, ino, &inode, &err) ||
	    vexfs_extent_list(fs, ino, &inode, &list, &err))
		die("%s", err.msg);
	if (pos / fs->bs != (pos + len - 1) / fs->bs)
		die("inode %llu: bytes %llu+%zu span blocks",
		    (unsigned long long)ino, (unsigned long long)pos, len);
	pblk = vexfs_ext_list_map(&list, (uint32_t)(pos / fs->bs));
	vexfs_ext_list_free(&list);
	if (!pblk)
		die("inode %llu has no block at byte %llu",
		    (unsigned long long)ino, (unsigned long long)pos);
	pos = pblk * fs->bs + pos % fs->bs;
	vexfs_fs_close(fs);
	return pos;
}

/* Descriptor @n of the collections table. */
static void read_desc(const struct vexfs_super_block *sb, uint64_t n,
		      struct vexfs_collection *d)
{
	uint64_t pos = data_pos(le64(sb->s_collections_ino),
				(n - 1) * sizeof(*d), sizeof(*d));
	struct vexfs_err err;
	struct vexfs_dev dev;

	if (vexfs_dev_open(&dev, image_path, false, &err) ||
	    vexfs_dev_read(&dev, pos, d, sizeof(*d), &err))
		die("%s", err.msg);
	vexfs_dev_close(&dev);
}

static void locate(struct target *t, const char *spec,
		   const struct vexfs_super_block *sb)
{
	uint32_t bs = le32(sb->s_block_size);
	unsigned long long n, m;
	char path[1024];

	if (!strcmp(spec, "sb")) {
		t->kind = T_SB;
		t->off = VEXFS_SUPER_OFFSET;
		t->len = sizeof(*sb);
		t->csum_off = offsetof(struct vexfs_super_block, s_checksum);
		t->fields = sb_fields;
	} else if (sscanf(spec, "inode:%llu", &n) == 1) {
		t->kind = T_INODE;
		t->off = vexfs_inode_offset(sb, n);
		t->len = VEXFS_INODE_SIZE;
		t->csum_off = offsetof(struct vexfs_inode, i_checksum);
		t->fields = inode_fields;
	} else if (sscanf(spec, "ibitmap:%llu", &n) == 1 ||
		   sscanf(spec, "bbitmap:%llu", &n) == 1) {
		t->kind = T_BITMAP;
		t->off = (n + (spec[0] == 'i' ? le64(sb->s_inode_bitmap_start) :
			       le64(sb->s_block_bitmap_start))) * bs;
		t->len = bs;
		t->csum_off = offsetof(struct vexfs_block_header, bh_checksum);
		t->fields = header_fields;
	} else if (sscanf(spec, "meta:%llu", &n) == 1 ||
		   sscanf(spec, "raw:%llu", &n) == 1) {
		t->kind = spec[0] == 'm' ? T_BITMAP : T_RAW;
		t->off = n * bs;
		t->len = bs;
		t->csum_off = offsetof(struct vexfs_block_header, bh_checksum);
		t->fields = header_fields;
	} else if (sscanf(spec, "dir:%1000[^:]:%llu", path, &n) == 2) {
		struct vexfs_fs *fs = open_fs(image_path);
		uint64_t ino = path_ino(fs, path);
		struct vexfs_ext_list list;
		struct vexfs_inode inode;
		struct vexfs_err err;
		uint64_t pblk;

		if (vexfs_inode_read(fs, ino, &inode, &err) ||
		    vexfs_extent_list(fs, ino, &inode, &list, &err))
			die("%s", err.msg);
		pblk = vexfs_ext_list_map(&list, (uint32_t)n);
		vexfs_ext_list_free(&list);
		if (!pblk)
			die("%s has no block %llu", path, n);
		vexfs_fs_close(fs);
		t->kind = T_BITMAP;	/* a metadata block */
		t->off = pblk * bs;
		t->len = bs;
		t->csum_off = offsetof(struct vexfs_block_header, bh_checksum);
		t->fields = dir_fields;
	} else if (sscanf(spec, "coll:%llu", &n) == 1 && n) {
		t->kind = T_COLL;
		t->len = sizeof(struct vexfs_collection);
		t->off = data_pos(le64(sb->s_collections_ino),
				  (n - 1) * t->len, t->len);
		t->csum_off = offsetof(struct vexfs_collection, c_checksum);
		t->fields = coll_fields;
	} else if (sscanf(spec, "slot:%llu:%llu", &n, &m) == 2 && n && m) {
		struct vexfs_collection d;
		struct vexfs_coll_geom g;
		uint64_t lblk;
		uint32_t off;

		read_desc(sb, n, &d);
		vexfs_coll_geom(&g, bs, le16(d.c_dim));
		if (!g.per_block)
			die("slot:%llu:%llu spans blocks", n, m);
		vexfs_slot_pos(&g, m, &lblk, &off);
		t->kind = T_SLOT;
		t->off = data_pos(le64(d.c_store_ino), lblk * bs + off,
				  g.slot_size);
		t->len = g.slot_size;
		t->csum_off = offsetof(struct vexfs_vec_slot, vs_checksum);
		t->fields = slot_fields;
	} else if (sscanf(spec, "vindex:%llu", &n) == 1 && n) {
		struct vexfs_collection d;

		read_desc(sb, n, &d);
		t->kind = T_BITMAP;	/* a metadata block */
		t->off = data_pos(le64(d.c_index_ino), 0, bs);
		t->len = bs;
		t->csum_off = offsetof(struct vexfs_block_header, bh_checksum);
		t->fields = vindex_fields;
	} else if (sscanf(spec, "vnode:%llu:%llu", &n, &m) == 2 && n && m) {
		struct vexfs_collection d;
		struct vexfs_vindex_geom g;
		uint32_t mm;
		uint64_t lblk;
		uint32_t off;

		read_desc(sb, n, &d);
		mm = le16(d.c_hnsw_m) ? le16(d.c_hnsw_m) : 16;
		if (vexfs_vindex_geom(&g, bs, le16(d.c_dim), mm))
			die("collection %llu has no index geometry", n);
		vexfs_vindex_node_pos(&g, m, &lblk, &off);
		t->kind = T_VREC;
		t->off = data_pos(le64(d.c_index_ino), lblk * bs + off,
				  g.node_size);
		t->len = g.node_size;
		t->csum_off = 0;
		t->fields = vnode_fields;
	} else if (sscanf(spec, "vupper:%llu:%llu", &n, &m) == 2 && n && m) {
		struct vexfs_collection d;
		struct vexfs_vindex_geom g;
		uint32_t mm;
		uint64_t lblk;
		uint32_t off;

		read_desc(sb, n, &d);
		mm = le16(d.c_hnsw_m) ? le16(d.c_hnsw_m) : 16;
		if (vexfs_vindex_geom(&g, bs, le16(d.c_dim), mm))
			die("collection %llu has no index geometry", n);
		vexfs_vindex_upper_pos(&g, m, &lblk, &off);
		t->kind = T_VREC;
		t->off = data_pos(le64(d.c_index_ino), lblk * bs + off,
				  g.upper_size);
		t->len = g.upper_size;
		t->csum_off = 0;
		t->fields = vupper_fields;
	} else {
		die("unknown target '%s'", spec);
	}
	if (!bs || bs > VEXFS_MAX_BLOCK_SIZE)
		die("the superblock's block size %u is unusable", bs);
}

static uint64_t apply(uint64_t old, const char *val)
{
	char op = strchr("^+-", val[0]) ? val[0] : '=';
	uint64_t v = strtoull(op == '=' ? val : val + 1, NULL, 0);

	switch (op) {
	case '^':
		return old ^ v;
	case '+':
		return old + v;
	case '-':
		return old - v;
	default:
		return v;
	}
}

static void patch_bytes(struct target *t, size_t off, size_t size,
			const char *val)
{
	uint64_t old = 0, new;
	size_t i;

	if (off + size > t->len || !size || size > 8)
		die("field at %zu, %zu bytes, is outside the target", off, size);
	for (i = 0; i < size; i++)
		old |= (uint64_t)t->buf[off + i] << (8 * i);
	new = apply(old, val);
	for (i = 0; i < size; i++)
		t->buf[off + i] = (uint8_t)(new >> (8 * i));
	if (off < t->csum_off + 4 && off + size > t->csum_off)
		t->csum_touched = true;
}

static void patch(struct target *t, const char *spec)
{
	const char *eq = strchr(spec, '=');
	const struct field *f;
	unsigned long long n;
	size_t off, size;

	if (!eq)
		die("bad patch '%s' (want FIELD=VALUE)", spec);
	if (sscanf(spec, "@%zi:%zu=", &off, &size) == 2) {
		patch_bytes(t, off, size, eq + 1);
		return;
	}
	if (sscanf(spec, "de:%llu.", &n) == 1) {
		/* record n of a directory leaf, walking the rec_lens */
		size_t body = sizeof(struct vexfs_block_header) +
			      sizeof(struct vexfs_dir_node), o = body;
		const char *dot = strchr(spec, '.') + 1;
		unsigned long long k;

		for (k = 0; k < n; k++) {
			const struct vexfs_dir_entry *de = (const void *)(t->buf + o);

			if (o + 20 > t->len || !le16(de->de_rec_len))
				die("no record %llu in the block", n);
			o += le16(de->de_rec_len);
		}
		for (f = entry_fields; f->name; f++) {
			if (!strncmp(dot, f->name, strlen(f->name)) &&
			    dot + strlen(f->name) == eq) {
				patch_bytes(t, o + f->off, f->size, eq + 1);
				return;
			}
		}
		die("unknown record field in '%s'", spec);
	}
	if (t->kind == T_BITMAP && sscanf(spec, "bit:%llu=", &n) == 1) {
		off = sizeof(struct vexfs_block_header) + n / 8;
		if (off >= t->len)
			die("bit %llu is outside the block", n);
		if (strtoul(eq + 1, NULL, 0))
			vexfs_set_bit(t->buf + sizeof(struct vexfs_block_header), n);
		else
			vexfs_clear_bit(t->buf + sizeof(struct vexfs_block_header), n);
		return;
	}
	for (f = t->fields; f->name; f++) {
		if (!strncmp(spec, f->name, strlen(f->name)) &&
		    spec + strlen(f->name) == eq) {
			patch_bytes(t, f->off, f->size, eq + 1);
			return;
		}
	}
	die("unknown field in '%s'", spec);
}

static void reseal(struct target *t, const struct vexfs_super_block *sb)
{
	uint32_t seed = vexfs_csum_seed(sb);
	uint32_t csum;

	if (t->kind == T_SB) {
		struct vexfs_super_block *new = (void *)t->buf;

		/* the UUID may have changed: nothing else is resealed */
		csum = vexfs_super_csum(new);
	} else if (t->kind == T_INODE) {
		csum = vexfs_inode_csum(seed, (struct vexfs_inode *)t->buf);
	} else if (t->kind == T_RAW) {
		return;
	} else if (t->kind == T_COLL) {
		csum = vexfs_desc_csum(seed, (struct vexfs_collection *)t->buf);
	} else if (t->kind == T_SLOT) {
		csum = vexfs_slot_csum(seed, t->buf, (uint32_t)t->len);
	} else if (t->kind == T_VREC) {
		csum = vexfs_vindex_rec_csum(seed, t->buf, (uint32_t)t->len);
	} else {
		csum = vexfs_block_csum(seed, t->buf, (uint32_t)t->len);
	}
	csum = htole32(csum);
	memcpy(t->buf + t->csum_off, &csum, sizeof(csum));
}

static struct vexfs_fs *open_fs(const char *image)
{
	static struct vexfs_fs fs;
	struct vexfs_err err;

	if (vexfs_fs_open(&fs, image, true, &err))
		die("%s", err.msg);
	return &fs;
}

static uint64_t path_ino(struct vexfs_fs *fs, const char *path)
{
	struct vexfs_err err;
	uint64_t ino;

	if (vexfs_lookup(fs, path, &ino, &err))
		die("%s", err.msg);
	return ino;
}

static int print_node(void *priv, uint64_t pblk, unsigned int depth,
		      const char *why)
{
	(void)priv;
	printf("%llu %u%s%s\n", (unsigned long long)pblk, depth,
	       why ? " " : "", why ? why : "");
	return 0;
}

/* One extent per block: the same data, a tree of blocks to hold it. */
static void fragment(struct vexfs_fs *fs, uint64_t ino)
{
	struct vexfs_ext_list list, one = { 0 };
	struct vexfs_bitmap bmap;
	struct vexfs_inode inode;
	struct vexfs_alloc alloc;
	struct vexfs_err err;
	uint64_t nodes, blocks = 0;
	size_t k;

	if (vexfs_inode_read(fs, ino, &inode, &err) ||
	    vexfs_extent_list(fs, ino, &inode, &list, &err) ||
	    vexfs_bitmap_init(&bmap, &fs->sb, VEXFS_BLOCK_BITMAP) ||
	    vexfs_bitmap_load(fs, &bmap, true, &err))
		die("%s", err.msg);
	for (k = 0; k < list.n; k++) {
		uint32_t b;

		for (b = 0; b < list.e[k].len; b++) {
			struct vexfs_ext e = { list.e[k].lblk + b, 1,
					       list.e[k].pblk + b, 0 };

			if (vexfs_ext_list_add(&one, &e, &err))
				die("%s", err.msg);
		}
	}
	vexfs_alloc_init(&alloc, bmap.bits, &fs->sb);
	if (vexfs_extent_build(fs, &alloc, ino, &inode, one.e, one.n, &nodes,
			       &err))
		die("%s", err.msg);
	blocks = one.n + nodes + (inode.i_xattr_block ? 1 : 0);
	inode.i_blocks = cpu_le64(blocks);
	fs->sb.s_free_blocks = cpu_le64(vexfs_bitmap_count_clear(bmap.bits,
								 bmap.nbits));
	if (vexfs_inode_write(fs, ino, &inode, &err) ||
	    vexfs_bitmap_store(fs, &bmap, &err) ||
	    vexfs_super_write(&fs->dev, &fs->sb, &err))
		die("%s", err.msg);
	vexfs_ext_list_free(&list);
	vexfs_ext_list_free(&one);
	vexfs_bitmap_release(&bmap);
}

struct entry_q {
	const char *name;
	uint32_t lblk;
	int idx;
	bool found;
};

static int entry_cb(void *priv, const struct vexfs_dir_entry *de,
		    uint32_t lblk)
{
	struct entry_q *q = priv;

	if (lblk != q->lblk) {
		q->lblk = lblk;
		q->idx = 0;
	} else {
		q->idx++;
	}
	if (de->de_name_len == strlen(q->name) &&
	    !memcmp(de->de_name, q->name, de->de_name_len)) {
		q->found = true;
		return 1;
	}
	return 0;
}

static int query(int argc, char **argv)
{
	struct vexfs_extent_visitor v = { .node = print_node };
	struct vexfs_fs *fs = open_fs(argv[1]);
	struct vexfs_ext_list list;
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t ino;
	size_t k;

	if (argc == 5 && !strcmp(argv[2], "--entry")) {
		struct entry_q q = { .name = argv[4], .lblk = UINT32_MAX };
		struct vexfs_dir_visitor dv = { .priv = &q, .entry = entry_cb };

		ino = path_ino(fs, argv[3]);
		if (vexfs_inode_read(fs, ino, &inode, &err) ||
		    vexfs_dir_walk(fs, ino, &inode, &dv, &err) < 0)
			die("%s", err.msg);
		if (!q.found)
			die("%s: no entry %s", argv[3], argv[4]);
		printf("%u %d\n", q.lblk, q.idx);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[2], "--index")) {
		struct vexfs_collection d;

		image_path = argv[1];
		read_desc(&fs->sb, strtoull(argv[3], NULL, 0), &d);
		printf("%llu\n", (unsigned long long)le64(d.c_index_ino));
		return 0;
	}
	if (argc != 4)
		die("usage: vexfs-damage IMAGE --QUERY PATH");
	/* "#N": inode N itself, for hidden inodes that have no path */
	ino = argv[3][0] == '#' ? strtoull(argv[3] + 1, NULL, 0) :
	      path_ino(fs, argv[3]);
	if (vexfs_inode_read(fs, ino, &inode, &err))
		die("%s", err.msg);
	if (!strcmp(argv[2], "--lookup")) {
		printf("%llu\n", (unsigned long long)ino);
	} else if (!strcmp(argv[2], "--map")) {
		if (vexfs_extent_list(fs, ino, &inode, &list, &err))
			die("%s", err.msg);
		for (k = 0; k < list.n; k++)
			printf("%u %llu %u\n", list.e[k].lblk,
			       (unsigned long long)list.e[k].pblk, list.e[k].len);
		vexfs_ext_list_free(&list);
	} else if (!strcmp(argv[2], "--nodes")) {
		if (vexfs_extent_walk(fs, ino, &inode, &v, &err))
			die("%s", err.msg);
	} else if (!strcmp(argv[2], "--vec")) {
		printf("%u %llu\n", le32(inode.i_collection),
		       (unsigned long long)le64(inode.i_vec_slot));
	} else if (!strcmp(argv[2], "--xattr-block")) {
		printf("%llu\n", (unsigned long long)le64(inode.i_xattr_block));
	} else if (!strcmp(argv[2], "--fragment")) {
		fragment(fs, ino);
	} else {
		die("unknown query '%s'", argv[2]);
	}
	vexfs_fs_close(fs);
	return 0;
}

int main(int argc, char **argv)
{
	struct vexfs_super_block sb;
	struct vexfs_err err;
	struct vexfs_dev dev;
	struct target t;
	bool stale = false;
	int i = 2;

	if (argc >= 3 && !strncmp(argv[2], "--", 2) &&
	    strcmp(argv[2], "--stale-csum"))
		return query(argc, argv);
	if (argc < 4)
		die("usage: vexfs-damage IMAGE [--stale-csum] TARGET FIELD=VALUE...");
	image_path = argv[1];
	if (!strcmp(argv[i], "--stale-csum")) {
		stale = true;
		i++;
	}
	memset(&t, 0, sizeof(t));
	if (vexfs_dev_open(&dev, argv[1], true, &err) ||
	    vexfs_super_read(&dev, &sb, &err))
		die("%s", err.msg);
	locate(&t, argv[i++], &sb);
	if (vexfs_dev_read(&dev, t.off, t.buf, t.len, &err))
		die("%s", err.msg);
	for (; i < argc; i++)
		patch(&t, argv[i]);
	if (!stale && !t.csum_touched)
		reseal(&t, &sb);
	if (vexfs_dev_write(&dev, t.off, t.buf, t.len, &err) ||
	    vexfs_dev_sync(&dev, &err))
		die("%s", err.msg);
	vexfs_dev_close(&dev);
	return 0;
}
