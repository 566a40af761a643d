"""Writing records to the index: languages filled in, changes told from unchanged records, lexical entries
tokenized (in worker processes for a large command-line write) and written to the catalog in batches."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from retrieval.catalog import Catalog
from retrieval.language import detect_language
from retrieval.record import Record, content_hash
from retrieval.shared.records import SharedRecords
from retrieval.tokenizer import index_terms
from retrieval.vectorizer import text_hash

if TYPE_CHECKING:
    from retrieval.config import IndexConfig, Progress

__all__ = ["RecordWriter"]

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


class RecordWriter:
    """Writes records to the catalog, where they are lexically searchable at once."""

    def __init__(self, config: IndexConfig, catalog: Catalog, shared: SharedRecords | None = None) -> None:
        """With `shared`, records are written there first (the source of truth several nodes share), then to
        this node's catalog at once (its replica: the change feed brings the same write back, and applying it
        again changes nothing)."""
        self.config = config
        self.catalog = catalog
        self.shared = shared

    def prepare(self, record: Record) -> Record:
        """Fill what the index derives: the language, when the record does not say."""
        if record.language:
            return record
        return record.model_copy(update={"language": detect_language(f"{record.title}\n{record.description}")})

    def classify(self, records: Sequence[Record]) -> tuple[list[tuple[Record, str]], int, int, int]:
        """Split records into (changed with hashes, added, updated, unchanged)."""
        known = (self.shared or self.catalog).hashes([r.id for r in records])
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
                hashes = [text_hash(r.embedding_text(self.config.lead_chars)) for r, _ in chunk]
                if self.shared is not None:
                    self.shared.upsert(chunk, hashes)
                self.catalog.upsert(chunk, hashes, terms)
                done += len(chunk)
                if progress:
                    progress("records", done, len(items))
        if len(items) >= _OPTIMIZE_FROM:
            self.catalog.optimize_lexical()
