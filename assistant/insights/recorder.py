"""A background writer: chat hands a question over and goes on; one thread writes them in small batches."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Recorder"]

log = logging.getLogger(__name__)

_BATCH = 200


class Recorder:
    """Queues rows for `write` (called from one thread); `every` runs about once per `period` seconds too.

    A full queue or a failing `write` loses rows (with a warning), never blocks or breaks the caller."""

    def __init__(self, write: Callable[[list[dict[str, Any]]], None], *, every: Callable[[], object] | None = None,
                 period: float = 3600.0, capacity: int = 10_000) -> None:
        self._write = write
        self._every = every
        self._period = period
        self._queue: queue.Queue[dict[str, Any] | threading.Event | None] = queue.Queue(capacity)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._last_periodic = float("-inf")  # the periodic task runs as soon as the thread starts

    def put(self, row: dict[str, Any]) -> None:
        """Queue one row; returns at once."""
        self.start()
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            log.warning("insights: queue full, a question was not recorded")

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every row queued so far is written (or failed); False on timeout."""
        if self._thread is None:
            return True
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            try:
                self._queue.put(None, timeout=timeout)
            except queue.Full:
                log.warning("insights: queue full at shutdown; unwritten questions are lost")
            thread.join(timeout)

    def start(self) -> None:
        """Start the writer thread (once); it runs the periodic task right away."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="insights-writer", daemon=True)
                self._thread.start()
                self._queue.put(threading.Event())  # wakes the thread for its first periodic run

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=min(self._period, 60.0))
            except queue.Empty:
                self._periodic()
                continue
            rows: list[dict[str, Any]] = []
            markers: list[threading.Event] = []
            stop = False
            while True:
                if item is None:
                    stop = True
                elif isinstance(item, threading.Event):
                    markers.append(item)
                else:
                    rows.append(item)
                if stop or len(rows) >= _BATCH or self._queue.empty():
                    break
                item = self._queue.get_nowait()
            self._save(rows)
            self._periodic()
            for marker in markers:
                marker.set()
            if stop:
                return

    def _save(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        try:
            self._write(rows)
        except Exception as exc:  # the chat already answered; a lost statistic is the lesser harm
            log.warning("insights: %d question(s) not recorded: %s", len(rows), str(exc).splitlines()[0][:300])

    def _periodic(self) -> None:
        if self._every is None or time.monotonic() - self._last_periodic < self._period:
            return
        self._last_periodic = time.monotonic()
        try:
            self._every()
        except Exception as exc:
            log.warning("insights: periodic task failed: %s", str(exc).splitlines()[0][:300])
