"""What changed in the catalog: its generation, records written since a time, records waiting for vectors."""

from __future__ import annotations

from retrieval.catalog.database import CatalogDatabase
from retrieval.record import Record

__all__ = ["ChangeQueries"]


class ChangeQueries(CatalogDatabase):
    """Questions about writes: how many, since when, what still lacks a vector."""

    def generation(self) -> int:
        """A number that grows with every committed write changing records' ids, filter fields or embedding
        texts, or the cached vectors: what a vector snapshot holds (`retrieval.snapshot_file`)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def pending(self, limit: int) -> list[tuple[Record, str]]:
        """Records whose current content has no vector in the dense store yet."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data, hash FROM records WHERE (embedded_hash != hash) = 1 ORDER BY num LIMIT ?", (limit,)
            ).fetchall()
        return [(Record.model_validate_json(data), digest) for data, digest in rows]

    def count_pending(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM records WHERE (embedded_hash != hash) = 1").fetchone()[0])

    def changed_since(self, stamp: str, limit: int = 1000) -> list[tuple[str, Record]]:
        """(updated_at, record) of records written after `stamp` (ISO UTC seconds), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT updated_at, data FROM records WHERE updated_at > ? ORDER BY updated_at, num LIMIT ?",
                (stamp, limit),
            ).fetchall()
        return [(stamp_, Record.model_validate_json(data)) for stamp_, data in rows]
