# SPDX-License-Identifier: GPL-2.0 OR MIT
"""vexfs - vector collections of the VexFS filesystem, from Python.

VexFS is a Linux filesystem whose files can carry an embedding (a vector
of float32 values) that the kernel stores, indexes (HNSW) and searches.
This package talks to the kernel through its ioctls (include/vexfs_uapi.h)
with ctypes: it is pure Python, architecture-independent and needs only
numpy.  Importing it needs no kernel module; operations on a path that is
not on VexFS raise NotVexFSError (which says when the module is not
loaded).

Quick start::

    import numpy as np, vexfs
    c = vexfs.Collection.create("/mnt/docs/c", dim=4, metric="l2")
    c.add_many(["a", "b", "c"], np.eye(3, 4, dtype=np.float32))
    paths, dist = c.query([1, 0, 0, 0], k=2)
    print(paths, dist)              # ['a' 'b'] [0. 2.]

Main names:

- Collection: create(), open (``Collection(path)``), set(), get(),
  remove(), add_many(), query(), info(), stats(), list(), rename(),
  and ``.index`` (wait(), rebuild(), compact(), state).
- Info, Stats, QueryResult, QueryInfo: what those return.
- VexFSError and its subclasses (vexfs.errors): every errno mapped.
- vexfs.langchain: a LangChain-style vector store (no LangChain needed).

See docs/python.md (installed in /usr/share/doc/python3-vexfs).
"""

from .collection import (INDEX_STATES, METRICS, Collection, Index, Info,
                         QueryInfo, QueryResult, Stats)
from .errors import (BatchError, CollectionExistsError, CrossCollectionError,
                     DimensionError, DirectoryNotEmptyError, HardLinkError,
                     InvalidArgumentError, NoEmbeddingError, NonFiniteError,
                     NoSpaceError, NotInCollectionError, NotVexFSError,
                     OperationInterruptedError, ReadOnlyError, VexFSError,
                     VexFSPermissionError, module_loaded)

__version__ = "0.1.0"

__all__ = [
    "Collection", "Index", "Info", "Stats", "QueryResult", "QueryInfo",
    "METRICS", "INDEX_STATES", "module_loaded",
    "VexFSError", "NotVexFSError", "NotInCollectionError", "NoEmbeddingError",
    "DimensionError", "NonFiniteError", "InvalidArgumentError",
    "VexFSPermissionError", "CollectionExistsError", "DirectoryNotEmptyError",
    "HardLinkError", "CrossCollectionError", "ReadOnlyError", "NoSpaceError",
    "OperationInterruptedError", "BatchError",
]
