# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The exceptions of the vexfs package.

Every error the kernel reports becomes a subclass of :class:`VexFSError`,
which is an :class:`OSError`: ``errno``, ``strerror`` and ``filename``
are set as for any failed system call, so code that already catches
OSError keeps working.  Where Python has a matching built-in exception
the class derives from it too (``PermissionError``, ``FileExistsError``,
``ValueError``), so ``except PermissionError`` catches a refused query.

The mapping (docs/python.md has the full table):

=========================  ==========  ===================================
class                      errno       raised when
=========================  ==========  ===================================
NotVexFSError              ENOTTY      the path is not on VexFS, or the
                                       vexfs module is not loaded
NotInCollectionError       ENODATA     the path is not in a collection
NoEmbeddingError           ENODATA     get/remove on a file without one
DimensionError             EINVAL      a vector of the wrong length
NonFiniteError             EINVAL      a NaN or infinite element
InvalidArgumentError       EINVAL      any other value the kernel refuses
VexFSPermissionError       EACCES,     the caller may not read/write the
                           EPERM       file, or search the directory
CollectionExistsError      EEXIST      create: already in a collection
DirectoryNotEmptyError     ENOTEMPTY   create: not empty, adopt=False
HardLinkError              EMLINK      create: a file has several links
CrossCollectionError       EXDEV       rename/link across collections
ReadOnlyError              EROFS       a change on a read-only mount
NoSpaceError               ENOSPC      the filesystem is full
OperationInterruptedError  EINTR       a wait or create was interrupted
BatchError                 (per item)  add_many: some items failed
=========================  ==========  ===================================
"""

import errno as _errno
import os
from typing import List, Optional, Sequence, Tuple


class VexFSError(OSError):
    """Base class of every error of this package (an OSError)."""


class NotVexFSError(VexFSError):
    """The path is not on a VexFS filesystem (ENOTTY).

    Also raised, with a message that says so, when the vexfs kernel
    module is not loaded at all.
    """


class NotInCollectionError(VexFSError):
    """The file or directory is not in a vector collection (ENODATA)."""


class NoEmbeddingError(VexFSError, LookupError):
    """The file has no embedding (ENODATA from get or remove)."""


class DimensionError(VexFSError, ValueError):
    """A vector's length is not the collection's dimension (EINVAL)."""


class NonFiniteError(VexFSError, ValueError):
    """A vector holds a NaN or an infinity, which VexFS refuses (EINVAL)."""


class InvalidArgumentError(VexFSError, ValueError):
    """The kernel refused an argument (EINVAL) for another reason."""


class VexFSPermissionError(VexFSError, PermissionError):
    """The caller lacks a permission the operation needs (EACCES, EPERM)."""


class CollectionExistsError(VexFSError, FileExistsError):
    """The directory, or something below it, is already in a collection."""


class DirectoryNotEmptyError(VexFSError):
    """create() on a directory with entries without adopt=True (ENOTEMPTY)."""


class HardLinkError(VexFSError):
    """create(adopt=True): a file below has several hard links (EMLINK)."""


class CrossCollectionError(VexFSError):
    """rename or link across a collection boundary (EXDEV)."""


class ReadOnlyError(VexFSError):
    """A change was asked of a read-only mount (EROFS)."""


class NoSpaceError(VexFSError):
    """The filesystem has no space left (ENOSPC)."""


class OperationInterruptedError(VexFSError, InterruptedError):
    """A wait, or a collection create, was interrupted by a signal (EINTR)."""


class BatchError(VexFSError):
    """add_many() could not set some of the embeddings.

    The others were set.  ``failures`` lists ``(name, exception)`` for each
    item that failed, ``done`` counts those that succeeded.
    """

    def __init__(self, message: str, done: int,
                 failures: Sequence[Tuple[str, VexFSError]]):
        super().__init__(failures[0][1].errno if failures else 0, message)
        self.done = done
        self.failures: List[Tuple[str, VexFSError]] = list(failures)

    def __str__(self) -> str:
        return self.strerror


# errno -> (class, message); ENODATA, EINVAL and ENOTTY are decided with
# what the caller knows, in error_for().
_BY_ERRNO = {
    _errno.EACCES: (VexFSPermissionError, "permission denied"),
    _errno.EPERM: (VexFSPermissionError, "operation not permitted"),
    _errno.EEXIST: (CollectionExistsError,
                    "already in a collection (or something below it is)"),
    _errno.ENOTEMPTY: (DirectoryNotEmptyError,
                       "the directory is not empty (pass adopt=True to "
                       "make its whole tree join the collection)"),
    _errno.EMLINK: (HardLinkError,
                    "a file below it has several hard links (see the "
                    "kernel log for which)"),
    _errno.EXDEV: (CrossCollectionError,
                   "source and destination are in different collections "
                   "(or one is outside any): copy the file instead; its "
                   "embedding travels in the xattr user.vexfs.embedding"),
    _errno.EROFS: (ReadOnlyError, "the filesystem is mounted read-only"),
    _errno.ENOSPC: (NoSpaceError, "no space left on the filesystem"),
    _errno.EINTR: (OperationInterruptedError,
                   "interrupted by a signal (run it again to finish)"),
}


def module_loaded() -> Optional[bool]:
    """Whether the kernel knows the vexfs filesystem type (None: unknown)."""
    try:
        with open("/proc/filesystems") as f:
            return any(line.split()[-1:] == ["vexfs"] for line in f)
    except OSError:
        return None


def error_for(err: int, what: str, path: "os.PathLike[str] | str | None",
              *, embedding_op: bool = False) -> VexFSError:
    """The exception for errno @err from operation @what on @path.

    @embedding_op: ENODATA from a get or remove means "no embedding".
    """
    filename = os.fspath(path) if path is not None else None
    if err == _errno.ENOTTY:
        if module_loaded() is False:
            msg = "not on a VexFS filesystem (the vexfs kernel module is " \
                  "not loaded: modprobe vexfs)"
        else:
            msg = "not on a VexFS filesystem"
        cls = NotVexFSError
    elif err == _errno.ENODATA:
        if embedding_op:
            cls, msg = NoEmbeddingError, "the file has no embedding"
        else:
            cls, msg = NotInCollectionError, "not in a vector collection"
    elif err == _errno.EINVAL:
        cls, msg = InvalidArgumentError, "invalid argument (refused by VexFS)"
    elif err in _BY_ERRNO:
        cls, msg = _BY_ERRNO[err]
    else:
        cls, msg = VexFSError, os.strerror(err)
    return cls(err, f"{what}: {msg}", filename)
