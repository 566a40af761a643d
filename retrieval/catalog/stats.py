"""Counts and size of the catalog, for `ttc stats` and the health endpoints."""

from __future__ import annotations

from retrieval.catalog.database import CatalogDatabase
from retrieval.catalog.filters import FILTER_COLUMNS

__all__ = ["CatalogStats"]


class CatalogStats(CatalogDatabase):
    """How many records, by filter column, and how many bytes the file holds."""

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM records").fetchone()[0])

    def counts_by(self, column: str) -> dict[str, int]:
        if column not in FILTER_COLUMNS:
            raise ValueError(column)
        with self._lock:
            rows = self._db.execute(
                f"SELECT {column}, count(*) FROM records GROUP BY {column} ORDER BY count(*) DESC"
            ).fetchall()
        return {(value or "unknown"): int(n) for value, n in rows}

    def size_bytes(self) -> int:
        with self._lock:
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            size = self._db.execute("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(size)
