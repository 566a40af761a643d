"""The searchable corpus: catalog (records + lexical) and Chroma (dense), kept consistent by content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.catalog import Catalog, Filters
from retrieval.errors import InvalidInput
from retrieval.fusion import reciprocal_rank_fusion
from retrieval.language import detect_language
from retrieval.record import Record, content_hash
from retrieval.snippet import make_snippet
from retrieval.store import VectorStore

__all__ = ["Hit", "Index", "IndexConfig", "Progress"]

Progress = Callable[[str, int, int], None]
"""progress(phase, done, total)"""


@dataclass(frozen=True)
class IndexConfig:
    """Where the index lives and how records are embedded."""

    data_dir: Path
    embedder_name: str
    chroma_url: str | None = None
    lead_chars: int = 400
    embed_batch: int = 64
    candidates: int = 50


@dataclass(frozen=True)
class Hit:
    """One search result."""

    record: Record
    score: float
    snippet: str
    sources: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        r = self.record
        return {"id": r.id, "kind": r.kind, "title": r.title, "organization": r.organization,
                "country": r.country, "field": r.field, "score": round(self.score, 6), "snippet": self.snippet}


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _metadata(record: Record) -> dict[str, str]:
    return {"kind": record.kind, "field": record.field or "", "country": record.country or "",
            "language": record.language or ""}


class Index:
    """Ingest, search, fetch and delete records; one instance per data directory."""

    def __init__(self, config: IndexConfig, embeddings: Embeddings) -> None:
        from retrieval.embedder import embedder_slug

        self.config = config
        self.embeddings = embeddings
        self._model = embedder_slug(config.embedder_name)
        self.catalog = Catalog(config.data_dir / "catalog.sqlite")
        self.store = VectorStore(config.data_dir / "chroma", f"records-{self._model}", config.chroma_url)

    def close(self) -> None:
        self.catalog.close()

    # -- writing -------------------------------------------------------------------------------------
    def prepare(self, record: Record) -> Record:
        """Fill what the index derives: the language, when the record does not say."""
        if record.language:
            return record
        return record.model_copy(update={"language": detect_language(f"{record.title}\n{record.description}")})

    def classify(self, records: Sequence[Record]) -> tuple[list[tuple[Record, str]], int, int, int]:
        """Split records into (changed with hashes, added, updated, unchanged)."""
        known = self.catalog.hashes([r.id for r in records])
        changed: list[tuple[Record, str]] = []
        added = updated = unchanged = 0
        for record in records:
            digest = content_hash(record)
            previous = known.get(record.id)
            if previous is None:
                added += 1
            elif previous[0] == digest:
                unchanged += 1
                continue
            else:
                updated += 1
            changed.append((record, digest))
        return changed, added, updated, unchanged

    def write(self, items: Sequence[tuple[Record, str]], progress: Progress | None = None, batch: int = 500) -> None:
        """Write records to the catalog (lexically searchable at once); vectors follow in `embed_pending`."""
        for start in range(0, len(items), batch):
            self.catalog.upsert(items[start:start + batch])
            if progress:
                progress("records", min(start + batch, len(items)), len(items))

    def embed_pending(self, progress: Progress | None = None) -> int:
        """Embed every record whose current content has no vector yet; resumable at any point."""
        total = self.catalog.count_pending()
        done = 0
        while True:
            batch = self.catalog.pending(self.config.embed_batch)
            if not batch:
                break
            vectors = self._vectors([r.embedding_text(self.config.lead_chars) for r, _ in batch])
            self.store.upsert([r.id for r, _ in batch], vectors, [_metadata(r) for r, _ in batch])
            self.catalog.mark_embedded([(r.id, digest) for r, digest in batch])
            done += len(batch)
            if progress:
                progress("vectors", done, max(total, done))
        return done

    def _vectors(self, texts: list[str]) -> list[list[float]]:
        hashes = [_text_hash(t) for t in texts]
        cached = self.catalog.cached_vectors(self._model, hashes)
        missing = [i for i, h in enumerate(hashes) if h not in cached]
        if missing:
            fresh = self.embeddings.embed_documents([texts[i] for i in missing])
            self.catalog.cache_vectors(self._model, [(hashes[i], v) for i, v in zip(missing, fresh, strict=True)])
            cached.update({hashes[i]: np.asarray(v, dtype=np.float32) for i, v in zip(missing, fresh, strict=True)})
        return [cached[h].tolist() for h in hashes]

    def seed_vectors(self, path: Path) -> int:
        """Load a vector file (`hashes`, `vectors` arrays in .npz) into the cache; returns how many."""
        with np.load(path) as data:
            hashes = [str(h) for h in data["hashes"]]
            vectors = np.asarray(data["vectors"], dtype=np.float32)
        known = self.catalog.cached_vectors(self._model, hashes)
        fresh = [(h, v) for h, v in zip(hashes, vectors, strict=True) if h not in known]
        self.catalog.cache_vectors(self._model, fresh)
        return len(fresh)

    def export_vectors(self, path: Path) -> int:
        """Write the vectors of every record's current embedding text to an .npz seed file."""
        texts = [r.embedding_text(self.config.lead_chars) for r in self.catalog.iter_records()]
        hashes = [_text_hash(t) for t in texts]
        vectors = self._vectors(texts)
        np.savez_compressed(path, hashes=np.array(hashes), vectors=np.asarray(vectors, dtype=np.float16))
        return len(hashes)

    @property
    def seed_name(self) -> str:
        """The file name a seed vector file for this embedder has beside an ingested file."""
        return f"vectors.{self._model}.npz"

    def delete(self, record_id: str) -> bool:
        found = self.catalog.delete(record_id)
        self.store.delete([record_id])
        return found

    # -- reading -------------------------------------------------------------------------------------
    def get(self, record_id: str) -> Record | None:
        stored = self.catalog.get(record_id)
        return stored.record if stored else None

    def dense(self, query: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        return self.store.query(self.embeddings.embed_query(query), limit, filters)

    def lexical(self, query: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        return self.catalog.lexical_search(query, limit, filters)

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """Hybrid search: dense and lexical candidates fused by reciprocal rank."""
        query = query.strip()
        if not query:
            raise InvalidInput("the query is empty")
        if not 1 <= k <= 100:
            raise InvalidInput("k must be between 1 and 100")
        filters = filters or Filters()
        limit = max(self.config.candidates, k)
        dense = self.dense(query, limit, filters)
        lexical = self.lexical(query, limit, filters)
        fused = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]])
        top = fused[: k * 2]
        records = self.catalog.get_many([i for i, _ in top])
        dense_rank = {i: n for n, (i, _) in enumerate(dense, 1)}
        lexical_rank = {i: n for n, (i, _) in enumerate(lexical, 1)}
        hits = []
        for rid, score in top:
            record = records.get(rid)
            if record is None:
                continue
            sources = {name: rank for name, rank in (("dense", dense_rank.get(rid)), ("lexical", lexical_rank.get(rid)))
                       if rank is not None}
            hits.append(Hit(record, score, make_snippet(record.description, query), sources))
            if len(hits) == k:
                break
        return hits

    def stats(self) -> dict[str, Any]:
        catalog = self.catalog
        return {
            "records": catalog.count(),
            "by_kind": catalog.counts_by("kind"),
            "by_field": catalog.counts_by("field"),
            "by_language": catalog.counts_by("language"),
            "by_country": catalog.counts_by("country"),
            "index": {
                "embedder": self.config.embedder_name,
                "vectors": self.store.count(),
                "pending_vectors": catalog.count_pending(),
                "catalog_bytes": catalog.size_bytes(),
                "chroma": self.config.chroma_url or str(self.config.data_dir / "chroma"),
            },
        }
