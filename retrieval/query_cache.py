"""A small LRU cache in front of `embed_query`: the topic gate and hybrid search embed the same question."""

from __future__ import annotations

import threading
from collections import OrderedDict

from langchain_core.embeddings import Embeddings

__all__ = ["QueryCache"]


class QueryCache(Embeddings):
    """Delegates to `inner`; remembers the last `size` query vectors (documents are never cached here)."""

    def __init__(self, inner: Embeddings, size: int = 256) -> None:
        self.inner = inner
        self.size = size
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors, straight from the wrapped embedder."""
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        """The query vector, computed once per distinct text among the recent ones."""
        with self._lock:
            if text in self._vectors:
                self._vectors.move_to_end(text)
                return list(self._vectors[text])
        vector = self.inner.embed_query(text)
        with self._lock:
            self._vectors[text] = list(vector)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector

    def clear(self) -> None:
        """Forget every cached query vector."""
        with self._lock:
            self._vectors.clear()
