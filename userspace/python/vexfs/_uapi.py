# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The VexFS ioctl interface (include/vexfs_uapi.h) in ctypes.

Every structure mirrors the C header field for field.  The host test
tests/python/test_layout.py compiles a C program that prints offsetof()
and sizeof() of every field of every structure here and compares them
with these ctypes layouts, so a change to the header that is not made
here too fails that test.
"""

import ctypes
import os
from ctypes import c_int32, c_uint16, c_uint32, c_uint64

VEXFS_UAPI_VERSION = 1
VEXFS_IOC_MAGIC = 0xE7

VEXFS_UAPI_MAX_DIM = 4096
VEXFS_QUERY_MAX_K = 1024
VEXFS_QUERY_MAX_PATH = 4096
VEXFS_BATCH_MAX = 1024
VEXFS_LIST_MAX = 4096

VEXFS_UAPI_METRIC_L2 = 1
VEXFS_UAPI_METRIC_COSINE = 2
VEXFS_UAPI_METRIC_IP = 3

VEXFS_COLLECTION_ADOPT = 0x1

VEXFS_HNSW_DEFAULT_M = 16
VEXFS_HNSW_MAX_M = 64
VEXFS_HNSW_DEFAULT_EF_CONSTRUCTION = 200
VEXFS_HNSW_DEFAULT_EF = 64
VEXFS_HNSW_MAX_EF = 1024
VEXFS_INDEX_MIN_VECTORS = 1024

VEXFS_INDEX_NONE = 0
VEXFS_INDEX_READY = 1
VEXFS_INDEX_BUILDING = 2
VEXFS_INDEX_STALE = 3
VEXFS_INDEX_FAILED = 4
VEXFS_INDEX_UNSUPPORTED = 5

VEXFS_ELEM_FLOAT32 = 1

VEXFS_BATCH_CREATE = 0x1
VEXFS_BATCH_ALL = VEXFS_BATCH_CREATE
VEXFS_QUERY_EXACT = 0x1
VEXFS_QUERY_ALL = VEXFS_QUERY_EXACT
VEXFS_QUERY_METHOD_EXACT = 1
VEXFS_QUERY_METHOD_INDEX = 2

VEXFS_INDEX_OP_WAIT = 1
VEXFS_INDEX_OP_REBUILD = 2
VEXFS_INDEX_OP_COMPACT = 3

VEXFS_EMBEDDING_XATTR = "user.vexfs.embedding"


class CollectionInfo(ctypes.Structure):
    """struct vexfs_collection_info"""
    _fields_ = [
        ("version", c_uint32),
        ("flags", c_uint32),
        ("id", c_uint32),
        ("dim", c_uint32),
        ("metric", c_uint32),
        ("elem_type", c_uint32),
        ("root_ino", c_uint64),
        ("count", c_uint64),
        ("slots", c_uint64),
        ("hnsw_m", c_uint16),
        ("hnsw_ef_construction", c_uint16),
        ("index_state", c_uint32),
        ("reserved", c_uint64 * 3),
    ]


class CollectionList(ctypes.Structure):
    """struct vexfs_collection_list"""
    _fields_ = [
        ("version", c_uint32),
        ("flags", c_uint32),
        ("capacity", c_uint32),
        ("count", c_uint32),
        ("entries", c_uint64),
        ("reserved", c_uint64 * 2),
    ]


class Embedding(ctypes.Structure):
    """struct vexfs_embedding"""
    _fields_ = [
        ("version", c_uint32),
        ("flags", c_uint32),
        ("dim", c_uint32),
        ("reserved0", c_uint32),
        ("vector", c_uint64),
        ("reserved", c_uint64 * 2),
    ]


class BatchItem(ctypes.Structure):
    """struct vexfs_batch_item"""
    _fields_ = [
        ("name", c_uint64),
        ("name_len", c_uint32),
        ("result", c_int32),
    ]


class Batch(ctypes.Structure):
    """struct vexfs_batch"""
    _fields_ = [
        ("version", c_uint32),
        ("flags", c_uint32),
        ("count", c_uint32),
        ("dim", c_uint32),
        ("mode", c_uint32),
        ("done", c_uint32),
        ("items", c_uint64),
        ("vectors", c_uint64),
        ("reserved", c_uint64 * 2),
    ]


class QueryHit(ctypes.Structure):
    """struct vexfs_query_hit"""
    _fields_ = [
        ("ino", c_uint64),
        ("distance_f64", c_uint64),
        ("distance_f32", c_uint32),
        ("reserved0", c_uint32),
        ("reserved", c_uint64),
    ]


class Query(ctypes.Structure):
    """struct vexfs_query"""
    _fields_ = [
        ("version", c_uint32),
        ("flags", c_uint32),
        ("k", c_uint32),
        ("dim", c_uint32),
        ("vector", c_uint64),
        ("hits", c_uint64),
        ("paths", c_uint64),
        ("path_size", c_uint32),
        ("nhits", c_uint32),
        ("scanned", c_uint64),
        ("ef", c_uint32),
        ("method", c_uint32),
        ("reserved", c_uint64 * 3),
    ]


class CollectionStats(ctypes.Structure):
    """struct vexfs_collection_stats"""
    _fields_ = [
        ("version", c_uint32),
        ("flags", c_uint32),
        ("info", CollectionInfo),
        ("free_slots", c_uint64),
        ("store_bytes", c_uint64),
        ("slot_size", c_uint32),
        ("reserved0", c_uint32),
        ("queries", c_uint64),
        ("scanned", c_uint64),
        ("index_live", c_uint64),
        ("index_deleted", c_uint64),
        ("index_bytes", c_uint64),
        ("index_queries", c_uint64),
    ]


class IndexCtl(ctypes.Structure):
    """struct vexfs_index_ctl"""
    _fields_ = [
        ("version", c_uint32),
        ("op", c_uint32),
        ("state", c_uint32),
        ("reserved0", c_uint32),
        ("reserved", c_uint64 * 2),
    ]


# Every structure of the header, by its C name (the layout test's list).
STRUCTS = {
    "vexfs_collection_info": CollectionInfo,
    "vexfs_collection_list": CollectionList,
    "vexfs_embedding": Embedding,
    "vexfs_batch_item": BatchItem,
    "vexfs_batch": Batch,
    "vexfs_query_hit": QueryHit,
    "vexfs_query": Query,
    "vexfs_collection_stats": CollectionStats,
    "vexfs_index_ctl": IndexCtl,
}

# <asm-generic/ioctl.h>, which x86-64 uses.
_IOC_NRBITS, _IOC_TYPEBITS, _IOC_SIZEBITS = 8, 8, 14
_IOC_NRSHIFT = 0
_IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS
_IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS
_IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS
_IOC_WRITE, _IOC_READ = 1, 2


def _ioc(direction: int, nr: int, struct: type) -> int:
    return (direction << _IOC_DIRSHIFT) | (VEXFS_IOC_MAGIC << _IOC_TYPESHIFT) \
        | (nr << _IOC_NRSHIFT) | (ctypes.sizeof(struct) << _IOC_SIZESHIFT)


def _iow(nr: int, struct: type) -> int:
    return _ioc(_IOC_WRITE, nr, struct)


def _iowr(nr: int, struct: type) -> int:
    return _ioc(_IOC_READ | _IOC_WRITE, nr, struct)


VEXFS_IOC_COLLECTION_CREATE = _iowr(1, CollectionInfo)
VEXFS_IOC_COLLECTION_INFO = _iowr(2, CollectionInfo)
VEXFS_IOC_COLLECTION_LIST = _iowr(3, CollectionList)
VEXFS_IOC_EMBEDDING_SET = _iow(4, Embedding)
VEXFS_IOC_EMBEDDING_GET = _iowr(5, Embedding)
VEXFS_IOC_EMBEDDING_REMOVE = _iow(6, Embedding)
VEXFS_IOC_BATCH_SET = _iowr(7, Batch)
VEXFS_IOC_QUERY = _iowr(8, Query)
VEXFS_IOC_COLLECTION_STATS = _iowr(9, CollectionStats)
VEXFS_IOC_INDEX_CTL = _iowr(10, IndexCtl)

# The request numbers, by their C names (the layout test's list).
IOCTLS = {name: value for name, value in globals().items()
          if name.startswith("VEXFS_IOC_") and name != "VEXFS_IOC_MAGIC"}


def new(struct: type) -> ctypes.Structure:
    """A zeroed structure with its version field set."""
    s = struct()
    if hasattr(struct, "version"):
        s.version = VEXFS_UAPI_VERSION
    return s


_libc = ctypes.CDLL(None, use_errno=True)
_libc_ioctl = _libc.ioctl
_libc_ioctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)
_libc_ioctl.restype = ctypes.c_int


def ioctl(fd: int, request: int, arg: ctypes.Structure) -> None:
    """ioctl(fd, request, &arg); OSError with the errno on failure.

    libc's ioctl() is called directly with the structure's address, so
    the kernel reads and writes @arg in place (fcntl.ioctl would copy it
    through a buffer of its own, and cannot pass a 64-bit address).
    """
    if _libc_ioctl(fd, request, ctypes.addressof(arg)) < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
