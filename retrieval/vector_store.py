"""Dense vectors in Chroma: an embedded PersistentClient by default, a Chroma server when a URL is set."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from retrieval.catalog import Filters, countries_in
from retrieval.errors import InvalidInput, Unavailable
from retrieval.shared.vectors import read_vectors

__all__ = ["VectorStore"]


def _client(path: Path, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not url:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidInput(f"TTC_CHROMA_URL must look like http://host:port, got {url!r}")
    try:
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    except Exception as exc:  # the client raises plain Exceptions for connection failures
        raise Unavailable(f"cannot reach the Chroma server at {url}: {exc.__class__.__name__}") from None


class VectorStore:
    """One Chroma collection per embedder; metadata holds only the filter fields."""

    def __init__(self, path: Path, collection: str, url: str | None = None) -> None:
        self._url = url
        self._client = _client(path, url)
        self._lock = threading.Lock()
        self._collection = self._call(
            lambda: self._client.get_or_create_collection(collection, metadata={"hnsw:space": "cosine"})
        )

    def _call(self, fn: Any) -> Any:
        try:
            return fn()
        except (InvalidInput, Unavailable):
            raise
        except Exception as exc:
            if self._url:
                raise Unavailable(f"Chroma server at {self._url} failed: {exc.__class__.__name__}") from None
            raise

    def upsert(self, ids: Sequence[str], vectors: Sequence[Sequence[float]],
               metadatas: Sequence[dict[str, str]]) -> None:
        if not ids:
            return
        with self._lock:
            self._call(lambda: self._collection.upsert(
                ids=list(ids), embeddings=[list(v) for v in vectors], metadatas=list(metadatas)))

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._call(lambda: self._collection.delete(ids=list(ids)))

    def query(self, vector: Sequence[float], limit: int, filters: Filters) -> list[tuple[str, float]]:
        """(id, cosine similarity) best first."""
        pairs: list[dict[str, Any]] = []
        for name, value in filters.items():
            values = countries_in(value) if name == "country" else (value,)
            pairs.append({name: values[0]} if len(values) == 1 else {name: {"$in": list(values)}})
        where: dict[str, Any] | None = None if not pairs else pairs[0] if len(pairs) == 1 else {"$and": pairs}
        result = self._call(lambda: self._collection.query(
            query_embeddings=[list(vector)], n_results=limit, where=where, include=["distances"]))
        ids = result["ids"][0] if result["ids"] else []
        distances = result["distances"][0] if result.get("distances") else [0.0] * len(ids)
        return [(rid, 1.0 - float(d)) for rid, d in zip(ids, distances, strict=False)]

    def vectors(self, ids: Sequence[str]) -> dict[str, tuple[str | None, np.ndarray]]:
        """id → (hash of the embedded text when it was written with one, vector) of the ids the collection holds."""
        return dict(self._call(lambda: read_vectors(self._collection, ids)))

    def count(self) -> int:
        return int(self._call(self._collection.count))
