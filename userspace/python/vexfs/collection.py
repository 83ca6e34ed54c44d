# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Collections: the Python face of the VexFS vector ioctls."""

import ctypes
import dataclasses
import errno as _errno
import os
from typing import (Callable, List, NamedTuple, Optional, Sequence, Tuple,
                    Union)

import numpy as np

from . import _uapi as U
from .errors import (BatchError, CollectionExistsError, DimensionError,
                     HardLinkError, NonFiniteError, VexFSError, error_for)

PathLike = Union[str, bytes, os.PathLike]

METRICS = {"l2": U.VEXFS_UAPI_METRIC_L2,
           "cosine": U.VEXFS_UAPI_METRIC_COSINE,
           "ip": U.VEXFS_UAPI_METRIC_IP}
_METRIC_NAMES = {v: k for k, v in METRICS.items()}
INDEX_STATES = ("none", "ready", "building", "stale", "failed", "unsupported")

# struct vexfs_query_hit as a numpy record: the kernel writes the hits
# straight into the array, and the distances are read as a column of it.
_HIT_DTYPE = np.dtype([("ino", "<u8"), ("distance_f64", "<f8"),
                       ("distance_f32", "<f4"), ("reserved0", "<u4"),
                       ("reserved", "<u8")])
assert _HIT_DTYPE.itemsize == ctypes.sizeof(U.QueryHit)


def _state_name(s: int) -> str:
    return INDEX_STATES[s] if s < len(INDEX_STATES) else f"unknown({s})"


@dataclasses.dataclass(frozen=True)
class Info:
    """What VEXFS_IOC_COLLECTION_INFO says about a collection."""
    id: int                 #: collection id, 1-based
    dim: int                #: float32 elements per vector
    metric: str             #: "l2", "cosine" or "ip"
    root_ino: int           #: inode number of the collection's top directory
    count: int              #: embeddings stored
    slots: int              #: slots of the vector store, used or free
    m: int                  #: HNSW links per node
    ef_construction: int    #: HNSW candidates an insert keeps
    index_state: str        #: "none", "ready", "building", "stale", ...

    @classmethod
    def _from(cls, c: U.CollectionInfo) -> "Info":
        return cls(id=c.id, dim=c.dim,
                   metric=_METRIC_NAMES.get(c.metric, f"unknown({c.metric})"),
                   root_ino=c.root_ino, count=c.count, slots=c.slots,
                   m=c.hnsw_m, ef_construction=c.hnsw_ef_construction,
                   index_state=_state_name(c.index_state))


@dataclasses.dataclass(frozen=True)
class Stats:
    """What VEXFS_IOC_COLLECTION_STATS says: counts and counters."""
    info: Info              #: as Collection.info() returns
    free_slots: int         #: slots of the store that hold no vector
    store_bytes: int        #: bytes the vector store occupies on disk
    slot_size: int          #: bytes per slot (header and vector)
    queries: int            #: queries served since mount
    scanned: int            #: vectors compared by those queries
    index_live: int         #: vectors in the ANN index
    index_deleted: int      #: tombstones in the index, until compaction
    index_bytes: int        #: bytes the index occupies on disk
    index_queries: int      #: queries the index answered since mount


class QueryResult(NamedTuple):
    """The answer of Collection.query(): unpack it as ``paths, distances``.

    For a 1-D query both are 1-D arrays of the hits found (at most k),
    nearest first.  For a 2-D query of n rows both are (n, k) arrays; a
    row with fewer than k hits is padded with "" and +inf.
    """
    paths: np.ndarray       #: str paths, relative to the directory queried
    distances: np.ndarray   #: float32 (or float64 with double=True)


@dataclasses.dataclass(frozen=True)
class QueryInfo:
    """How the kernel answered the last query (Collection.last_query)."""
    method: str             #: "exact" or "index"
    scanned: int            #: vectors compared (index: candidates re-ranked)
    nhits: int              #: hits returned


class Index:
    """The collection's ANN (HNSW) index: ``collection.index``.

    The kernel builds and maintains the index itself; queries use it once
    the collection holds VEXFS_INDEX_MIN_VECTORS (1024) vectors and it is
    ready, and search exactly otherwise.  These calls only wait for it or
    ask for work the kernel would otherwise do later (VEXFS_IOC_INDEX_CTL).
    """

    def __init__(self, collection: "Collection"):
        self._c = collection

    @property
    def state(self) -> str:
        """The index's state now: "none", "ready", "building", "stale", ..."""
        return self._c.info().index_state

    def _ctl(self, op: int, what: str) -> str:
        ctl = U.new(U.IndexCtl)
        ctl.op = op
        self._c._ioctl(self._c._fd, U.VEXFS_IOC_INDEX_CTL, ctl, what,
                       self._c.path)
        return _state_name(ctl.state)

    def wait(self) -> str:
        """Wait until no build of the index runs; return its state.

        Raises OperationInterruptedError if a signal interrupts the wait.
        """
        return self._ctl(U.VEXFS_INDEX_OP_WAIT, "index wait")

    def rebuild(self, wait: bool = True) -> str:
        """Rebuild the index from the vector store; return its state.

        The kernel rebuilds in the background; with wait=True (default)
        this returns once the build is over.  Needs ownership of the
        collection root (or CAP_SYS_ADMIN) and a read-write mount.
        """
        state = self._ctl(U.VEXFS_INDEX_OP_REBUILD, "index rebuild")
        return self.wait() if wait else state

    def compact(self) -> str:
        """Drop the index's tombstones now; return its state.

        Same permissions as rebuild().
        """
        return self._ctl(U.VEXFS_INDEX_OP_COMPACT, "index compact")


def _metric_number(metric: Union[str, int]) -> int:
    if isinstance(metric, str):
        try:
            return METRICS[metric.lower()]
        except KeyError:
            raise ValueError(f"unknown metric {metric!r}: use one of "
                             f"{', '.join(METRICS)}") from None
    return int(metric)


def _as_vector(vector, what: str) -> np.ndarray:
    """@vector as a contiguous 1-D float32 array, copied only if needed."""
    a = np.ascontiguousarray(vector, dtype=np.float32)
    if a.ndim != 1:
        raise DimensionError(_errno.EINVAL,
                             f"{what}: a vector must be 1-D, not of shape "
                             f"{a.shape}")
    return a


def _as_matrix(vectors, what: str) -> np.ndarray:
    a = np.ascontiguousarray(vectors, dtype=np.float32)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2:
        raise DimensionError(_errno.EINVAL,
                             f"{what}: expected a 2-D array of vectors, not "
                             f"shape {a.shape}")
    return a


def _adopt_prescan(top: str) -> None:
    """Refuse, before anything changes, a tree the kernel would refuse
    half-way through an adopt (as vexctl does): the kernel walks the tree
    top down, and a file with several hard links, or a directory already
    in a collection, would stop it with the part above already joined.
    """
    for d, dirs, files in os.walk(top, onerror=None):
        for name in files:
            f = os.path.join(d, name)
            try:
                nlink = os.lstat(f).st_nlink
            except OSError:
                continue            # the kernel still sees it and judges
            if nlink > 1:
                raise HardLinkError(
                    _errno.EMLINK, f"create collection: {f} has {nlink} "
                    "hard links; a collection shares no file with the rest "
                    "of the filesystem", f)
        for name in dirs:
            sub = os.path.join(d, name)
            try:
                fd = os.open(sub, os.O_RDONLY | os.O_DIRECTORY
                             | os.O_NOFOLLOW | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                U.ioctl(fd, U.VEXFS_IOC_COLLECTION_INFO,
                        U.new(U.CollectionInfo))
            except OSError:
                continue
            finally:
                os.close(fd)
            raise CollectionExistsError(
                _errno.EEXIST, f"create collection: {sub} is in a collection "
                "already", sub)


class Collection:
    """A VexFS vector collection, or a directory inside one.

    ``Collection(path)`` opens the directory *path*, which must be in a
    collection (NotInCollectionError otherwise).  Relative file names
    given to its methods are relative to *path*; queries see only the
    files below *path* that the caller may read.  The directory stays
    open until close() (or the end of a ``with`` block).

    Vectors are numpy float32 arrays; anything numpy can turn into one
    (a list, a float64 array) is accepted and converted.  A C-contiguous
    float32 array is handed to the kernel in place, without a copy.
    """

    def __init__(self, path: PathLike):
        self.path: str = os.fsdecode(path)
        self._fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY
                           | os.O_CLOEXEC)
        try:
            info = self.info()
        except BaseException:
            os.close(self._fd)
            self._fd = -1
            raise
        self.dim: int = info.dim
        self.metric: str = info.metric
        self.id: int = info.id
        self.index = Index(self)
        self.last_query: Optional[QueryInfo] = None

    # -- life --------------------------------------------------------

    @classmethod
    def create(cls, path: PathLike, dim: int, metric: Union[str, int] = "l2",
               *, m: Optional[int] = None,
               ef_construction: Optional[int] = None, adopt: bool = False,
               exist_ok: bool = False, mode: int = 0o755) -> "Collection":
        """Make the directory *path* a collection root and open it.

        *path* is made (with *mode*) if it does not exist.  *dim* is the
        number of float32 elements per vector (1..4096); *metric* is
        "l2" (squared Euclidean), "cosine" (1 - cos) or "ip" (minus the
        inner product).  *m* and *ef_construction* tune the HNSW index
        (None: the kernel's defaults, 16 and 200).

        adopt=True lets a directory that already holds a tree become the
        root: every file below joins the collection (a file with several
        hard links fails with HardLinkError, a subdirectory already in a
        collection with CollectionExistsError, both before anything
        changes).  exist_ok=True accepts a
        directory that already roots a collection of the same dim and
        metric (and finishes an interrupted adopt).
        """
        p = os.fsdecode(path)
        try:
            os.mkdir(p, mode)
        except FileExistsError:
            pass
        c = U.new(U.CollectionInfo)
        c.flags = U.VEXFS_COLLECTION_ADOPT if adopt else 0
        c.dim = dim
        c.metric = _metric_number(metric)
        c.hnsw_m = m or 0
        c.hnsw_ef_construction = ef_construction or 0
        fd = os.open(p, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            if exist_ok and cls._roots(fd, dim, c.metric):
                c.flags = U.VEXFS_COLLECTION_ADOPT
            elif adopt:
                _adopt_prescan(p)
            cls._ioctl(fd, U.VEXFS_IOC_COLLECTION_CREATE, c,
                       "create collection", p)
        finally:
            os.close(fd)
        return cls(p)

    @staticmethod
    def _roots(fd: int, dim: int, metric: int) -> bool:
        """Does the directory at @fd root a collection of @dim, @metric?"""
        c = U.new(U.CollectionInfo)
        try:
            U.ioctl(fd, U.VEXFS_IOC_COLLECTION_INFO, c)
        except OSError:
            return False
        return c.root_ino == os.fstat(fd).st_ino and c.dim == dim \
            and c.metric == metric

    @staticmethod
    def list(path: PathLike) -> List[Info]:
        """Every collection of the filesystem *path* is on."""
        p = os.fsdecode(path)
        fd = os.open(p, os.O_RDONLY | os.O_CLOEXEC)
        try:
            lst = U.new(U.CollectionList)
            Collection._ioctl(fd, U.VEXFS_IOC_COLLECTION_LIST, lst,
                              "list collections", p)
            while True:
                n = lst.count
                entries = (U.CollectionInfo * max(n, 1))()
                lst = U.new(U.CollectionList)
                lst.capacity = n
                lst.entries = ctypes.addressof(entries)
                Collection._ioctl(fd, U.VEXFS_IOC_COLLECTION_LIST, lst,
                                  "list collections", p)
                if lst.count <= n:      # none was made in between
                    return [Info._from(entries[i]) for i in range(lst.count)]
        finally:
            os.close(fd)

    def close(self) -> None:
        """Close the collection's directory (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> "Collection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return (f"<vexfs.Collection {self.path!r} id={self.id} dim={self.dim}"
                f" metric={self.metric}>")

    def __len__(self) -> int:
        """The number of embeddings in the whole collection."""
        return self.info().count

    def fileno(self) -> int:
        """The file descriptor of the open directory."""
        return self._fd

    # -- plumbing ----------------------------------------------------

    @staticmethod
    def _ioctl(fd: int, request: int, arg, what: str, path,
               embedding_op: bool = False) -> None:
        try:
            U.ioctl(fd, request, arg)
        except OSError as e:
            raise error_for(e.errno, what, path,
                            embedding_op=embedding_op) from None

    def _open(self, file: PathLike, write: bool = False) -> int:
        """Open @file (relative to the collection's directory) for an ioctl.

        The kernel checks read or write permission on the inode itself,
        so O_RDONLY serves both; a write-only file is opened O_WRONLY.
        """
        flags = os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY
        try:
            return os.open(file, os.O_RDONLY | flags, dir_fd=self._fd)
        except PermissionError:
            if not write:
                raise
            return os.open(file, os.O_WRONLY | flags, dir_fd=self._fd)

    def _name(self, file: PathLike) -> str:
        f = os.fsdecode(file)
        return f if os.path.isabs(f) else os.path.join(self.path, f)

    def _einval(self, what: str, path: str, vectors: np.ndarray,
                dim: int) -> VexFSError:
        """EINVAL from the kernel, said in the terms of what was wrong."""
        if dim != self.dim:
            return DimensionError(
                _errno.EINVAL, f"{what}: the vector has {dim} elements, the "
                f"collection's dimension is {self.dim}", path)
        if not np.isfinite(vectors).all():
            return NonFiniteError(
                _errno.EINVAL, f"{what}: the vector holds a NaN or an "
                "infinity, which VexFS refuses", path)
        return error_for(_errno.EINVAL, what, path)

    # -- information -------------------------------------------------

    def info(self) -> Info:
        """The collection's description and counts, now."""
        c = U.new(U.CollectionInfo)
        self._ioctl(self._fd, U.VEXFS_IOC_COLLECTION_INFO, c,
                    "collection info", self.path)
        return Info._from(c)

    def stats(self) -> Stats:
        """Counters of the collection: store, queries, index."""
        s = U.new(U.CollectionStats)
        self._ioctl(self._fd, U.VEXFS_IOC_COLLECTION_STATS, s,
                    "collection stats", self.path)
        return Stats(info=Info._from(s.info), free_slots=s.free_slots,
                     store_bytes=s.store_bytes, slot_size=s.slot_size,
                     queries=s.queries, scanned=s.scanned,
                     index_live=s.index_live, index_deleted=s.index_deleted,
                     index_bytes=s.index_bytes, index_queries=s.index_queries)

    # -- one file ----------------------------------------------------

    def set(self, file: PathLike, vector) -> None:
        """Set (or replace) the embedding of the regular file *file*.

        Needs write permission on the file.  DimensionError if the vector
        does not have ``dim`` elements, NonFiniteError for a NaN or an
        infinity.
        """
        v = _as_vector(vector, "set")
        path = self._name(file)
        e = U.new(U.Embedding)
        e.dim = v.shape[0]
        e.vector = v.ctypes.data
        fd = self._open(file, write=True)
        try:
            U.ioctl(fd, U.VEXFS_IOC_EMBEDDING_SET, e)
        except OSError as err:
            if err.errno == _errno.EINVAL:
                raise self._einval("set", path, v, v.shape[0]) from None
            raise error_for(err.errno, "set", path) from None
        finally:
            os.close(fd)

    def get(self, file: PathLike) -> np.ndarray:
        """The embedding of *file*, a new float32 array of ``dim`` elements.

        NoEmbeddingError if the file has none.  Needs read permission.
        """
        path = self._name(file)
        out = np.empty(self.dim, dtype=np.float32)
        e = U.new(U.Embedding)
        e.dim = self.dim
        e.vector = out.ctypes.data
        fd = self._open(file)
        try:
            self._ioctl_embedding(fd, U.VEXFS_IOC_EMBEDDING_GET, e, "get",
                                  path)
        finally:
            os.close(fd)
        return out

    def remove(self, file: PathLike) -> None:
        """Remove the embedding of *file* (the file itself stays).

        NoEmbeddingError if it has none.  Needs write permission.
        """
        path = self._name(file)
        e = U.new(U.Embedding)
        fd = self._open(file, write=True)
        try:
            self._ioctl_embedding(fd, U.VEXFS_IOC_EMBEDDING_REMOVE, e,
                                  "remove", path)
        finally:
            os.close(fd)

    def _ioctl_embedding(self, fd: int, request: int, e, what: str,
                         path: str) -> None:
        """An embedding get/remove; ENODATA means "no embedding" only if
        the file is in a collection at all (the same errno says both)."""
        try:
            U.ioctl(fd, request, e)
        except OSError as err:
            in_collection = True
            if err.errno == _errno.ENODATA:
                try:
                    U.ioctl(fd, U.VEXFS_IOC_COLLECTION_INFO,
                            U.new(U.CollectionInfo))
                except OSError:
                    in_collection = False
            raise error_for(err.errno, what, path,
                            embedding_op=in_collection) from None

    def rename(self, src: PathLike, dst: PathLike) -> None:
        """os.rename(), with CrossCollectionError for EXDEV.

        VexFS refuses to move a file into, out of or between collections
        (the embedding belongs to its collection's store); relative names
        are relative to the collection's directory.
        """
        try:
            os.rename(src, dst, src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except OSError as err:
            if err.errno == _errno.EXDEV:
                raise error_for(err.errno, "rename", self._name(src)) \
                    from None
            raise

    # -- many files --------------------------------------------------

    def add_many(self, names: Sequence[PathLike], vectors, *,
                 create: bool = True, mode: int = 0o644,
                 progress: Optional[Callable[[int, int], None]] = None,
                 batch_size: int = U.VEXFS_BATCH_MAX) -> int:
        """Set the embeddings of many files at once; return how many were set.

        *names* are file names relative to the collection's directory
        (they may name subdirectories, which must exist); *vectors* is an
        (n, dim) array whose row i is the embedding of names[i].  With
        create=True (default) missing files are created empty, with
        permission bits *mode* (less the umask).

        One VEXFS_IOC_BATCH_SET per directory and per *batch_size* names
        (at most 1024).  Rows of one directory that are consecutive in
        the array are passed in place, without a copy.  *progress*, if
        given, is called as progress(done, total) after each call.

        Each item is attempted even if others fail: if any failed, a
        BatchError lists them, after every other item was set.
        """
        a = _as_matrix(vectors, "add_many")
        n = len(names)
        if a.shape[0] != n:
            raise ValueError(f"add_many: {n} names but {a.shape[0]} vectors")
        if not 1 <= batch_size <= U.VEXFS_BATCH_MAX:
            raise ValueError(f"add_many: batch_size must be 1.."
                             f"{U.VEXFS_BATCH_MAX}")
        dim = a.shape[1]
        if n and dim != self.dim:
            raise DimensionError(
                _errno.EINVAL, f"add_many: the vectors have {dim} elements, "
                f"the collection's dimension is {self.dim}", self.path)
        # Consecutive runs of names in the same directory.
        runs: List[Tuple[str, int, int]] = []
        split = [os.path.split(os.fsdecode(x)) for x in names]
        for i, (d, _) in enumerate(split):
            if runs and runs[-1][0] == d:
                runs[-1] = (d, runs[-1][1], i + 1)
            else:
                runs.append((d, i, i + 1))
        done = 0
        failures: List[Tuple[str, VexFSError]] = []
        for d, lo, hi in runs:
            dfd = os.open(d or ".", os.O_RDONLY | os.O_DIRECTORY
                          | os.O_CLOEXEC, dir_fd=self._fd)
            try:
                for s in range(lo, hi, batch_size):
                    e = min(s + batch_size, hi)
                    done += self._batch(dfd, d, [b for _, b in split[s:e]],
                                        a[s:e], create, mode, failures)
                    if progress is not None:
                        progress(e, n)
            finally:
                os.close(dfd)
        if failures:
            first = failures[0][1]
            raise BatchError(f"add_many: {len(failures)} of {n} embeddings "
                             f"could not be set (first: {first.filename}: "
                             f"{first.strerror})", done, failures)
        return done

    def _batch(self, dfd: int, d: str, names: List[str], rows: np.ndarray,
               create: bool, mode: int,
               failures: List[Tuple[str, VexFSError]]) -> int:
        """One VEXFS_IOC_BATCH_SET on the directory @dfd; failures appended."""
        count = len(names)
        raw = [os.fsencode(x) for x in names]   # kept alive for the call
        items = (U.BatchItem * count)()
        for i, b in enumerate(raw):
            items[i].name = ctypes.cast(ctypes.c_char_p(b),
                                        ctypes.c_void_p).value or 0
            items[i].name_len = len(b)
        b = U.new(U.Batch)
        b.flags = U.VEXFS_BATCH_CREATE if create else 0
        b.count = count
        b.dim = rows.shape[1]
        b.mode = mode
        b.items = ctypes.addressof(items)
        b.vectors = rows.ctypes.data        # rows of a C-contiguous array
        where = os.path.join(self.path, d)
        self._ioctl(dfd, U.VEXFS_IOC_BATCH_SET, b, "add_many", where)
        for i in range(count):
            r = items[i].result
            if r:
                path = os.path.join(where, names[i])
                if -r == _errno.EINVAL:
                    err = self._einval("add_many", path, rows[i], b.dim)
                else:
                    err = error_for(-r, "add_many", path)
                failures.append((os.path.join(d, names[i]), err))
        return b.done

    # -- search ------------------------------------------------------

    def query(self, vectors, k: int = 10, *, ef: Optional[int] = None,
              exact: bool = False, under: Optional[PathLike] = None,
              double: bool = False) -> QueryResult:
        """The k files nearest to a vector (or to each row of a 2-D array).

        Returns ``(paths, distances)``: paths relative to the directory
        queried (the collection's, or *under*, a subdirectory of it),
        distances as float32 (float64 with double=True), nearest first;
        smaller is nearer for every metric.  Only files the caller may
        read, reached through directories it may search, are returned:
        the kernel leaves the others out, so a query may return fewer
        than k paths even when more vectors exist.

        *k*: 1..1024.  *ef*: the HNSW search width (k..1024; None: the
        kernel's default, 64); ignored when the query is exact.
        exact=True bypasses the index and compares every vector.
        ``self.last_query`` tells how the (last row's) answer was found.
        """
        single = np.ndim(vectors) == 1
        a = _as_matrix(vectors, "query")
        if exact and ef is not None:
            raise ValueError("query: ef applies to index searches; "
                             "not with exact=True")
        where = self.path if under is None else self._name(under)
        fd = self._fd
        if under is not None:
            fd = os.open(under, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC,
                         dir_fd=self._fd)
        nq, dim = a.shape
        paths = np.full((nq, k), "", dtype=object)
        dists = np.full((nq, k), np.inf,
                        dtype=np.float64 if double else np.float32)
        counts = np.zeros(nq, dtype=np.intp)
        path_size = U.VEXFS_QUERY_MAX_PATH
        hits = np.zeros(max(k, 1), dtype=_HIT_DTYPE)
        names = ctypes.create_string_buffer(max(k, 1) * path_size)
        try:
            for row in range(nq):
                q = U.new(U.Query)
                q.flags = U.VEXFS_QUERY_EXACT if exact else 0
                q.k = k
                q.dim = dim
                q.vector = a[row].ctypes.data
                q.hits = hits.ctypes.data
                q.paths = ctypes.addressof(names)
                q.path_size = path_size
                q.ef = ef or 0
                try:
                    U.ioctl(fd, U.VEXFS_IOC_QUERY, q)
                except OSError as err:
                    if err.errno == _errno.EINVAL:
                        raise self._einval("query", where, a[row], dim) \
                            from None
                    raise error_for(err.errno, "query", where) from None
                n = q.nhits
                counts[row] = n
                col = "distance_f64" if double else "distance_f32"
                dists[row, :n] = hits[col][:n]
                base = ctypes.addressof(names)
                for i in range(n):     # NUL-terminated, path_size apart
                    paths[row, i] = os.fsdecode(
                        ctypes.string_at(base + i * path_size))
                self.last_query = QueryInfo(
                    method="index" if q.method == U.VEXFS_QUERY_METHOD_INDEX
                    else "exact", scanned=q.scanned, nhits=n)
        finally:
            if fd != self._fd:
                os.close(fd)
        if single:
            n = counts[0]
            return QueryResult(paths[0, :n].astype(str), dists[0, :n])
        return QueryResult(paths.astype(str), dists)
