"""What ranking reads from an index (`Searchable`): its settings, embedder, records, lexical index, dense store and
vector snapshot. `retrieval.index.Index` is one; ranking depends on this shape, not on the class that builds it."""

from __future__ import annotations

from typing import Protocol

from langchain_core.embeddings import Embeddings

from retrieval.catalog import Catalog, Filters
from retrieval.config import IndexConfig
from retrieval.snapshot import VectorSnapshot
from retrieval.vector_store import VectorStore

__all__ = ["Searchable"]


class Searchable(Protocol):
    """An index as the ranking functions see it."""

    config: IndexConfig
    embeddings: Embeddings
    catalog: Catalog
    store: VectorStore

    def snapshot(self) -> VectorSnapshot:
        """The in-memory vectors, current with the catalog."""
        ...

    def lexical(self, query: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        """BM25 over the catalog: (id, score), best first."""
        ...
