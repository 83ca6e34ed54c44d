# SPDX-License-Identifier: GPL-2.0
"""Host tests: the package imports and fails clearly without VexFS."""

import errno
import os
import pydoc
import subprocess
import sys

import pytest

import vexfs
from vexfs import errors


def test_import_needs_no_module():
    # This machine never loads vexfs.ko (HELPERS.md); the import works.
    assert vexfs.module_loaded() is not True
    assert vexfs.Collection and vexfs.VexFSError


def test_help_reads_well():
    text = pydoc.render_doc(vexfs, renderer=pydoc.plaintext)
    for word in ("Collection", "add_many", "NotVexFSError", "Quick start"):
        assert word in text
    for name in vexfs.__all__:
        assert getattr(vexfs, name).__doc__, name


def test_not_vexfs_is_a_clear_error(tmp_path):
    with pytest.raises(vexfs.NotVexFSError) as e:
        vexfs.Collection(tmp_path)
    assert isinstance(e.value, OSError)
    assert e.value.errno == errno.ENOTTY
    assert e.value.filename == str(tmp_path)
    assert "not on a VexFS filesystem" in str(e.value)
    assert "module is not loaded" in str(e.value)
    with pytest.raises(vexfs.NotVexFSError):
        vexfs.Collection.create(tmp_path / "c", dim=4)
    with pytest.raises(vexfs.NotVexFSError):
        vexfs.Collection.list(tmp_path)


@pytest.mark.parametrize("err,cls,base", [
    (errno.ENOTTY, vexfs.NotVexFSError, OSError),
    (errno.ENODATA, vexfs.NotInCollectionError, OSError),
    (errno.EINVAL, vexfs.InvalidArgumentError, ValueError),
    (errno.EACCES, vexfs.VexFSPermissionError, PermissionError),
    (errno.EPERM, vexfs.VexFSPermissionError, PermissionError),
    (errno.EEXIST, vexfs.CollectionExistsError, FileExistsError),
    (errno.ENOTEMPTY, vexfs.DirectoryNotEmptyError, OSError),
    (errno.EMLINK, vexfs.HardLinkError, OSError),
    (errno.EXDEV, vexfs.CrossCollectionError, OSError),
    (errno.EROFS, vexfs.ReadOnlyError, OSError),
    (errno.ENOSPC, vexfs.NoSpaceError, OSError),
    (errno.EINTR, vexfs.OperationInterruptedError, InterruptedError),
    (errno.EIO, vexfs.VexFSError, OSError),
])
def test_errno_mapping(err, cls, base):
    e = errors.error_for(err, "op", "/x")
    assert type(e) is cls and isinstance(e, base)
    assert isinstance(e, vexfs.VexFSError) and isinstance(e, OSError)
    assert e.errno == err and e.filename == "/x"
    assert str(e).startswith(f"[Errno {err}] op: ")
    get = errors.error_for(errno.ENODATA, "get", "/x", embedding_op=True)
    assert type(get) is vexfs.NoEmbeddingError


def test_metric_names():
    with pytest.raises(ValueError, match="unknown metric"):
        vexfs.collection._metric_number("hamming")
    assert vexfs.collection._metric_number("Cosine") == 2


def test_import_works_in_a_fresh_interpreter():
    env = dict(os.environ, PYTHONPATH=os.path.dirname(vexfs.__path__[0]))
    out = subprocess.run([sys.executable, "-c",
                          "import vexfs, vexfs.langchain; print('ok')"],
                         env=env, check=True, capture_output=True, text=True)
    assert out.stdout == "ok\n"
