"""Vectors for records: taken from the catalog's cache when their text was embedded (or seeded) before, else
computed and cached at once, then written to the dense store; seed files fill and export the cache."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.catalog import Catalog
from retrieval.record import Record
from retrieval.shared.records import SharedRecords
from retrieval.shared.vectors import TEXT_HASH
from retrieval.vector_store import VectorStore

if TYPE_CHECKING:
    from retrieval.config import IndexConfig, Progress

__all__ = ["LocalVectors", "Vectorizer", "text_hash"]


def text_hash(text: str) -> str:
    """The vector-cache key of an embedding text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _metadata(record: Record, text: str) -> dict[str, str]:
    # the text hash lets a node that fetches the vector tell which version of the record it embeds
    return {"kind": record.kind, "field": record.field or "", "country": record.country or "",
            "language": record.language or "", TEXT_HASH: text_hash(text)}


class Vectorizer:
    """Embeds records into the dense store through the vector cache; one per index."""

    def __init__(self, config: IndexConfig, catalog: Catalog, store: VectorStore, embeddings: Embeddings,
                 model: str, shared: SharedRecords | None = None) -> None:
        """With `shared`, the records to embed are those the shared store lists as pending, and it is told
        when their vectors are stored (the other nodes fetch them then)."""
        self.config = config
        self.catalog = catalog
        self.shared = shared
        self.store = store
        self.embeddings = embeddings
        self.model = model
        catalog.text_hash_version(f"sha256[:32] of title + {config.lead_chars}-char lead")

    def embed_pending(self, progress: Progress | None = None, chunk: int = 1000) -> int:
        """Embed every record whose current content has no vector yet; resumable at any point.

        Vectors come from the cache when their text was embedded before (or seeded); the others are computed
        `embed_batch` at a time and cached at once, so a kill loses at most one embedding batch. The dense
        store and the catalog's embedded marks follow per `chunk` records.
        """
        source = self.shared or self.catalog
        total = source.count_pending()
        done = 0
        while True:
            batch = source.pending(chunk)
            if not batch:
                break

            def step(n: int, done_before: int = done) -> None:
                if progress:
                    progress("vectors", done_before + n, max(total, done_before + n))

            texts = [r.embedding_text(self.config.lead_chars) for r, _ in batch]
            vectors = self.vectors(texts, step)
            self.store.upsert([r.id for r, _ in batch], vectors,
                              [_metadata(r, text) for (r, _), text in zip(batch, texts, strict=True)])
            if self.shared is not None:
                self.shared.mark_embedded([(r.id, digest) for r, digest in batch])
            self.catalog.mark_embedded([(r.id, digest) for r, digest in batch])
            done += len(batch)
            step(0, done)
        return done

    def vectors(self, texts: list[str], progress: Callable[[int], None] | None = None) -> list[list[float]]:
        """The vectors of embedding texts, from the cache or computed (and cached) `embed_batch` at a time."""
        hashes = [text_hash(t) for t in texts]
        cached = self.catalog.cached_vectors(self.model, hashes)
        missing = [i for i, h in enumerate(hashes) if h not in cached]
        step = self.config.embed_batch
        for start in range(0, len(missing), step):
            part = missing[start:start + step]
            fresh = self.embeddings.embed_documents([texts[i] for i in part])
            self.catalog.cache_vectors(self.model, [(hashes[i], v) for i, v in zip(part, fresh, strict=True)])
            cached.update({hashes[i]: np.asarray(v, dtype=np.float32) for i, v in zip(part, fresh, strict=True)})
            if progress:
                progress(len(texts) - len(missing) + start + len(part))
        return [cached[h].tolist() for h in hashes]

    def seed_vectors(self, path: Path) -> int:
        """Load a vector file (`hashes`, `vectors` arrays in .npz) into the cache; returns how many."""
        with np.load(path) as data:
            hashes = [str(h) for h in data["hashes"]]
            vectors = np.asarray(data["vectors"], dtype=np.float32)
        known = self.catalog.cached_vectors(self.model, hashes)
        fresh = [(h, v) for h, v in zip(hashes, vectors, strict=True) if h not in known]
        self.catalog.cache_vectors(self.model, fresh)
        return len(fresh)

    def export_vectors(self, path: Path) -> int:
        """Write the vectors of every record's current embedding text to an .npz seed file."""
        texts = [r.embedding_text(self.config.lead_chars) for r in self.catalog.iter_records()]
        hashes = [text_hash(t) for t in texts]
        vectors = self.vectors(texts)
        np.savez_compressed(path, hashes=np.array(hashes), vectors=np.asarray(vectors, dtype=np.float16))
        return len(hashes)

    @property
    def seed_name(self) -> str:
        """The file name a seed vector file for this embedder has beside an ingested file."""
        return f"vectors.{self.model}.npz"


class LocalVectors:
    """The vectors of records this node holds, computed here through the vector cache: where a replica takes the
    vectors it lacks when no Chroma server holds them (`retrieval.shared.vectors.VectorSource`)."""

    def __init__(self, vectorizer: Vectorizer) -> None:
        self.vectorizer = vectorizer

    def vectors(self, ids: Sequence[str]) -> dict[str, tuple[str | None, np.ndarray]]:
        records = self.vectorizer.catalog.get_many(ids)
        texts = {rid: r.embedding_text(self.vectorizer.config.lead_chars) for rid, r in records.items()}
        vectors = self.vectorizer.vectors(list(texts.values()))
        return {rid: (text_hash(text), np.asarray(vector, dtype=np.float32))
                for (rid, text), vector in zip(texts.items(), vectors, strict=True)}
