"""Timings and their summaries: nearest-rank percentiles in milliseconds, as every benchmark reports them."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence

__all__ = ["max_ms", "mean_ms", "ms_since", "pct", "percentiles"]


def ms_since(started: float) -> float:
    """Milliseconds since `started`, a `time.perf_counter()` reading."""
    return (time.perf_counter() - started) * 1000


def pct(values: Sequence[float], p: float, digits: int = 1) -> float:
    """The nearest-rank `p` percentile (0 < p < 1), rounded; NaN for no values."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], digits) if ordered else float("nan")


def mean_ms(values: Sequence[float], digits: int = 1) -> float | None:
    """The mean, rounded; None for no values."""
    return round(statistics.fmean(values), digits) if values else None


def max_ms(values: Sequence[float], digits: int = 1) -> float | None:
    """The largest value, rounded; None for no values."""
    return round(max(values), digits) if values else None


def percentiles(values: Sequence[float], points: Sequence[float] = (0.5, 0.95, 0.99),
                digits: int = 1) -> dict[str, float | None]:
    """`p50_ms`, `p95_ms`, `p99_ms` (or other `points`) and `max_ms`; None for no values."""
    out: dict[str, float | None] = {f"p{round(p * 100)}_ms": pct(values, p, digits) if values else None
                                    for p in points}
    out["max_ms"] = max_ms(values, digits)
    return out
