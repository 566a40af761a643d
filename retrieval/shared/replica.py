"""A node's replica of the shared records: its local catalog (lexical index, vector cache, the search snapshot's
source) follows the change feed of the shared store, and fetches from Chroma the vectors it lacks.

The replica is a derived cache: it may be deleted at any time and rebuilds itself from the shared stores (a node on
an empty data dir warms up that way). It remembers the feed generation it has applied (and the id of the store, so
that a replaced database starts it over); every round asks the shared store for its generation (one row) and,
when that moved, applies the rows written since. Applying is idempotent, so a crash between applying and
remembering costs only a repeat. One process per data dir follows (a file lock); the others (`--workers`) read the
catalog it keeps, as they read one that `ttc ingest` writes.

Vectors are fetched once the shared store says a record's current text is embedded; a vector whose text hash is
not the record's (the record changed again meanwhile) is not taken. The local catalog marks a record embedded only
once its vector is in the local cache, so its pending records are the vectors this node still lacks: retried while
Chroma is away, and after a restart.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from retrieval.catalog import Catalog
from retrieval.errors import Unavailable
from retrieval.shared.records import Change
from retrieval.shared.vectors import VectorSource

__all__ = ["Replica"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

_OPTIMIZE_FROM = 5000
"""Applying at least this many records ends by merging the lexical index's segments (`Catalog.optimize_lexical`)."""
_RETRY_SECONDS = 5.0
"""How often vectors that could not be fetched are asked for again."""


class FeedSource(Protocol):
    """What a replica reads from the shared store (`retrieval.shared.records.SharedRecords`)."""

    def feed(self) -> tuple[str, int]: ...

    def count_changes(self, after: int, upto: int) -> int: ...

    def changes(self, after: int, upto: int, page: int = 2000) -> Any: ...

    def current(self, ids: Sequence[str]) -> list[Change]: ...


class _Stopped(Exception):
    """`stop` was called during a round."""


@dataclass
class _Status:
    state: str = "starting"
    """starting → warming (first fill of an empty replica) → ready; stale while the shared store cannot be read."""
    generation: int = 0
    shared_generation: int = 0
    synced_at: float = 0.0
    progress: tuple[str, int, int] | None = None
    error: str | None = None
    vectors_error: str | None = None


class Replica:
    """Keeps `catalog` following `shared` (records) and `vectors` (Chroma); `start` follows in a thread."""

    def __init__(self, shared: FeedSource, vectors: VectorSource | None, catalog: Catalog, model: str,
                 lock_path: Path, *, interval: float = 1.0, page: int = 2000,
                 adopt: Callable[[], object] | None = None) -> None:
        """`adopt` writes the local catalog's records to the shared store: called when both the shared store and
        this replica are new but the catalog holds records (a node that kept its records locally until now)."""
        self.shared, self.vectors, self.catalog, self.adopt = shared, vectors, catalog, adopt
        self.model, self.interval, self.page = model, interval, page
        self._lock_path = lock_path
        self._lock_file: IO[str] | None = None
        self._sync_lock = threading.Lock()
        self._status = _Status()
        self._store, self._cursor = self.catalog.replication()
        self._awaiting: set[str] | None = None  # ids whose vectors are still to fetch; None: not looked yet
        self._retried = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- following -------------------------------------------------------------------------------------------------
    def sync(self, progress: Progress | None = None) -> int:
        """Apply what the shared store wrote since the last round; returns how many rows. Unavailable when the
        shared store cannot be read (the replica keeps what it has). Another process following: 0."""
        with self._sync_lock:
            if not self._leading():
                return 0
            try:
                applied = self._sync(progress)
            except Unavailable as exc:
                self._status.state, self._status.error = "stale", str(exc)
                raise
            self._status.state, self._status.error = "ready", None
            self._status.synced_at = time.time()
            return applied

    def _sync(self, progress: Progress | None) -> int:
        store, target = self.shared.feed()
        if self._store is None and target == 0 and self.adopt is not None and self.catalog.count():
            log.info("the shared record store is empty: this node's %d records are its first", self.catalog.count())
            self.adopt()
            store, target = self.shared.feed()
        self._status.shared_generation = target
        if store != self._store or target < self._cursor:  # a new replica, a new database, or a restored one
            if self._store is not None:
                log.warning("the shared record store changed (%s → %s): the local replica starts over",
                            self._store, store)
            self._store, self._cursor, self._awaiting = None, 0, set()
        applied = 0
        if target > self._cursor or self._store is None:
            applied = self._apply_feed(self._cursor, target, progress)
            self._store, self._cursor = store, target
            self.catalog.set_replication(store, target)
        self._status.generation = self._cursor
        self._fetch_awaiting()
        return applied

    def _apply_feed(self, after: int, upto: int, progress: Progress | None) -> int:
        """Apply the feed's rows after generation `after`. From 0 (a new replica, or one starting over) the pass
        covers every record, and what the local catalog holds beyond them is removed at the end; records it
        already holds unchanged (written by this node) are not written again."""
        warming = self._store is None
        if warming:
            self._status.state = "warming"
        total = self.shared.count_changes(after, upto) if warming or progress else 0
        done = written = 0
        seen: set[str] = set()
        for page in self.shared.changes(after, upto, self.page):
            if self._stop.is_set():  # stopping mid-way: the next start goes on from the last generation applied
                raise _Stopped
            written += self._apply(page)
            done += len(page)
            if after == 0:
                seen.update(c.id for c in page)
            self._report("records", done, max(total, done), progress)
        if after == 0:
            for record_id in self.catalog.ids() - seen:
                self.catalog.delete(record_id)
        if written >= _OPTIMIZE_FROM:
            self.catalog.optimize_lexical()
        return done

    def _apply(self, page: list[Change]) -> int:
        """Write a page of changes to the local catalog; returns how many records it (re)wrote."""
        local = self.catalog.hashes([c.id for c in page])
        fresh = [c for c in page if c.record is not None and local.get(c.id, ("",))[0] != c.hash]
        if fresh:
            self.catalog.upsert([(c.record, c.hash) for c in fresh if c.record is not None],
                                [c.text_hash for c in fresh])
        for change in page:
            if change.record is None and change.id in local:
                self.catalog.delete(change.id)
        unembedded = {c.id for c in fresh} | {rid for rid, (digest, embedded) in local.items() if digest != embedded}
        self._take_vectors([c for c in page if c.embedded and c.id in unembedded])
        return len(fresh)

    def _take_vectors(self, changes: list[Change]) -> None:
        """Cache the vectors of embedded records (from the local cache when this node embedded the text, else
        from Chroma) and mark them embedded; what cannot be had now waits in `_awaiting`."""
        if not changes:
            return
        cached = self.catalog.cached_vectors(self.model, [c.text_hash for c in changes])
        missing = [c for c in changes if c.text_hash not in cached]
        got: list[Change] = [c for c in changes if c.text_hash in cached]
        if missing and self.vectors is not None:
            try:
                found = self.vectors.vectors([c.id for c in missing])
                self._status.vectors_error = None
            except Unavailable as exc:
                log.warning("vectors not fetched, will retry: %s", exc)
                self._status.vectors_error = str(exc)
                found = {}
            fitting = [c for c in missing if c.id in found and found[c.id][0] in (c.text_hash, None)]
            self.catalog.cache_vectors(self.model, [(c.text_hash, found[c.id][1]) for c in fitting])
            got.extend(fitting)
        self.catalog.mark_embedded([(c.id, c.hash) for c in got])
        waiting = {c.id for c in changes} - {c.id for c in got}
        if waiting:
            self._awaiting = (self._awaiting or set()) | waiting

    def _fetch_awaiting(self) -> None:
        """Ask again for the vectors this node lacks (every `_RETRY_SECONDS`); after a start, every record the
        local catalog has not marked embedded."""
        if self._awaiting is None:
            self._awaiting = {record.id for record, _ in self.catalog.pending(10**9)}
        elif not self._awaiting or time.monotonic() - self._retried < _RETRY_SECONDS:
            return
        self._retried = time.monotonic()
        ids = sorted(self._awaiting)
        self._awaiting = set()
        done = 0
        for start in range(0, len(ids), self.page):
            rows = self.shared.current(ids[start:start + self.page])
            self._take_vectors([c for c in rows if c.record is not None and c.embedded])
            done += len(rows)
            self._report("vectors", done, len(ids), None)

    def _report(self, phase: str, done: int, total: int, progress: Progress | None) -> None:
        self._status.progress = (phase, done, total)
        if progress:
            progress(phase, done, total)

    # -- the background thread -------------------------------------------------------------------------------------
    def start(self) -> None:
        """Follow in a daemon thread: a round every `interval` seconds, backing off to 10 s while the shared store
        is away; idempotent."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="ttc-replica", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _run(self) -> None:
        wait = self.interval
        while not self._stop.is_set():
            try:
                self.sync()
                wait = self.interval
            except Unavailable as exc:
                log.warning("replica: %s", exc)
                wait = min(max(wait * 2, 1.0), 10.0)
            except _Stopped:
                return
            except Exception:  # a bug must not stop the node from following for good
                log.exception("replica round failed")
                wait = 10.0
            self._stop.wait(wait)

    # -- state -----------------------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """For /healthz: `state` is warming (never filled yet), stale (the shared store could not be read in the
        last round: search answers from what the replica holds) or ready; with the generations applied and
        written, and the progress of a warm-up."""
        s = self._status
        if self._lock_file is None:  # another process follows (or none has yet): read what it remembered
            store, cursor = self.catalog.replication()
            return {"state": "warming" if store is None else "ready", "generation": cursor,
                    "follower": "another process"}
        state = "warming" if self._store is None else "stale" if s.state == "stale" else "ready"
        out: dict[str, Any] = {"state": state, "generation": s.generation, "shared_generation": s.shared_generation,
                               "seconds_since_sync": round(time.time() - s.synced_at, 1) if s.synced_at else None}
        if s.progress and state == "warming":
            phase, done, total = s.progress
            out["progress"] = {"phase": phase, "done": done, "total": total}
        if s.error or s.vectors_error:
            out["error"] = s.error or s.vectors_error
        return out

    @property
    def warming(self) -> bool:
        """True until the replica has been filled once (by this process or the one that follows)."""
        return bool(self.status()["state"] == "warming")

    # -- the local side --------------------------------------------------------------------------------------------
    def _leading(self) -> bool:
        """Whether this process follows for its data dir (the first to take the lock keeps it until it stops)."""
        if self._lock_file is not None:
            return True
        handle = open(self._lock_path, "a", encoding="utf-8")  # noqa: SIM115  # held for the process's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock_file = handle
        self._store, self._cursor = self.catalog.replication()  # another process may have followed until now
        return True
