"""Reading records from the catalog: by id, by the batch, or all of them in catalog order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from retrieval.catalog.database import CatalogDatabase
from retrieval.record import Record

__all__ = ["RecordReads", "StoredRecord"]


@dataclass(frozen=True)
class StoredRecord:
    """A record as the catalog holds it."""

    record: Record
    hash: str
    embedded: bool


class RecordReads(CatalogDatabase):
    """Records and their content hashes."""

    def hashes(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """id → (content hash, hash whose vector the dense store holds) for the ids that exist."""
        out: dict[str, tuple[str, str]] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start:start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT id, hash, embedded_hash FROM records WHERE id IN ({marks})", chunk
                )
                out.update({r[0]: (r[1], r[2]) for r in rows})
        return out

    def get(self, record_id: str) -> StoredRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data, hash, embedded_hash FROM records WHERE id = ?", (record_id,)
            ).fetchone()
        if row is None:
            return None
        return StoredRecord(Record.model_validate_json(row[0]), row[1], row[1] == row[2])

    def get_many(self, ids: Sequence[str]) -> dict[str, Record]:
        out: dict[str, Record] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start:start + 500])
                marks = ",".join("?" * len(chunk))
                for rid, data in self._db.execute(f"SELECT id, data FROM records WHERE id IN ({marks})", chunk):
                    out[rid] = Record.model_validate_json(data)
        return out

    def iter_records(self, batch: int = 1000) -> Iterator[Record]:
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT num, data FROM records WHERE num > ? ORDER BY num LIMIT ?", (last, batch)
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for _, data in rows:
                yield Record.model_validate_json(data)
