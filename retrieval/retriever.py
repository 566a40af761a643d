"""`HybridRetriever`: the hybrid search as a LangChain `BaseRetriever`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from retrieval.catalog import Filters
from retrieval.embedder import DEFAULT_EMBEDDER, make_embeddings
from retrieval.index import Hit, Index, IndexConfig

__all__ = ["HybridRetriever", "hit_to_document"]


def hit_to_document(hit: Hit) -> Document:
    """A search hit as a LangChain Document: text = title + description, metadata = record fields."""
    record = hit.record
    metadata = {key: value for key, value in record.model_dump().items() if key not in ("description",)}
    metadata["score"] = hit.score
    return Document(page_content=f"{record.title}\n{record.description}", metadata=metadata, id=record.id)


class HybridRetriever(BaseRetriever):
    """Hybrid (lexical + dense) retrieval over an existing index directory."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    data_dir: Path = Path(os.environ.get("TTC_DATA_DIR", ".ttc"))
    k: int = 10
    kind: str | None = None
    field: str | None = None
    country: str | None = None
    embedder: str = os.environ.get("TTC_EMBEDDER", DEFAULT_EMBEDDER)
    chroma_url: str | None = os.environ.get("TTC_CHROMA_URL") or None
    index: Index | None = None
    _index: Index | None = PrivateAttr(default=None)

    def _get_index(self) -> Index:
        if self.index is not None:
            return self.index
        if self._index is None:
            self._index = Index(IndexConfig(Path(self.data_dir), self.embedder, self.chroma_url),
                                make_embeddings(self.embedder))
        return self._index

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                **kwargs: Any) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        filters = Filters(kind=kwargs.get("kind", self.kind), field=kwargs.get("field", self.field),
                          country=kwargs.get("country", self.country))
        return [hit_to_document(h) for h in self._get_index().search(query, k=k, filters=filters)]
