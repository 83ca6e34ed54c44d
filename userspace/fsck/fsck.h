/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fsck.h - what the files of fsck.vexfs's checker share: the state of one
 * check run (struct check), what the passes know about each inode, pass
 * 6's view of the vector collections, and the functions one file calls
 * in another.  Private to userspace/fsck/: main.c, the unit tests and the
 * fuzzers use check.h.
 */
#ifndef VEXFS_FSCK_H
#define VEXFS_FSCK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "libvexfs.h"
#include "check.h"
#include "problem.h"

/* What the passes know about one inode. */
struct ino_info {
	uint8_t state;			/* IS_* */
	uint16_t mode;
	uint16_t links;			/* i_links_count on disk */
	uint32_t flags;			/* i_flags */
	uint32_t refs;			/* entries (or xattrs) naming it */
	uint32_t subdirs;		/* directories among its entries */
	uint64_t parent;		/* i_parent on disk */
	uint64_t found_in;		/* the directory pass 2 found it in
					 * (for a file, the first one) */
	uint64_t size;
};

/* An xattr value kept in a hidden inode, found in pass 1. */
struct xref {
	uint64_t owner, vino;
	uint32_t size;
	bool bad;
};

/* Everything one check run knows. */
struct check {
	const struct vexfs_check_opts *opts;
	struct vexfs_check_result *res;
	const char *name;
	struct vexfs_fs fs;
	struct vexfs_bitmap imap, bmap;	/* as read */
	uint8_t *inode_used;		/* as the passes found */
	uint8_t *block_used;		/* as pass 1 found */
	uint8_t *block_dup;		/* claimed more than once */
	uint8_t *block_p1;		/* block_used as pass 1 left it */
	uint8_t *fsck_freed;		/* blocks the repairs let go of */
	bool pass4_root_done;
	uint64_t ndup;
	uint64_t dup_inodes[1024];	/* later claimants of those blocks */
	size_t ndup_inodes;
	struct ino_info *ii;		/* s_inodes_count entries */
	uint64_t ninodes;
	struct xref *xref;
	size_t nxref, xref_cap;
	struct vcheck *vec;		/* pass 6 */
	struct vexfs_alloc alloc;	/* new blocks for repairs */
	uint8_t *blk;			/* a block of scratch */
	uint64_t lost_found;		/* its inode, once known */
	bool lf_failed;
	bool root_recreated;
	bool stop_tree;			/* no usable root: skip passes 2-4 */
	bool oom;
	bool imap_rewrite, bmap_rewrite;
	bool sb_dirty;			/* fixes to write to the superblock */
	bool journal_done;		/* replayed (or cleared) this run */
	bool counts_stale;		/* free counts are not journaled */
	uint8_t *orphan_listed;		/* inodes the orphan list reaches */
	bool modified;			/* something was written */
	bool uncorrected;		/* a problem was left alone */
	bool stop;			/* fatal, preen gave up, or canceled */
	bool canceled;
	bool fatal;
	uint64_t dirs, files;
};

/* ii->state */
#define IS_FREE		0	/* not in use (or cleared by this check) */
#define IS_USED		1	/* in use and sane */

/* Pass 6's view of the vector collections (pass6.c, index.c, rebuild.c) */

/* vcoll->state */
#define VC_NONE		0	/* no descriptor */
#define VC_LIVE		1	/* a usable collection */
#define VC_KEPT		2	/* broken and left alone (-n) */
#define VC_DROPPED	3	/* removed by this check */

struct vcoll {
	uint8_t state;
	bool dirty;			/* descriptor to write back */
	bool new_store;			/* its embeddings are gone */
	bool rebuild;			/* build its index anew (pass 6B) */
	bool old_hdr;			/* the index header could be read: */
	uint32_t old_epoch;		/* ... its epoch */
	uint64_t old_seed;		/* ... and level seed */
	uint8_t *used;			/* store slots in use, after repairs */
	uint64_t used_n;		/* slots 1..used_n are in @used */
	uint64_t cap;			/* slots the store's size can hold */
	struct vexfs_collection d;	/* as it is (to be) on disk */
	struct vexfs_coll_geom g;
};

/* vclaim->kind */
#define CL_CLAIM	0	/* the inode says the slot is its embedding */
#define CL_MOVED	1	/* ... after this check moved it: kept if valid */
#define CL_RELEASE	2	/* it moved away: free the slot if it is its */

/* An inode's claim on a slot. */
struct vclaim {
	uint64_t slot, ino;
	uint32_t coll;
	uint8_t kind;
};

struct vcheck {
	uint64_t table;			/* the table inode, or 0 */
	struct vexfs_ext_list tmap;	/* its mapping */
	uint32_t ndesc;
	struct vcoll *colls;		/* ndesc entries */
	uint32_t *coll;			/* per inode: i_collection */
	uint64_t *slot;			/* per inode: i_vec_slot */
	uint32_t *gen;			/* per inode: i_generation */
	uint32_t *rootof;		/* per inode: collection it is root of */
	uint32_t *moved;		/* per inode: the collection it was
					 * moved out of (UINT32_MAX: none) */
	uint64_t *mslot;		/* per inode: its slot there */
	uint8_t *done;			/* per inode: membership settled */
	struct vclaim *claims;
	size_t nclaims, claims_cap;
	uint8_t *img;			/* one slot */
	bool table_dropped;		/* this check cleared the table */
	bool ready;			/* the checks ran: vec_forget() works */
};

/* problem.c */
void out(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool vfix_problem(struct check *c, uint32_t code, va_list ap);
bool fix_problem(struct check *c, uint32_t code, ...);

/* util.c */
void pass_header(struct check *c, int pass, const char *what);
void progress(struct check *c, int pass, uint64_t cur, uint64_t max);
bool can_write(struct check *c);
void write_inode(struct check *c, uint64_t ino, struct vexfs_inode *inode);
int read_inode(struct check *c, uint64_t ino, struct vexfs_inode *inode);
void note_freed(struct check *c, uint64_t ino);
void inode_alloc_stats(struct check *c, uint64_t ino, bool used);
void clear_inode(struct check *c, uint64_t ino);
const char *type_name(uint16_t mode);

/* pass0.c */
int pass0(struct check *c, struct vexfs_err *err);

/* pass1c.c */
int release_orphans(struct check *c, struct vexfs_err *err);
bool orphan_released(struct check *c, uint64_t ino);
void check_orphan_mark(struct check *c, uint64_t ino,
		       struct vexfs_inode *inode);

/* pass1.c */
int rebuild_extents(struct check *c, uint64_t ino,
		    struct vexfs_inode *inode,
		    const struct vexfs_ext *ext, size_t n,
		    uint64_t *nodes);
void recreate_root(struct check *c, const struct vexfs_inode *old);
int pass1(struct check *c, struct vexfs_err *err);

/* pass1b.c */
int pass1b(struct check *c, struct vexfs_err *err);

/* pass2.c */
int dir_load(struct check *c, uint64_t ino, struct vexfs_inode *inode,
	     struct vexfs_dirent_list *list);
int dir_store(struct check *c, uint64_t ino, struct vexfs_inode *inode,
	      struct vexfs_dirent_list *list);
int pass2(struct check *c, struct vexfs_err *err);

/* pass3.c */
uint64_t find_free_ino(struct check *c);
bool reconnect(struct check *c, uint64_t ino);
void set_parent(struct check *c, uint64_t ino, uint64_t parent);
bool reaches_root(struct check *c, uint64_t ino);
int pass3(struct check *c, struct vexfs_err *err);

/* pass6.c */
void vec_release(struct check *c);
uint64_t vec_map(const struct vexfs_ext_list *l, uint64_t lblk);
int vec_io(struct check *c, const struct vexfs_ext_list *l,
	   uint64_t pos, void *buf, uint32_t len, bool zero);
void vec_write_desc(struct check *c, uint32_t id);
uint64_t vec_new_store(struct check *c, uint64_t parent);
int pass6(struct check *c, struct vexfs_err *err);
void vec_forget(struct check *c, uint64_t ino);

/* index.c */
int vec_check_index(struct check *c, uint32_t id, struct vexfs_err *err);

/* rebuild.c */
void vec_rebuild_indexes(struct check *c);

/* pass4.c */
void set_links(struct check *c, uint64_t ino, uint16_t links);
int pass4(struct check *c, struct vexfs_err *err);

/* pass5.c */
int pass5(struct check *c, struct vexfs_err *err);

#endif /* VEXFS_FSCK_H */
