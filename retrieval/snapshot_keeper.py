"""Keeps the index's vector snapshot current: reloaded when the catalog changed, in the background when a
reload would stall searches, and taken from the stored file of the catalog's generation when there is one."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from retrieval.catalog import Catalog
from retrieval.catalog.database import open_catalog
from retrieval.snapshot import VectorSnapshot
from retrieval.snapshot_file import load_snapshot, save_snapshot
from retrieval.vectorizer import text_hash

if TYPE_CHECKING:
    from retrieval.config import IndexConfig, Progress

__all__ = ["SnapshotKeeper"]

_BACKGROUND_RELOAD_FROM = 1.5
"""Seconds a snapshot load may take before reloads move to a background thread (`SnapshotKeeper.current`)."""

_BACKGROUND_RELOAD_RECORDS = 20_000
"""Snapshots this large reload in the background whatever their last load cost: mapping a stored snapshot takes
milliseconds, but the next generation usually has to be built (about 2 s at 20k records on a busy machine)."""


class SnapshotKeeper:
    """The current `VectorSnapshot` of one index, safe to ask from any thread."""

    def __init__(self, config: IndexConfig, catalog: Catalog, model: str) -> None:
        self.config = config
        self.catalog = catalog
        self.model = model
        self._snapshot: VectorSnapshot | None = None
        # PRAGMA data_version on a connection of its own changes with every commit to the catalog, from
        # this process or another one (`ttc ingest` while `ttc serve` runs); reading it costs no I/O
        self._watch = open_catalog(config.data_dir / "catalog.sqlite")
        self._seen_version = -1
        self._checked = 0.0
        self._lock = threading.Lock()
        self._load_seconds = 0.0
        self._reloading = False
        self._generation = 0

    def close(self) -> None:
        self._watch.close()

    def invalidate(self) -> None:
        """Forget the snapshot: this process changed what it holds, so the next search loads it again."""
        self._snapshot = None

    def current(self) -> VectorSnapshot:
        """The in-memory vectors; rebuilt when the catalog changed (checked at most once per `freshness_seconds`).

        A small corpus reloads at once. From `_BACKGROUND_RELOAD_RECORDS` records, or when the last load took
        longer than `_BACKGROUND_RELOAD_FROM` seconds, the new snapshot is built in a background thread and the
        current one keeps answering meanwhile, so a backfill committing every few seconds in another process
        (`ttc embed` while `ttc serve` runs) does not stall every search behind a multi-second reload.
        """
        with self._lock:
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
                current = self._load()
                self._load_seconds = time.monotonic() - started
                self._generation += 1
                self._snapshot = current
            return current

    def prepare(self, progress: Progress | None = None) -> int:
        """Build the snapshot now, and store it for the next process (`retrieval.snapshot_file`): a batch command
        pays for it instead of the first search of `ttc serve`. Returns how many vectors it holds."""
        if progress:
            progress("snapshot", 0, 1)
        with self._lock:
            self._snapshot = None  # load synchronously, whatever the last load cost
        size = len(self.current())
        if progress:
            progress("snapshot", 1, 1)
        return size

    def _reload(self, generation: int) -> None:
        """Build a snapshot off the request path; install it unless a synchronous load replaced the old one."""
        try:
            started = time.monotonic()
            fresh = self._load()
            with self._lock:
                self._load_seconds = time.monotonic() - started
                if self._generation == generation and self._snapshot is not None:
                    self._generation += 1
                    self._snapshot = fresh
        finally:
            with self._lock:
                self._reloading = False

    def _load(self) -> VectorSnapshot:
        """Every record with a cached vector for its current embedding text (embedded or seeded): the stored
        snapshot of the catalog's generation when there is one, else built in one query and stored."""
        while missing := self.catalog.missing_text_hashes(5000):  # older catalogs, or the lead length changed
            self.catalog.set_text_hashes(
                [(num, text_hash(r.embedding_text(self.config.lead_chars))) for num, r in missing])
        generation = self.catalog.generation()
        directory = self.config.data_dir / "snapshots"
        snapshot = load_snapshot(directory, self.model, generation)
        if snapshot is None:
            ids, columns, matrix = self.catalog.vector_table(self.model)
            snapshot = VectorSnapshot(ids, columns, matrix)
            if self.catalog.generation() == generation:  # else it may hold a later write: not this generation's
                save_snapshot(snapshot, directory, self.model, generation)
        snapshot.generation = generation
        return snapshot
