"""Per-client rate limit for public POST endpoints (TTC_RATE_LIMIT_PER_MINUTE; 0 disables).

One process keeps the window in memory (`RateLimiter`). Several workers (`ttc serve --workers N`) share one
window in a small SQLite file (`SharedRateLimiter`): the kernel hands each connection to whichever worker
accepts first and a browser keeps its connection, so per-worker windows would let a client through up to N
times its limit, and a per-worker share (limit / N) would hold a one-connection client to a fraction of it.
The shared window costs one short write transaction per limited request (about 0.1 ms).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from pathlib import Path
from typing import Protocol

from fastapi import HTTPException, Request

from retrieval import sqlite

__all__ = ["Limiter", "RateLimiter", "SharedRateLimiter", "rate_limited"]


class Limiter(Protocol):
    def retry_after(self, client: str, now: float | None = None) -> float:
        """0 if the client may go ahead (and counts the hit), else seconds to wait."""


class RateLimiter:
    """Sliding one-minute window per client key, in this process's memory."""

    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> float:
        """0 if the client may go ahead (and counts the hit), else seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return hits[0] + self.window - now
            hits.append(now)
            if len(self._hits) > 10_000:
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            return 0.0


_SCHEMA = """
CREATE TABLE IF NOT EXISTS hits (client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS hits_client ON hits (client, at);
"""


class SharedRateLimiter:
    """The same sliding window, kept in a SQLite file that every worker process opens."""

    def __init__(self, path: Path, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        # the window is worth nothing after a crash: skip the fsyncs
        self._db = sqlite.connect(path, schema=_SCHEMA, timeout=10, synchronous="OFF")
        self._lock = threading.Lock()
        self._swept = 0.0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def retry_after(self, client: str, now: float | None = None) -> float:
        """0 if the client may go ahead (and counts the hit), else seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        # wall-clock time, the one clock every process reads alike
        now = time.time() if now is None else now
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM hits WHERE client = ? AND at <= ?", (client, now - self.window))
                count, first = db.execute("SELECT count(*), min(at) FROM hits WHERE client = ?", (client,)).fetchone()
                if count >= self.per_minute:
                    return float(first) + self.window - now
                db.execute("INSERT INTO hits (client, at) VALUES (?, ?)", (client, now))
                if now - self._swept > self.window:  # forget clients that went quiet
                    db.execute("DELETE FROM hits WHERE at <= ?", (now - self.window,))
                    self._swept = now
                return 0.0
            finally:
                db.execute("COMMIT")


def rate_limited(request: Request) -> None:
    """FastAPI dependency: 429 with Retry-After when the client is over its limit."""
    limiter: Limiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait > 0:
        raise HTTPException(429, "too many requests; try again later",
                            headers={"Retry-After": str(max(1, math.ceil(wait)))})
