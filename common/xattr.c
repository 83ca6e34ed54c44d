// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - the rules of an xattr block, for the kernel's get, list and
 * set and for libvexfs's reader and fsck.
 *
 * After its struct vexfs_block_header, the block holds entries packed
 * from the front, each a struct vexfs_xattr_entry and its name padded to
 * 4 bytes, ended by an entry whose xe_index is VEXFS_XATTR_INDEX_END, and
 * inline values packed from the back.  There is no size limit for an
 * inline value but the room left: the kernel moves a value into a hidden
 * inode of its own (xe_value_ino, with no value offset) only when the
 * block is full, so a value of any size from 1 byte to XATTR_SIZE_MAX may
 * be in either place.
 */
#include "vexfs_rules.h"

#define VEXFS_XATTR_HDR	sizeof(struct vexfs_block_header)

/**
 * vexfs_xattr_entry_size() - the bytes an entry takes, its name padded
 * @name_len: xe_name_len
 *
 * Return: the entry's size.
 */
unsigned int vexfs_xattr_entry_size(unsigned int name_len)
{
	return (sizeof(struct vexfs_xattr_entry) + name_len + 3) & ~3U;
}

/**
 * vexfs_xattr_max_items() - the most entries a block can hold
 * @bs: the block size
 *
 * Return: the capacity: every named entry takes at least
 * vexfs_xattr_entry_size(1) bytes, and so does the end marker.
 */
unsigned int vexfs_xattr_max_items(u32 bs)
{
	return (bs - VEXFS_XATTR_HDR) / vexfs_xattr_entry_size(1);
}

/**
 * vexfs_xattr_name_check() - may an entry of namespace @index have this name?
 * @index: xe_index (not VEXFS_XATTR_INDEX_END)
 * @name: the name's bytes, within the namespace (not NUL-terminated)
 * @name_len: xe_name_len
 *
 * The namespaces the kernel writes; an ACL entry has no name of its own
 * (its index is the whole name), every other entry needs one, with no NUL
 * in it (the VFS's names are C strings).
 *
 * Return: NULL, or why the name is bad.
 */
const char *vexfs_xattr_name_check(u8 index, const char *name,
				   unsigned int name_len)
{
	switch (index) {
	case VEXFS_XATTR_INDEX_ACL_ACCESS:
	case VEXFS_XATTR_INDEX_ACL_DEFAULT:
		return name_len ? "name on an ACL entry" : NULL;
	case VEXFS_XATTR_INDEX_USER:
	case VEXFS_XATTR_INDEX_TRUSTED:
	case VEXFS_XATTR_INDEX_SECURITY:
		break;
	default:
		return "unknown name index";
	}
	if (!name_len)
		return "entry without a name";
	if (memchr(name, '\0', name_len))
		return "NUL in name";
	return NULL;
}

/*
 * Entries are only 4-byte aligned and struct vexfs_xattr_entry has a
 * 64-bit field, so a header is copied in and out whole, never accessed
 * in place.
 *
 * Where the value of entry @e at @off may be: in a value inode (no offset,
 * a size), or inside the block after the entries and below the values
 * already seen (@lowest), which are packed from the back in entry order.
 */
static bool vexfs_xattr_value_ok(const struct vexfs_xattr_entry *e,
				 unsigned int off, u32 bs, unsigned int lowest,
				 u64 value_ino)
{
	unsigned int voff = le16_to_cpu(e->xe_value_offs);
	u32 size = le32_to_cpu(e->xe_value_size);

	if (value_ino)
		return !voff && size;
	return voff >= off + vexfs_xattr_entry_size(e->xe_name_len) &&
	       voff <= bs && size <= bs - voff && voff <= lowest;
}

/**
 * vexfs_xattr_next() - check and decode the next entry of an xattr block
 * @blk: the block (its header already checked), 4-byte aligned
 * @bs: the block size
 * @cur: where the walk is; zeroed before the first call
 * @item: the entry, pointing into @blk; index VEXFS_XATTR_INDEX_END at
 *	the end marker
 *
 * Return: NULL, or why the entry is bad.
 */
const char *vexfs_xattr_next(const void *blk, u32 bs,
			     struct vexfs_xattr_cursor *cur,
			     struct vexfs_xattr_item *item)
{
	const u8 *buf = blk;
	struct vexfs_xattr_entry hdr, *e = &hdr;
	const char *name;
	unsigned int esize;
	const char *why;

	if (!cur->off) {
		cur->off = VEXFS_XATTR_HDR;
		cur->lowest = bs;
	}
	if (cur->off + sizeof(struct vexfs_xattr_entry) > bs)
		return "no end marker";
	memcpy(&hdr, buf + cur->off, sizeof(hdr));
	name = (const char *)buf + cur->off + sizeof(hdr);
	item->index = e->xe_index;
	if (e->xe_index == VEXFS_XATTR_INDEX_END)
		return NULL;
	esize = vexfs_xattr_entry_size(e->xe_name_len);
	if (cur->off + esize > bs)
		return "entry runs past the end of the block";
	why = vexfs_xattr_name_check(e->xe_index, name, e->xe_name_len);
	if (why)
		return why;
	item->name_len = e->xe_name_len;
	item->name = name;
	item->size = le32_to_cpu(e->xe_value_size);
	if (item->size > VEXFS_XATTR_SIZE_MAX)
		return "value too large";
	item->value_ino = le64_to_cpu(e->xe_value_ino);
	if (!vexfs_xattr_value_ok(e, cur->off, bs, cur->lowest,
				  item->value_ino))
		return "bad value offset or size";
	item->value = NULL;
	if (!item->value_ino) {
		cur->lowest = le16_to_cpu(e->xe_value_offs);
		item->value = buf + cur->lowest;
	}
	cur->off += esize;
	return NULL;
}

/**
 * vexfs_xattr_block_parse() - check an xattr block and decode its entries
 * @blk: the block (its header already checked), 4-byte aligned
 * @bs: the block size
 * @out: the entries, pointing into @blk
 * @max: room in @out, vexfs_xattr_max_items()
 * @count: set to the number of entries
 *
 * Return: NULL, or why the block is bad (@out then holds the entries
 * before the bad one).
 */
const char *vexfs_xattr_block_parse(const void *blk, u32 bs,
				    struct vexfs_xattr_item *out,
				    unsigned int max, unsigned int *count)
{
	struct vexfs_xattr_cursor cur = { 0 };
	struct vexfs_xattr_item item;
	const char *why;

	for (*count = 0; ; out[(*count)++] = item) {
		why = vexfs_xattr_next(blk, bs, &cur, &item);
		if (why || item.index == VEXFS_XATTR_INDEX_END)
			return why;
		if (*count >= max)
			return "too many entries";
	}
}

/**
 * vexfs_xattr_block_pack() - lay out the body of an xattr block
 * @blk: the block; its header is left alone, the rest is rewritten
 * @bs: the block size
 * @xs: the entries; an entry with a value_ino has its value elsewhere
 * @n: how many
 *
 * The layout vexfs_xattr_block_parse() reads: entries from the front in
 * the order given, inline values from the back, room kept for the end
 * marker.  The names must pass vexfs_xattr_name_check().
 *
 * Return: true, or false if the entries do not fit.
 */
bool vexfs_xattr_block_pack(void *blk, u32 bs,
			    const struct vexfs_xattr_item *xs, unsigned int n)
{
	unsigned int off = VEXFS_XATTR_HDR, top = bs, i;
	u8 *buf = blk;

	memset(buf + VEXFS_XATTR_HDR, 0, bs - VEXFS_XATTR_HDR);
	for (i = 0; i < n; i++) {
		struct vexfs_xattr_entry e = {
			.xe_name_len = xs[i].name_len,
			.xe_index = xs[i].index,
			.xe_value_size = cpu_to_le32(xs[i].size),
			.xe_value_ino = cpu_to_le64(xs[i].value_ino),
		};
		unsigned int vlen = xs[i].value_ino ? 0 :
				    (xs[i].size + 3) & ~3U;
		unsigned int elen = vexfs_xattr_entry_size(xs[i].name_len);

		/* Room for this entry, its value and the end marker. */
		if (off + elen + sizeof(e) + vlen > top)
			return false;
		if (!xs[i].value_ino) {
			top -= vlen;
			if (xs[i].size)
				memcpy(buf + top, xs[i].value, xs[i].size);
			e.xe_value_offs = cpu_to_le16(top);
		}
		memcpy(buf + off, &e, sizeof(e));
		memcpy(buf + off + sizeof(e), xs[i].name, xs[i].name_len);
		off += elen;
	}
	return true;
}
