# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A LangChain-style vector store kept in a VexFS collection.

It follows the method names and return types of LangChain's VectorStore
(add_texts, similarity_search, similarity_search_with_score,
similarity_search_by_vector, from_texts, delete) without importing
LangChain: it has no dependency beyond numpy.  Each text is a file of the
collection (its content, UTF-8), its metadata a JSON xattr
``user.vexfs.metadata`` on that file, and its embedding the file's.

The embedding is the caller's: either a callable that maps a list of
strings to an (n, dim) array, or any object with LangChain's Embeddings
methods ``embed_documents(texts)`` and ``embed_query(text)``.

    store = VexFSVectorStore(vexfs.Collection("/mnt/docs/c"), embed)
    store.add_texts(["VexFS is a filesystem"], [{"source": "readme"}])
    for doc in store.similarity_search("what is vexfs?", k=1):
        print(doc.page_content, doc.metadata)

Where LangChain is installed, pass ``langchain_core.documents.Document``
as document_class to get its own Document objects.
"""

import dataclasses
import json
import os
import uuid
from typing import (Any, Callable, Dict, Iterable, List, Optional, Sequence,
                    Tuple)

import numpy as np

from .collection import Collection
from .errors import NoEmbeddingError

METADATA_XATTR = "user.vexfs.metadata"


@dataclasses.dataclass
class Document:
    """A text and its metadata, as LangChain's Document has them."""
    page_content: str
    metadata: Dict[str, Any] = dataclasses.field(default_factory=dict)
    id: Optional[str] = None


class VexFSVectorStore:
    """Texts with embeddings in a VexFS collection, searched by the kernel.

    *collection* is an open vexfs.Collection; *embedding* a callable
    ``f(list_of_texts) -> array (n, dim)`` or an object with
    ``embed_documents`` and ``embed_query``.  Texts are files named by
    their ids (uuid4 hex, or the ids given) plus *suffix*, in the
    collection's directory.
    """

    def __init__(self, collection: Collection, embedding: Any, *,
                 suffix: str = ".txt", document_class: Callable = Document):
        self.collection = collection
        self.embedding = embedding
        self.suffix = suffix
        self.document_class = document_class

    # -- embedding ---------------------------------------------------

    def _embed_documents(self, texts: List[str]) -> np.ndarray:
        if hasattr(self.embedding, "embed_documents"):
            v = self.embedding.embed_documents(texts)
        else:
            v = self.embedding(texts)
        return np.asarray(v, dtype=np.float32).reshape(len(texts), -1)

    def _embed_query(self, text: str) -> np.ndarray:
        if hasattr(self.embedding, "embed_query"):
            v = self.embedding.embed_query(text)
        else:
            v = self.embedding([text])
        return np.asarray(v, dtype=np.float32).reshape(-1)

    # -- writing -----------------------------------------------------

    def add_texts(self, texts: Iterable[str],
                  metadatas: Optional[Sequence[Dict[str, Any]]] = None, *,
                  ids: Optional[Sequence[str]] = None,
                  **kwargs: Any) -> List[str]:
        """Store *texts* (with *metadatas*) and their embeddings; return ids.

        Each text is written to a new file (an existing id fails with
        FileExistsError before anything of that text is written); then
        all embeddings are set in batches (Collection.add_many).
        """
        texts = list(texts)
        if metadatas is not None and len(metadatas) != len(texts):
            raise ValueError("add_texts: one metadata dict per text")
        if ids is None:
            ids = [uuid.uuid4().hex for _ in texts]
        elif len(ids) != len(texts):
            raise ValueError("add_texts: one id per text")
        ids = list(ids)
        if not texts:
            return []
        vectors = self._embed_documents(texts)
        names = [i + self.suffix for i in ids]
        for i, (name, text) in enumerate(zip(names, texts)):
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | os.O_CLOEXEC, 0o644, dir_fd=self.collection.fileno())
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            if metadatas is not None and metadatas[i]:
                os.setxattr(self._path(name), METADATA_XATTR,
                            json.dumps(metadatas[i]).encode())
        self.collection.add_many(names, vectors, create=False)
        return ids

    def delete(self, ids: Optional[Sequence[str]] = None,
               **kwargs: Any) -> Optional[bool]:
        """Delete the texts *ids* (their files, and so their embeddings)."""
        if ids is None:
            return None
        for i in ids:
            os.unlink(self._path(i + self.suffix))
        return True

    @classmethod
    def from_texts(cls, texts: List[str], embedding: Any,
                   metadatas: Optional[List[Dict[str, Any]]] = None, *,
                   path: str, metric: str = "cosine",
                   **kwargs: Any) -> "VexFSVectorStore":
        """A new collection at *path* (dimension from the first embedding)
        holding *texts*."""
        probe = cls(None, embedding)._embed_query(texts[0]) if texts else None
        if probe is None:
            raise ValueError("from_texts: no texts to learn the dimension from")
        col = Collection.create(path, dim=probe.shape[0], metric=metric)
        store = cls(col, embedding, **kwargs)
        store.add_texts(texts, metadatas)
        return store

    # -- searching ---------------------------------------------------

    def _path(self, name: str) -> str:
        return os.path.join(self.collection.path, name)

    def _document(self, rel: str) -> Any:
        path = self._path(rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            meta = json.loads(os.getxattr(path, METADATA_XATTR))
        except OSError:
            meta = {}
        base = os.path.basename(rel)
        doc_id = base[:-len(self.suffix)] if self.suffix and \
            base.endswith(self.suffix) else base
        try:
            return self.document_class(page_content=text, metadata=meta,
                                       id=doc_id)
        except TypeError:       # a Document class without an id field
            return self.document_class(page_content=text, metadata=meta)

    def similarity_search_by_vector_with_score(
            self, embedding: Sequence[float], k: int = 4,
            **kwargs: Any) -> List[Tuple[Any, float]]:
        """(document, distance) of the k nearest texts; smaller is nearer.

        Extra keyword arguments (ef, exact) go to Collection.query.
        """
        paths, dists = self.collection.query(np.asarray(embedding,
                                                        dtype=np.float32),
                                             k=k, **kwargs)
        return [(self._document(p), float(d)) for p, d in zip(paths, dists)]

    def similarity_search_with_score(self, query: str, k: int = 4,
                                     **kwargs: Any) -> List[Tuple[Any, float]]:
        """(document, distance) of the k texts nearest to *query*."""
        return self.similarity_search_by_vector_with_score(
            self._embed_query(query), k, **kwargs)

    def similarity_search_by_vector(self, embedding: Sequence[float],
                                    k: int = 4, **kwargs: Any) -> List[Any]:
        """The k documents nearest to *embedding*."""
        return [d for d, _ in self.similarity_search_by_vector_with_score(
            embedding, k, **kwargs)]

    def similarity_search(self, query: str, k: int = 4,
                          **kwargs: Any) -> List[Any]:
        """The k documents nearest to the text *query*."""
        return [d for d, _ in self.similarity_search_with_score(
            query, k, **kwargs)]

    def get_embedding(self, doc_id: str) -> Optional[np.ndarray]:
        """The stored embedding of the text *doc_id*, or None."""
        try:
            return self.collection.get(doc_id + self.suffix)
        except NoEmbeddingError:
            return None
