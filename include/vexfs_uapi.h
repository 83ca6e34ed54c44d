/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_uapi.h - the VexFS ioctl interface (vector collections).
 *
 * Installed as /usr/include/vexfs/vexfs_uapi.h by the tools package.
 *
 * Rules every structure here follows, so that the ABI is the same for
 * 32-bit and 64-bit callers and can grow without breaking old binaries:
 *   - only fixed-width types; user pointers travel as __u64;
 *   - explicit padding, and sizes asserted below;
 *   - the first field is the interface version (VEXFS_UAPI_VERSION) and the
 *     kernel rejects any other value with EINVAL;
 *   - every "flags" bit not defined here, and every reserved or padding
 *     field, must be zero on input (EINVAL otherwise); the kernel zeroes
 *     them on output and never copies uninitialised memory out.
 *
 * Vectors are arrays of IEEE-754 binary32 values in the CPU's byte order
 * (the xattr user.vexfs.embedding is always little-endian; on the only
 * supported architecture, x86-64, the two agree).  NaN and infinities are
 * refused with EINVAL.
 *
 * Distances: smaller is closer for every metric.
 *   VEXFS_METRIC_L2      the squared Euclidean distance
 *   VEXFS_METRIC_COSINE  1 - cos(a, b); a zero vector is at distance 1
 *   VEXFS_METRIC_IP      minus the inner product
 * They are computed exactly in integer arithmetic and reported as the raw
 * bits of a double in vexfs_query_hit.distance_f64 and of a float in
 * distance_f32.  Both are correctly rounded (to nearest, ties to even)
 * for L2 and IP; for cosine distance_f32 is correctly rounded and
 * distance_f64 has a relative error below 2^-52.
 *
 * Errors common to every ioctl: EFAULT for a bad user pointer, EINVAL for a
 * bad version, flag, reserved field or value, ENOTTY for a file that is not
 * on VexFS, ENODATA when the file or directory is not in a collection,
 * EROFS on a read-only mount for the ioctls that write.
 */
#ifndef _VEXFS_UAPI_H
#define _VEXFS_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VEXFS_UAPI_VERSION	1

#define VEXFS_IOC_MAGIC		0xE7	/* unused in ioctl-number.rst */

/* Limits the kernel enforces (EINVAL beyond them). */
#define VEXFS_UAPI_MAX_DIM	4096	/* elements per vector */
#define VEXFS_QUERY_MAX_K	1024	/* hits per query */
#define VEXFS_QUERY_MAX_PATH	4096	/* bytes per hit path, with NUL */
#define VEXFS_BATCH_MAX		1024	/* items per batch call */
#define VEXFS_LIST_MAX		4096	/* collections per list call */

/* Metrics, as in the on-disk format. */
#define VEXFS_UAPI_METRIC_L2		1
#define VEXFS_UAPI_METRIC_COSINE	2
#define VEXFS_UAPI_METRIC_IP		3

/*
 * Create flag: the directory may already have entries, and every inode
 * below it joins the collection (a non-directory with several links, or
 * anything in another collection, fails with EMLINK or EEXIST).  Asking
 * again for the collection a directory already roots, with the same dim
 * and metric, resumes an interrupted walk.
 */
#define VEXFS_COLLECTION_ADOPT	0x1

/*
 * The ANN index (HNSW) of a collection.  Queries use it by default once
 * the collection holds VEXFS_INDEX_MIN_VECTORS vectors; below that, and
 * whenever the index is not ready, they search exactly.
 */
#define VEXFS_HNSW_DEFAULT_M			16
#define VEXFS_HNSW_MAX_M			64
#define VEXFS_HNSW_DEFAULT_EF_CONSTRUCTION	200
#define VEXFS_HNSW_DEFAULT_EF			64
#define VEXFS_HNSW_MAX_EF			1024
#define VEXFS_INDEX_MIN_VECTORS			1024

/* index_state */
#define VEXFS_INDEX_NONE	0	/* no index: too few vectors, or none */
#define VEXFS_INDEX_READY	1	/* queries use it */
#define VEXFS_INDEX_BUILDING	2	/* being (re)built; exact meanwhile */
#define VEXFS_INDEX_STALE	3	/* must be rebuilt (read-only mount) */
#define VEXFS_INDEX_FAILED	4	/* damaged or out of space; exact */
#define VEXFS_INDEX_UNSUPPORTED	5	/* a node record would exceed a block */

/* Element types: only float32 exists. */
#define VEXFS_ELEM_FLOAT32	1

/**
 * struct vexfs_collection_info - a collection (create, info, list)
 * @version: VEXFS_UAPI_VERSION
 * @flags: zero, or for create VEXFS_COLLECTION_ADOPT
 * @id: out: the collection id (1-based)
 * @dim: in (create) / out: elements per vector, 1..VEXFS_UAPI_MAX_DIM
 * @metric: in (create) / out: VEXFS_UAPI_METRIC_*
 * @elem_type: out: VEXFS_ELEM_FLOAT32 (in: 0 or VEXFS_ELEM_FLOAT32)
 * @root_ino: out: inode number of the collection's top directory
 * @count: out: embeddings stored
 * @slots: out: slots in the vector store, used or free
 * @hnsw_m: in (create) / out: links per node of the ANN index (0 asks
 *	for the default, VEXFS_HNSW_DEFAULT_M), 2..VEXFS_HNSW_MAX_M
 * @hnsw_ef_construction: in (create) / out: candidates an insert keeps
 *	(0: VEXFS_HNSW_DEFAULT_EF_CONSTRUCTION), up to VEXFS_HNSW_MAX_EF
 * @index_state: out: VEXFS_INDEX_*
 * @reserved: zero
 */
struct vexfs_collection_info {
	__u32	version;		/* 0x00 */
	__u32	flags;			/* 0x04 */
	__u32	id;			/* 0x08 */
	__u32	dim;			/* 0x0c */
	__u32	metric;			/* 0x10 */
	__u32	elem_type;		/* 0x14 */
	__u64	root_ino;		/* 0x18 */
	__u64	count;			/* 0x20 */
	__u64	slots;			/* 0x28 */
	__u16	hnsw_m;			/* 0x30 */
	__u16	hnsw_ef_construction;	/* 0x32 */
	__u32	index_state;		/* 0x34 */
	__u64	reserved[3];		/* 0x38 */
};					/* 0x50 */

/**
 * struct vexfs_collection_list - every collection of the filesystem
 * @version: VEXFS_UAPI_VERSION
 * @flags: zero
 * @capacity: in: entries the array at @entries can hold (0 asks for the
 *	count only), at most VEXFS_LIST_MAX
 * @count: out: collections that exist; entries filled = min(count, capacity)
 * @entries: user pointer to struct vexfs_collection_info[capacity]
 * @reserved: zero
 */
struct vexfs_collection_list {
	__u32	version;		/* 0x00 */
	__u32	flags;			/* 0x04 */
	__u32	capacity;		/* 0x08 */
	__u32	count;			/* 0x0c */
	__u64	entries;		/* 0x10 */
	__u64	reserved[2];		/* 0x18 */
};					/* 0x28 */

/**
 * struct vexfs_embedding - one file's embedding (set, get, remove)
 * @version: VEXFS_UAPI_VERSION
 * @flags: zero
 * @dim: in: elements at @vector; must equal the collection's dimension
 *	(set, get) or be 0 (remove).  Out (get): the dimension.
 * @reserved0: zero
 * @vector: user pointer to @dim floats (set: read, get: written)
 * @reserved: zero
 *
 * Set needs write permission on the file, get read permission.  Get on a
 * file without an embedding fails with ENODATA; so does remove.
 */
struct vexfs_embedding {
	__u32	version;		/* 0x00 */
	__u32	flags;			/* 0x04 */
	__u32	dim;			/* 0x08 */
	__u32	reserved0;		/* 0x0c */
	__u64	vector;			/* 0x10 */
	__u64	reserved[2];		/* 0x18 */
};					/* 0x28 */

/* vexfs_batch.flags */
#define VEXFS_BATCH_CREATE	0x1	/* create missing files (mode @mode) */
#define VEXFS_BATCH_ALL		VEXFS_BATCH_CREATE

/**
 * struct vexfs_batch_item - one file of a batch
 * @name: user pointer to the file name (no '/', not "." or "..")
 * @name_len: bytes at @name, 1..255, no NUL needed
 * @result: out: 0, or a negative errno for this item alone
 */
struct vexfs_batch_item {
	__u64	name;			/* 0x00 */
	__u32	name_len;		/* 0x08 */
	__s32	result;			/* 0x0c */
};					/* 0x10 */

/**
 * struct vexfs_batch - set the embeddings of many files of one directory
 * @version: VEXFS_UAPI_VERSION
 * @flags: VEXFS_BATCH_*
 * @count: items, 1..VEXFS_BATCH_MAX
 * @dim: elements per vector; must equal the collection's dimension
 * @mode: permission bits of created files (masked by the umask), <= 07777
 * @done: out: items that succeeded
 * @items: user pointer to struct vexfs_batch_item[count]
 * @vectors: user pointer to count * dim floats, item i at i * dim
 * @reserved: zero
 *
 * The ioctl is made on the directory.  Each item is attempted; one
 * failing item does not stop the others (its @result says why).  The
 * call fails as a whole (and attempts nothing) only when the arguments
 * themselves are bad.
 */
struct vexfs_batch {
	__u32	version;		/* 0x00 */
	__u32	flags;			/* 0x04 */
	__u32	count;			/* 0x08 */
	__u32	dim;			/* 0x0c */
	__u32	mode;			/* 0x10 */
	__u32	done;			/* 0x14 */
	__u64	items;			/* 0x18 */
	__u64	vectors;		/* 0x20 */
	__u64	reserved[2];		/* 0x28 */
};					/* 0x38 */

/* vexfs_query.flags */
#define VEXFS_QUERY_EXACT	0x1	/* brute force, bypassing the index */
#define VEXFS_QUERY_ALL		VEXFS_QUERY_EXACT

/* vexfs_query.method (out) */
#define VEXFS_QUERY_METHOD_EXACT	1
#define VEXFS_QUERY_METHOD_INDEX	2

/**
 * struct vexfs_query_hit - one result
 * @ino: inode number of the file
 * @distance_f64: the distance, as the bits of an IEEE-754 double
 * @distance_f32: the same distance rounded to float32 bits
 * @reserved0: zero
 * @reserved: zero
 */
struct vexfs_query_hit {
	__u64	ino;			/* 0x00 */
	__u64	distance_f64;		/* 0x08 */
	__u32	distance_f32;		/* 0x10 */
	__u32	reserved0;		/* 0x14 */
	__u64	reserved;		/* 0x18 */
};					/* 0x20 */

/**
 * struct vexfs_query - the k nearest files of a collection
 * @version: VEXFS_UAPI_VERSION
 * @flags: VEXFS_QUERY_*
 * @k: hits wanted, 1..VEXFS_QUERY_MAX_K
 * @dim: elements at @vector; must equal the collection's dimension
 * @vector: user pointer to the query, @dim floats
 * @hits: user pointer to struct vexfs_query_hit[k]
 * @paths: user pointer to k * @path_size bytes, or 0 for no paths; hit i's
 *	path, relative to the directory queried and NUL-terminated, at
 *	i * @path_size
 * @path_size: bytes per path, 0 or 2..VEXFS_QUERY_MAX_PATH; a longer path
 *	makes the hit's path empty (the hit is still reported)
 * @nhits: out: hits written, <= k, closest first
 * @scanned: out: stored vectors the search compared (exactly; an index
 *	search counts the candidates it re-ranked)
 * @ef: in: the index search's width, 0 for the default
 *	(VEXFS_HNSW_DEFAULT_EF), else k..VEXFS_HNSW_MAX_EF; ignored by an
 *	exact search
 * @method: out: VEXFS_QUERY_METHOD_*, how the answer was found
 * @reserved: zero
 *
 * The ioctl is made on a directory of the collection and needs read and
 * search permission on it.  Only files below that directory are returned,
 * and only files the caller may read, reached through directories the
 * caller may read and search: a file the caller could not find by walking
 * the tree is never reported.
 */
struct vexfs_query {
	__u32	version;		/* 0x00 */
	__u32	flags;			/* 0x04 */
	__u32	k;			/* 0x08 */
	__u32	dim;			/* 0x0c */
	__u64	vector;			/* 0x10 */
	__u64	hits;			/* 0x18 */
	__u64	paths;			/* 0x20 */
	__u32	path_size;		/* 0x28 */
	__u32	nhits;			/* 0x2c */
	__u64	scanned;		/* 0x30 */
	__u32	ef;			/* 0x38 */
	__u32	method;			/* 0x3c */
	__u64	reserved[3];		/* 0x40 */
};					/* 0x58 */

/**
 * struct vexfs_collection_stats - counters of a collection
 * @version: VEXFS_UAPI_VERSION
 * @flags: zero
 * @info: out: as VEXFS_IOC_COLLECTION_INFO returns
 * @free_slots: out: slots of the store that hold no vector
 * @store_bytes: out: bytes the vector store occupies on disk
 * @slot_size: out: bytes per slot (header and vector)
 * @reserved0: zero
 * @queries: out: queries served since mount
 * @scanned: out: vectors compared by those queries
 * @index_live: out: vectors in the ANN index
 * @index_deleted: out: tombstones in the index, until compaction
 * @index_bytes: out: bytes the index inode occupies on disk
 * @index_queries: out: queries the index answered since mount
 * @reserved: zero
 */
struct vexfs_collection_stats {
	__u32	version;		/* 0x00 */
	__u32	flags;			/* 0x04 */
	struct vexfs_collection_info info; /* 0x08 */
	__u64	free_slots;		/* 0x58 */
	__u64	store_bytes;		/* 0x60 */
	__u32	slot_size;		/* 0x68 */
	__u32	reserved0;		/* 0x6c */
	__u64	queries;		/* 0x70 */
	__u64	scanned;		/* 0x78 */
	__u64	index_live;		/* 0x80 */
	__u64	index_deleted;		/* 0x88 */
	__u64	index_bytes;		/* 0x90 */
	__u64	index_queries;		/* 0x98 */
};					/* 0xa0 */

/* vexfs_index_ctl.op */
#define VEXFS_INDEX_OP_WAIT	1	/* wait until no build is running */
#define VEXFS_INDEX_OP_REBUILD	2	/* rebuild from the store, in the
					 * background (then OP_WAIT) */
#define VEXFS_INDEX_OP_COMPACT	3	/* drop the tombstones now */

/**
 * struct vexfs_index_ctl - act on a collection's ANN index
 * @version: VEXFS_UAPI_VERSION
 * @op: VEXFS_INDEX_OP_*
 * @state: out: VEXFS_INDEX_* once the operation is done
 * @reserved0: zero
 * @reserved: zero
 * On any file or directory of the collection.  REBUILD and COMPACT need
 * CAP_SYS_ADMIN or ownership of the collection root and a read-write
 * mount; WAIT returns EINTR on a signal.
 */
struct vexfs_index_ctl {
	__u32	version;		/* 0x00 */
	__u32	op;			/* 0x04 */
	__u32	state;			/* 0x08 */
	__u32	reserved0;		/* 0x0c */
	__u64	reserved[2];		/* 0x10 */
};					/* 0x20 */

/* On a directory: make it (empty, not in a collection) a collection root. */
#define VEXFS_IOC_COLLECTION_CREATE \
	_IOWR(VEXFS_IOC_MAGIC, 1, struct vexfs_collection_info)
/* On any file or directory of a collection. */
#define VEXFS_IOC_COLLECTION_INFO \
	_IOWR(VEXFS_IOC_MAGIC, 2, struct vexfs_collection_info)
/* On any file or directory of the filesystem. */
#define VEXFS_IOC_COLLECTION_LIST \
	_IOWR(VEXFS_IOC_MAGIC, 3, struct vexfs_collection_list)
/* On a regular file of a collection. */
#define VEXFS_IOC_EMBEDDING_SET \
	_IOW(VEXFS_IOC_MAGIC, 4, struct vexfs_embedding)
#define VEXFS_IOC_EMBEDDING_GET \
	_IOWR(VEXFS_IOC_MAGIC, 5, struct vexfs_embedding)
#define VEXFS_IOC_EMBEDDING_REMOVE \
	_IOW(VEXFS_IOC_MAGIC, 6, struct vexfs_embedding)
/* On a directory of a collection. */
#define VEXFS_IOC_BATCH_SET \
	_IOWR(VEXFS_IOC_MAGIC, 7, struct vexfs_batch)
#define VEXFS_IOC_QUERY \
	_IOWR(VEXFS_IOC_MAGIC, 8, struct vexfs_query)
/* On any file or directory of a collection. */
#define VEXFS_IOC_COLLECTION_STATS \
	_IOWR(VEXFS_IOC_MAGIC, 9, struct vexfs_collection_stats)
#define VEXFS_IOC_INDEX_CTL \
	_IOWR(VEXFS_IOC_MAGIC, 10, struct vexfs_index_ctl)

/*
 * FS_IOC_SHUTDOWN, as ext4 and XFS implement it (XFS_IOC_GOINGDOWN): on
 * any file or directory, CAP_SYS_ADMIN, the argument a __u32 of flags.
 * Newer <linux/fs.h> define the same numbers.
 */
#ifndef FS_IOC_SHUTDOWN
#define FS_IOC_SHUTDOWN			_IOR('X', 125, __u32)
#endif
#ifndef FS_SHUTDOWN_FLAGS_DEFAULT
#define FS_SHUTDOWN_FLAGS_DEFAULT	0x0	/* write everything out first */
#define FS_SHUTDOWN_FLAGS_LOGFLUSH	0x1	/* commit the journal first */
#define FS_SHUTDOWN_FLAGS_NOLOGFLUSH	0x2	/* stop at once */
#endif

/* The xattr that carries a file's embedding: dim little-endian floats. */
#define VEXFS_EMBEDDING_XATTR	"user.vexfs.embedding"

#ifndef __cplusplus
_Static_assert(sizeof(struct vexfs_collection_info) == 0x50, "uapi info");
_Static_assert(sizeof(struct vexfs_collection_list) == 0x28, "uapi list");
_Static_assert(sizeof(struct vexfs_embedding) == 0x28, "uapi embedding");
_Static_assert(sizeof(struct vexfs_batch_item) == 0x10, "uapi item");
_Static_assert(sizeof(struct vexfs_batch) == 0x38, "uapi batch");
_Static_assert(sizeof(struct vexfs_query_hit) == 0x20, "uapi hit");
_Static_assert(sizeof(struct vexfs_query) == 0x58, "uapi query");
_Static_assert(sizeof(struct vexfs_collection_stats) == 0xa0, "uapi stats");
_Static_assert(sizeof(struct vexfs_index_ctl) == 0x20, "uapi index ctl");
#endif

#endif /* _VEXFS_UAPI_H */
