"""Per-client rate limit for public POST endpoints (TTC_RATE_LIMIT_PER_MINUTE; 0 disables)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from fastapi import HTTPException, Request

__all__ = ["RateLimiter", "rate_limited"]


class RateLimiter:
    """Sliding one-minute window per client key."""

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


def rate_limited(request: Request) -> None:
    """FastAPI dependency: 429 with Retry-After when the client is over its limit."""
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait > 0:
        raise HTTPException(429, "too many requests; try again later",
                            headers={"Retry-After": str(max(1, math.ceil(wait)))})
