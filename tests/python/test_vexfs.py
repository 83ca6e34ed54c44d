# SPDX-License-Identifier: GPL-2.0
"""Guest tests: the vexfs package against the real module.

Run by tests/python/guest.sh in a QEMU guest where VexFS is mounted at
$VEXFS_MNT (as root).  Every call of the package, every errno it maps,
and the kernel's permission filtering as seen from Python.
"""

import contextlib
import errno
import io
import json
import os
import subprocess
import textwrap
import traceback

import numpy as np
import pytest

import vexfs
from vexfs.langchain import Document, VexFSVectorStore

MNT = os.environ.get("VEXFS_MNT", "")
pytestmark = pytest.mark.skipif(not os.path.ismount(MNT),
                                reason="no VexFS mounted at $VEXFS_MNT")
DIM = 8
rng = np.random.default_rng(20)


@pytest.fixture
def path(request):
    """A fresh path on the VexFS mount, named after the test."""
    p = os.path.join(MNT, request.node.name.replace("[", "_").strip("]"))
    assert not os.path.exists(p)
    return p


@pytest.fixture
def col(path):
    c = vexfs.Collection.create(path, dim=DIM, metric="l2")
    yield c
    c.close()


def vecs(n, dim=DIM):
    return rng.standard_normal((n, dim)).astype(np.float32)


def touch(p, mode=0o644):
    with open(p, "w") as f:
        f.write(os.path.basename(p))
    os.chmod(p, mode)


# -- create, open, info, list -------------------------------------------

def test_create_open_info(path):
    c = vexfs.Collection.create(path, dim=DIM, metric="cosine", m=8,
                                ef_construction=100)
    info = c.info()
    assert (info.dim, info.metric, info.m, info.ef_construction) == \
        (DIM, "cosine", 8, 100)
    assert info.root_ino == os.stat(path).st_ino
    assert info.count == 0 and len(c) == 0 and info.index_state == "none"
    assert repr(c).startswith("<vexfs.Collection ")
    os.mkdir(os.path.join(path, "sub"))
    with vexfs.Collection(os.path.join(path, "sub")) as sub:
        assert sub.id == c.id and sub.dim == DIM and sub.metric == "cosine"
    c.close()
    c.close()                       # idempotent
    again = vexfs.Collection(path)
    assert again.id == info.id
    assert any(i.id == info.id and i.dim == DIM and i.metric == "cosine"
               for i in vexfs.Collection.list(MNT))


def test_create_defaults_and_exist_ok(path):
    c = vexfs.Collection.create(path, dim=DIM)
    assert (c.metric, c.info().m, c.info().ef_construction) == ("l2", 16, 200)
    with pytest.raises(vexfs.CollectionExistsError) as e:
        vexfs.Collection.create(path, dim=DIM)
    assert isinstance(e.value, FileExistsError)
    assert e.value.errno == errno.EEXIST and e.value.filename == path
    assert vexfs.Collection.create(path, dim=DIM, exist_ok=True).id == c.id
    with pytest.raises(vexfs.CollectionExistsError):
        vexfs.Collection.create(path, dim=DIM + 1, exist_ok=True)


def test_create_not_empty_adopt_and_hard_links(path):
    os.mkdir(path)
    touch(os.path.join(path, "old.txt"))
    with pytest.raises(vexfs.DirectoryNotEmptyError, match="adopt=True"):
        vexfs.Collection.create(path, dim=DIM)
    c = vexfs.Collection.create(path, dim=DIM, adopt=True)
    c.set("old.txt", np.ones(DIM))
    assert c.get("old.txt").tolist() == [1.0] * DIM
    linked = path + "-links"
    os.mkdir(linked)
    os.mkdir(linked + "/d")
    touch(os.path.join(linked, "d", "a"))
    os.link(os.path.join(linked, "d", "a"), os.path.join(linked, "b"))
    # found before anything changes, naming the file
    with pytest.raises(vexfs.HardLinkError, match="has 2 hard links") as e:
        vexfs.Collection.create(linked, dim=DIM, adopt=True)
    assert e.value.errno == errno.EMLINK and e.value.filename in \
        (linked + "/b", linked + "/d/a")
    with pytest.raises(vexfs.NotInCollectionError):
        vexfs.Collection(linked)
    # the kernel's own EMLINK, half-way through the walk, maps the same;
    # the same create, once the link is gone, finishes the adopt
    saved = vexfs.collection._adopt_prescan
    vexfs.collection._adopt_prescan = lambda top: None
    try:
        with pytest.raises(vexfs.HardLinkError) as e:
            vexfs.Collection.create(linked, dim=DIM, adopt=True)
    finally:
        vexfs.collection._adopt_prescan = saved
    assert e.value.errno == errno.EMLINK and "several hard links" in \
        str(e.value)
    os.unlink(linked + "/b")
    done = vexfs.Collection.create(linked, dim=DIM, adopt=True, exist_ok=True)
    done.set("d/a", np.zeros(DIM))
    # a subdirectory already in a collection
    nested = path + "-nested"
    os.mkdir(nested)
    vexfs.Collection.create(nested + "/inner", dim=DIM)
    with pytest.raises(vexfs.CollectionExistsError, match="inner is in a"):
        vexfs.Collection.create(nested, dim=DIM, adopt=True)


@pytest.mark.parametrize("kw", [dict(dim=0), dict(dim=4097), dict(m=1),
                                dict(m=65), dict(ef_construction=2000),
                                dict(metric=9)])
def test_create_bad_arguments(path, kw):
    args = dict(dim=DIM, metric="l2")
    args.update(kw)
    with pytest.raises(vexfs.InvalidArgumentError) as e:
        vexfs.Collection.create(path, **args)
    assert isinstance(e.value, ValueError) and e.value.errno == errno.EINVAL


def test_unknown_metric_name(path):
    with pytest.raises(ValueError, match="unknown metric"):
        vexfs.Collection.create(path, dim=DIM, metric="hamming")


def test_not_in_collection_and_not_vexfs(col, path):
    plain = path + "-plain"
    os.mkdir(plain)
    touch(plain + "/f")
    with pytest.raises(vexfs.NotInCollectionError) as e:
        vexfs.Collection(plain)
    assert e.value.errno == errno.ENODATA and e.value.filename == plain
    with pytest.raises(vexfs.NotInCollectionError):
        col.get(plain + "/f")       # an absolute path outside
    with pytest.raises(vexfs.NotInCollectionError):
        col.remove(plain + "/f")
    with pytest.raises(vexfs.NotVexFSError) as e:
        vexfs.Collection("/tmp")
    assert "module is not loaded" not in str(e.value)
    assert vexfs.module_loaded() is True


# -- one embedding -------------------------------------------------------

def test_set_get_remove(col, path):
    touch(path + "/a")
    v = vecs(1)[0]
    col.set("a", v)
    got = col.get("a")
    assert got.dtype == np.float32 and got.shape == (DIM,)
    assert got.tobytes() == v.tobytes()             # bit for bit
    col.set(path + "/a", [0.5] * DIM)               # absolute, a list
    assert col.get("a").tolist() == [0.5] * DIM
    assert len(col) == 1
    col.remove("a")
    assert len(col) == 0
    with pytest.raises(vexfs.NoEmbeddingError) as e:
        col.get("a")
    assert isinstance(e.value, LookupError) and e.value.errno == errno.ENODATA
    assert "no embedding" in str(e.value) and e.value.filename == path + "/a"
    with pytest.raises(vexfs.NoEmbeddingError):
        col.remove("a")
    with pytest.raises(FileNotFoundError):
        col.get("missing")


def test_vector_passed_in_place(col, path):
    """A contiguous float32 vector is the buffer the kernel reads."""
    v = vecs(1)[0]
    assert vexfs.collection._as_vector(v, "t") is v
    m = vecs(4)
    assert vexfs.collection._as_matrix(m, "t") is m
    touch(path + "/a")
    col.set("a", m[2])                              # a row: no copy
    assert col.get("a").tobytes() == m[2].tobytes()


def test_dimension_errors(col, path):
    touch(path + "/a")
    with pytest.raises(vexfs.DimensionError) as e:
        col.set("a", np.ones(DIM - 1))              # the kernel's EINVAL
    assert isinstance(e.value, ValueError) and e.value.errno == errno.EINVAL
    assert f"has {DIM - 1} elements" in str(e.value)
    assert f"dimension is {DIM}" in str(e.value)
    with pytest.raises(vexfs.DimensionError):
        col.query(np.ones(DIM + 1))
    with pytest.raises(vexfs.DimensionError):
        col.add_many(["b"], np.ones((1, DIM + 2)))
    with pytest.raises(vexfs.DimensionError):
        col.set("a", np.ones((2, DIM)))


def test_non_finite(col, path):
    touch(path + "/a")
    for bad in (np.nan, np.inf, -np.inf):
        v = np.ones(DIM, dtype=np.float32)
        v[3] = bad
        with pytest.raises(vexfs.NonFiniteError) as e:
            col.set("a", v)
        assert e.value.errno == errno.EINVAL and "NaN" in str(e.value)
        with pytest.raises(vexfs.NonFiniteError):
            col.query(v)
    m = vecs(3)
    m[1, 0] = np.nan
    with pytest.raises(vexfs.BatchError) as e:
        col.add_many(["x", "y", "z"], m)
    assert e.value.done == 2
    [(name, err)] = e.value.failures
    assert name == "y" and isinstance(err, vexfs.NonFiniteError)
    assert col.get("z").tobytes() == m[2].tobytes()


def test_set_needs_a_regular_file(col, path):
    os.mkdir(path + "/d")
    with pytest.raises(vexfs.VexFSError):
        col.set("d", np.ones(DIM))


# -- many ----------------------------------------------------------------

def test_add_many(col, path):
    n = 2500                        # three batches of at most 1024
    m = vecs(n)
    names = [f"f{i:05d}" for i in range(n)]
    seen = []
    assert col.add_many(names, m, progress=lambda d, t: seen.append((d, t))) \
        == n
    assert seen == [(1024, n), (2048, n), (n, n)]
    assert len(col) == n
    for i in (0, 1023, 1024, n - 1):
        assert col.get(names[i]).tobytes() == m[i].tobytes()
    assert oct(os.stat(path + "/f00000").st_mode & 0o777) == oct(0o644 & ~0o022)
    # into a subdirectory, and mixed
    os.mkdir(path + "/sub")
    assert col.add_many(["sub/a", "sub/b", "top"], m[:3], batch_size=1) == 3
    assert col.get("sub/b").tobytes() == m[1].tobytes()
    # create=False: missing files fail one by one, the others are set
    with pytest.raises(vexfs.BatchError) as e:
        col.add_many(["top", "nothere"], m[:2], create=False)
    assert e.value.done == 1 and e.value.failures[0][0] == "nothere"
    assert e.value.failures[0][1].errno == errno.ENOENT
    assert "1 of 2 embeddings could not be set" in str(e.value)
    with pytest.raises(ValueError):
        col.add_many(["a", "b"], m[:3])


# -- query ---------------------------------------------------------------

def brute(m, q, k):
    d = ((m.astype(np.float64) - q.astype(np.float64)) ** 2).sum(axis=1)
    order = np.argsort(d, kind="stable")[:k]
    return order, d[order]


def test_query_exact(col):
    m = vecs(300)
    names = [f"v{i:03d}" for i in range(300)]
    col.add_many(names, m)
    q = vecs(1)[0]
    paths, dist = col.query(q, k=7, exact=True)
    order, want = brute(m, q, 7)
    assert paths.tolist() == [names[i] for i in order]
    assert dist.dtype == np.float32 and dist.shape == (7,)
    np.testing.assert_allclose(dist, want, rtol=1e-6)
    assert col.last_query.method == "exact" and col.last_query.scanned == 300
    _, d64 = col.query(q, k=7, exact=True, double=True)
    assert d64.dtype == np.float64
    np.testing.assert_allclose(d64, want, rtol=1e-12)
    # the nearest of a stored vector is itself, at distance 0
    p, d = col.query(m[42], k=1)
    assert p.tolist() == ["v042"] and d.tolist() == [0.0]


def test_query_2d_and_padding(col, path):
    m = vecs(5)
    col.add_many(list("abcde"), m)
    paths, dist = col.query(m[:3], k=8)
    assert paths.shape == (3, 8) and dist.shape == (3, 8)
    assert paths[:, 0].tolist() == ["a", "b", "c"]
    assert (paths[:, 5:] == "").all() and np.isinf(dist[:, 5:]).all()
    assert np.isfinite(dist[:, :5]).all()
    os.mkdir(path + "/sub")
    col.add_many(["sub/x"], m[:1] + 1)
    p, _ = col.query(m[0], k=10, under="sub")
    assert p.tolist() == ["x"]                      # relative to sub


@pytest.mark.parametrize("kw", [dict(k=0), dict(k=1025), dict(ef=5000)])
def test_query_bad_arguments(col, path, kw):
    col.add_many(["a"], vecs(1))
    with pytest.raises(vexfs.InvalidArgumentError):
        col.query(np.zeros(DIM), **kw)


def test_query_ef_with_exact(col):
    with pytest.raises(ValueError):
        col.query(np.zeros(DIM), exact=True, ef=10)


def test_stats(col):
    col.add_many(["a", "b", "c"], vecs(3))
    col.remove("b")
    s0 = col.stats()
    assert s0.info.count == 2 and s0.info.slots == 3 and s0.free_slots == 1
    assert s0.slot_size == 16 + 4 * DIM and s0.store_bytes > 0
    col.query(np.zeros(DIM), k=2, exact=True)
    s1 = col.stats()
    assert s1.queries == s0.queries + 1 and s1.scanned == s0.scanned + 2


# -- the ANN index -------------------------------------------------------

def test_index(path):
    c = vexfs.Collection.create(path, dim=DIM, metric="l2", m=8,
                                ef_construction=40)
    n = 1100                        # >= VEXFS_INDEX_MIN_VECTORS
    m = vecs(n)
    names = [f"i{i:04d}" for i in range(n)]
    c.add_many(names, m)
    assert c.index.wait() == "ready" and c.index.state == "ready"
    p, d = c.query(m[7], k=5, ef=50)
    assert c.last_query.method == "index" and p[0] == "i0007" and d[0] == 0
    assert c.last_query.scanned < n
    c.query(m[7], k=5, exact=True)
    assert c.last_query.method == "exact" and c.last_query.scanned == n
    s = c.stats()
    assert s.index_live == n and s.index_queries >= 1 and s.index_bytes > 0
    for name in names[:50]:
        c.remove(name)
    assert c.stats().index_deleted > 0
    assert c.index.compact() == "ready"
    s = c.stats()
    assert s.index_deleted == 0 and s.index_live == n - 50
    assert c.index.rebuild() == "ready"
    assert c.stats().index_live == n - 50
    assert c.index.rebuild(wait=False) in ("building", "ready")
    assert c.index.wait() == "ready"


# -- permissions, seen from an unprivileged process ----------------------

def as_user(code, uid=1000):
    """Run @code in a forked child as @uid; return what it prints (JSON).

    A fork, not a new interpreter: starting Python and numpy again costs
    ~10 s under TCG, and the child needs nothing but a new uid.
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                    # the child: never returns to pytest
        status = 1
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                exec(textwrap.dedent(code), {"np": np, "vexfs": vexfs,
                                             "json": json})
            os.write(w, buf.getvalue().encode())
            status = 0
        except BaseException:
            os.write(w, traceback.format_exc().encode())
        finally:
            os._exit(status)
    os.close(w)
    with os.fdopen(r) as f:
        out = f.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0, out
    return json.loads(out)


def test_permission_filtering(col, path):
    """The kernel's query leaves out what the caller cannot read, even
    when it is nearer; Python sees PermissionError for the rest."""
    os.chmod(path, 0o755)
    os.mkdir(path + "/private", 0o700)
    os.mkdir(path + "/listonly", 0o744)     # readable, not searchable
    os.mkdir(path + "/open", 0o755)
    for f, mode in [("secret", 0o600), ("public", 0o644), ("far", 0o644),
                    ("private/inside", 0o644), ("open/visible", 0o644)]:
        touch(os.path.join(path, f), mode)
    q = np.zeros(DIM, dtype=np.float32)
    col.add_many(["secret", "public", "far", "private/inside", "open/visible"],
                 np.stack([q, q + 0.1, q + 3, q + 0.01, q + 0.2]))
    # root sees everything, nearest first
    assert col.query(q, k=5)[0].tolist() == \
        ["secret", "private/inside", "public", "open/visible", "far"]
    got = as_user(f"""
        c = vexfs.Collection({path!r})
        out = {{"paths": c.query(np.zeros({DIM}), k=5)[0].tolist()}}
        for what, call in [("get", lambda: c.get("secret")),
                           ("set", lambda: c.set("public", np.ones({DIM}))),
                           ("remove", lambda: c.remove("public")),
                           ("add_many", lambda: c.add_many(
                               ["public"], np.ones((1, {DIM})))),
                           ("under", lambda: c.query(np.zeros({DIM}),
                                                     under="private")),
                           ("listonly", lambda: c.query(np.zeros({DIM}),
                                                        under="listonly")),
                           ("rebuild", lambda: c.index.rebuild()),
                           ("compact", lambda: c.index.compact())]:
            try:
                call()
                out[what] = "ok"
            except PermissionError as e:
                out[what] = [type(e).__name__, e.errno]
            except vexfs.BatchError as e:
                out[what] = [type(e.failures[0][1]).__name__,
                             e.failures[0][1].errno]
        out["public"] = c.get("public").tolist()
        print(json.dumps(out))
    """)
    # the kernel left out what uid 1000 may not read, though nearer
    assert got["paths"] == ["public", "open/visible", "far"]
    # refused by the kernel's ioctl: VexFSPermissionError (add_many: the
    # item's, in its BatchError)
    for what in ("set", "remove", "add_many", "listonly", "rebuild",
                 "compact"):
        assert got[what][0] == "VexFSPermissionError", (what, got[what])
        assert got[what][1] in (errno.EACCES, errno.EPERM), what
    # refused by open() before any ioctl: Python's own PermissionError
    assert got["get"] == ["PermissionError", errno.EACCES]
    assert got["under"] == ["PermissionError", errno.EACCES]
    assert got["public"] == (q + 0.1).tolist()


def test_cross_collection_rename(col, path):
    other = vexfs.Collection.create(path + "-other", dim=DIM)
    touch(path + "/a")
    col.set("a", np.ones(DIM))
    with pytest.raises(vexfs.CrossCollectionError) as e:
        col.rename("a", other.path + "/a")
    assert e.value.errno == errno.EXDEV and "copy the file" in str(e.value)
    with pytest.raises(vexfs.CrossCollectionError):
        col.rename("a", os.path.join(MNT, "outside-" + os.path.basename(path)))
    col.rename("a", "b")                           # inside: fine
    assert col.get("b").tolist() == [1.0] * DIM


def test_read_only_mount(col, path):
    touch(path + "/a")
    ro = path + "-ro"
    os.mkdir(ro)
    subprocess.run(["mount", "--bind", path, ro], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", ro], check=True)
        c = vexfs.Collection(ro)
        with pytest.raises(vexfs.ReadOnlyError) as e:
            c.set("a", np.ones(DIM))
        assert e.value.errno == errno.EROFS and "read-only" in str(e.value)
        with pytest.raises(vexfs.ReadOnlyError):
            c.add_many(["b"], np.ones((1, DIM)))
        with pytest.raises(vexfs.ReadOnlyError):
            c.index.rebuild()
        c.query(np.ones(DIM), k=1)                 # reading still works
        c.close()
    finally:
        subprocess.run(["umount", ro], check=True)


# -- the README example and the LangChain-style store --------------------

def test_readme_example():
    """docs/python.md's first example, exactly, as a user would run it."""
    here = os.path.dirname(os.path.abspath(__file__))
    example = open(os.path.join(here, "readme_example.py")).read()
    assert example.count("\n") == 5 and "/mnt/docs/" in example
    if not os.path.exists("/mnt/docs") or not os.path.ismount("/mnt/docs"):
        pytest.fail("the example needs VexFS mounted at /mnt/docs")
    # Run in this interpreter (a new one costs ~10 s under TCG), as a
    # script would: its own globals, its own stdout.
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(example, "readme_example.py", "exec"),
             {"__name__": "__main__"})
    # what docs/python.md says it prints
    assert buf.getvalue() == "['cat.txt' 'dog.txt'] [0.00168583 0.01329414]\n"


def toy_embedding(texts):
    """Letter counts: texts sharing letters are near (cosine)."""
    out = np.zeros((len(texts), 26), dtype=np.float32)
    for i, t in enumerate(texts):
        for ch in t.lower():
            if "a" <= ch <= "z":
                out[i, ord(ch) - 97] += 1
    return out


def test_langchain_store(path):
    col = vexfs.Collection.create(path, dim=26, metric="cosine")
    store = VexFSVectorStore(col, toy_embedding)
    ids = store.add_texts(["zebra zoo", "apple pie", "banana bread"],
                          [{"n": 1}, {"n": 2}, {}])
    assert len(ids) == 3 and len(col) == 3
    [doc] = store.similarity_search("zoo of zebras", k=1)
    assert isinstance(doc, Document)
    assert doc.page_content == "zebra zoo" and doc.metadata == {"n": 1}
    assert doc.id == ids[0]
    scored = store.similarity_search_with_score("apple", k=3)
    assert scored[0][0].page_content == "apple pie"
    assert scored[0][1] <= scored[1][1] <= scored[2][1]
    meta = {d.page_content: d.metadata for d, _ in scored}
    assert meta == {"zebra zoo": {"n": 1}, "apple pie": {"n": 2},
                    "banana bread": {}}
    assert store.get_embedding(ids[1]).tolist() == \
        toy_embedding(["apple pie"])[0].tolist()
    assert store.delete([ids[0]]) and len(col) == 2
    assert [d.page_content for d in store.similarity_search("zebra", k=3)] \
        and store.add_texts(["kiwi"], ids=["kiwi"]) == ["kiwi"]
    with pytest.raises(FileExistsError):
        store.add_texts(["kiwi again"], ids=["kiwi"])

    class Embeddings:               # LangChain's Embeddings interface
        def embed_documents(self, texts):
            return toy_embedding(texts).tolist()

        def embed_query(self, text):
            return toy_embedding([text])[0].tolist()

    s2 = VexFSVectorStore.from_texts(["cherry", "grape"], Embeddings(),
                                     path=path + "-from")
    assert s2.collection.dim == 26
    assert s2.similarity_search("cherries", k=1)[0].page_content == "cherry"
