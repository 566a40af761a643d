"""Reading vectors back from Chroma, the store of truth for vectors when several nodes share a Chroma server.

Each vector is written with the hash of the text it embeds (`text_hash` in its metadata), so a node that fetches it
can tell whether it belongs to the version of the record it holds, and caches it under that hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

__all__ = ["TEXT_HASH", "VectorSource", "read_vectors"]

TEXT_HASH = "text_hash"
"""The metadata key holding the hash of the embedded text."""

_CHUNK = 500


class VectorSource(Protocol):
    """Where a replica fetches vectors: id → (hash of the embedded text or None when unknown, vector)."""

    def vectors(self, ids: Sequence[str]) -> dict[str, tuple[str | None, np.ndarray]]: ...


def read_vectors(collection: Any, ids: Sequence[str]) -> dict[str, tuple[str | None, np.ndarray]]:
    """The vectors of `ids` that a Chroma collection holds (the others are left out), `_CHUNK` ids per request."""
    out: dict[str, tuple[str | None, np.ndarray]] = {}
    for start in range(0, len(ids), _CHUNK):
        found = collection.get(ids=list(ids[start:start + _CHUNK]), include=["embeddings", "metadatas"])
        embeddings = found.get("embeddings")
        if embeddings is None:
            continue
        metadatas = found.get("metadatas") or [None] * len(found["ids"])
        for rid, vector, meta in zip(found["ids"], embeddings, metadatas, strict=True):
            text_hash = (meta or {}).get(TEXT_HASH)
            out[rid] = (str(text_hash) if text_hash else None, np.asarray(vector, dtype=np.float32))
    return out
