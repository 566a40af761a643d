"""The searchable corpus: catalog (records + lexical) and Chroma (dense), kept consistent by content hash."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.catalog import Catalog, Filters
from retrieval.errors import InvalidInput
from retrieval.hybrid import Hit, rank_hybrid
from retrieval.language import detect_language
from retrieval.ranking import LEXICAL_WEIGHT
from retrieval.record import Record, content_hash
from retrieval.snapshot import VectorSnapshot
from retrieval.snapshot_file import load_snapshot, save_snapshot
from retrieval.tokenizer import index_terms
from retrieval.vector_store import VectorStore

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
    lexical_weight: float = LEXICAL_WEIGHT
    freshness_seconds: float = 1.0


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


_BACKGROUND_RELOAD_FROM = 1.5
"""Seconds a snapshot load may take before reloads move to a background thread (`Index.snapshot`)."""

_BACKGROUND_RELOAD_RECORDS = 20_000
"""Snapshots this large reload in the background whatever their last load cost: mapping a stored snapshot takes
milliseconds, but the next generation usually has to be built (about 2 s at 20k records on a busy machine)."""

_OPTIMIZE_FROM = 5000
"""Writes of at least this many records end by merging the lexical index's segments."""

_PARALLEL_FROM = 4000
"""Writes of at least this many records tokenize in worker processes."""


def _lexical_entries(texts: list[str]) -> list[str]:
    """The FTS5 entries of searchable texts (runs in a worker process for large writes)."""
    return [" ".join(index_terms(text)) for text in texts]


_Mapper = Callable[[Iterable[list[str]]], Iterator[list[str]]]


@contextmanager
def _terms_pool(workers: int) -> Iterator[_Mapper]:
    """Lexical entries of text batches, in order: lazily in forked worker processes with at most `workers + 1`
    batches in flight, or here when `workers` is 1. Fork, not spawn: spawning re-runs an unguarded calling
    script in every worker; the callers that ask for workers are short-lived commands, not threaded servers."""
    if workers <= 1 or sys.platform != "linux":
        yield lambda chunks: map(_lexical_entries, chunks)
        return
    import multiprocessing

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        def mapper(chunks: Iterable[list[str]]) -> Iterator[list[str]]:
            pending: list[Future[list[str]]] = []
            for chunk in chunks:
                pending.append(pool.submit(_lexical_entries, chunk))
                if len(pending) > workers:
                    yield pending.pop(0).result()
            for future in pending:
                yield future.result()

        yield mapper


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
        self._snapshot: VectorSnapshot | None = None
        # PRAGMA data_version on a connection of its own changes with every commit to the catalog, from
        # this process or another one (`ttc ingest` while `ttc serve` runs); reading it costs no I/O
        self._watch = sqlite3.connect(config.data_dir / "catalog.sqlite", check_same_thread=False)
        self._seen_version = -1
        self._checked = 0.0
        self._snapshot_lock = threading.Lock()
        self._load_seconds = 0.0
        self._reloading = False
        self._generation = 0
        self.catalog.text_hash_version(f"sha256[:32] of title + {config.lead_chars}-char lead")

    def close(self) -> None:
        self.catalog.close()
        self._watch.close()

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

    def write(self, items: Sequence[tuple[Record, str]], progress: Progress | None = None, batch: int = 2000,
              parallel: bool = False) -> None:
        """Write records to the catalog (lexically searchable at once); vectors follow in `embed_pending`.

        With `parallel` (a command-line ingest, not a server), a large write tokenizes in forked worker
        processes, one per core, while this one inserts the previous batch.
        """
        batches = [items[start:start + batch] for start in range(0, len(items), batch)]
        texts = ([r.searchable_text() for r, _ in chunk] for chunk in batches)
        workers = min(os.cpu_count() or 1, 4) if parallel and len(items) >= _PARALLEL_FROM else 1
        with _terms_pool(workers) as mapper:
            done = 0
            for chunk, terms in zip(batches, mapper(texts), strict=True):
                hashes = [_text_hash(r.embedding_text(self.config.lead_chars)) for r, _ in chunk]
                self.catalog.upsert(chunk, hashes, terms)
                done += len(chunk)
                if progress:
                    progress("records", done, len(items))
        if len(items) >= _OPTIMIZE_FROM:
            self.catalog.optimize_lexical()

    def embed_pending(self, progress: Progress | None = None, chunk: int = 1000) -> int:
        """Embed every record whose current content has no vector yet; resumable at any point.

        Vectors come from the cache when their text was embedded before (or seeded); the others are computed
        `embed_batch` at a time and cached at once, so a kill loses at most one embedding batch. The dense
        store and the catalog's embedded marks follow per `chunk` records.
        """
        total = self.catalog.count_pending()
        done = 0
        while True:
            batch = self.catalog.pending(chunk)
            if not batch:
                break

            def step(n: int, done_before: int = done) -> None:
                if progress:
                    progress("vectors", done_before + n, max(total, done_before + n))

            vectors = self._vectors([r.embedding_text(self.config.lead_chars) for r, _ in batch], step)
            self.store.upsert([r.id for r, _ in batch], vectors, [_metadata(r) for r, _ in batch])
            self.catalog.mark_embedded([(r.id, digest) for r, digest in batch])
            done += len(batch)
            step(0, done)
        if done:
            self._snapshot = None
        return done

    def _vectors(self, texts: list[str], progress: Callable[[int], None] | None = None) -> list[list[float]]:
        hashes = [_text_hash(t) for t in texts]
        cached = self.catalog.cached_vectors(self._model, hashes)
        missing = [i for i, h in enumerate(hashes) if h not in cached]
        step = self.config.embed_batch
        for start in range(0, len(missing), step):
            part = missing[start:start + step]
            fresh = self.embeddings.embed_documents([texts[i] for i in part])
            self.catalog.cache_vectors(self._model, [(hashes[i], v) for i, v in zip(part, fresh, strict=True)])
            cached.update({hashes[i]: np.asarray(v, dtype=np.float32) for i, v in zip(part, fresh, strict=True)})
            if progress:
                progress(len(texts) - len(missing) + start + len(part))
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
        self._snapshot = None
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
        """Hybrid search: calibrated dense candidates of every language plus BM25, fused by score.

        Dense candidates are the best records of each language, their cosines turned into z-scores within
        their language (`retrieval.calibration`), which removes the embedder's preference for the query's
        own language, then measured against each record's usual z-scores, which keeps records that score
        high for any query (one-line entries, hubs) from the top; BM25 adds a bounded bonus
        (`retrieval.ranking`). Both sources apply `filters`.
        """
        query = query.strip()
        if not query:
            raise InvalidInput("the query is empty")
        if not 1 <= k <= 100:
            raise InvalidInput("k must be between 1 and 100")
        vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        return rank_hybrid(self, vector, query, k, filters or Filters())

    def snapshot(self) -> VectorSnapshot:
        """The in-memory vectors; rebuilt when the catalog changed (checked at most once per `freshness_seconds`).

        A small corpus reloads at once. From `_BACKGROUND_RELOAD_RECORDS` records, or when the last load took
        longer than `_BACKGROUND_RELOAD_FROM` seconds, the new snapshot is built in a background thread and the
        current one keeps answering meanwhile, so a backfill committing every few seconds in another process
        (`ttc embed` while `ttc serve` runs) does not stall every search behind a multi-second reload.
        """
        with self._snapshot_lock:
            now = time.monotonic()
            current = self._snapshot
            if current is not None and now - self._checked < self.config.freshness_seconds:
                return current
            self._checked = now
            version = int(self._watch.execute("PRAGMA data_version").fetchone()[0])
            if current is not None and version != self._seen_version and not self._reloading \
                    and self.catalog.generation() == current.generation:
                self._seen_version = version  # a commit that changed nothing the snapshot holds
            if current is None or version != self._seen_version:
                if current is not None and (self._load_seconds > _BACKGROUND_RELOAD_FROM
                                            or len(current) >= _BACKGROUND_RELOAD_RECORDS):
                    if not self._reloading:
                        self._seen_version = version
                        self._reloading = True
                        threading.Thread(target=self._reload, args=(self._generation,), daemon=True,
                                         name="ttc-snapshot-reload").start()
                    return current
                # read before loading, so a commit during the load makes the next check reload
                self._seen_version = version
                started = time.monotonic()
                current = self._load_snapshot()
                self._load_seconds = time.monotonic() - started
                self._generation += 1
                self._snapshot = current
            return current

    def prepare_snapshot(self, progress: Progress | None = None) -> int:
        """Build the snapshot now, and store it for the next process (`retrieval.snapshot_file`): a batch command
        pays for it instead of the first search of `ttc serve`. Returns how many vectors it holds."""
        if progress:
            progress("snapshot", 0, 1)
        with self._snapshot_lock:
            self._snapshot = None  # load synchronously, whatever the last load cost
        size = len(self.snapshot())
        if progress:
            progress("snapshot", 1, 1)
        return size

    def _reload(self, generation: int) -> None:
        """Build a snapshot off the request path; install it unless a synchronous load replaced the old one."""
        try:
            started = time.monotonic()
            fresh = self._load_snapshot()
            with self._snapshot_lock:
                self._load_seconds = time.monotonic() - started
                if self._generation == generation and self._snapshot is not None:
                    self._generation += 1
                    self._snapshot = fresh
        finally:
            with self._snapshot_lock:
                self._reloading = False

    def _load_snapshot(self) -> VectorSnapshot:
        """Every record with a cached vector for its current embedding text (embedded or seeded): the stored
        snapshot of the catalog's generation when there is one, else built in one query and stored."""
        while missing := self.catalog.missing_text_hashes(5000):  # older catalogs, or the lead length changed
            self.catalog.set_text_hashes(
                [(num, _text_hash(r.embedding_text(self.config.lead_chars))) for num, r in missing])
        generation = self.catalog.generation()
        directory = self.config.data_dir / "snapshots"
        snapshot = load_snapshot(directory, self._model, generation)
        if snapshot is None:
            ids, columns, matrix = self.catalog.vector_table(self._model)
            snapshot = VectorSnapshot(ids, columns, matrix)
            if self.catalog.generation() == generation:  # else it may hold a later write: not this generation's
                save_snapshot(snapshot, directory, self._model, generation)
        snapshot.generation = generation
        return snapshot

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
