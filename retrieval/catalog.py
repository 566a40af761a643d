"""The record catalog: SQLite table of records (source of truth), its FTS5 lexical index, a vector cache.

One file, one transaction per batch: a record and its lexical entry are written together, so a record
is searchable lexically as soon as its batch commits, and dense vectors can be backfilled afterwards.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.record import Record
from retrieval.tokenizer import index_terms

__all__ = ["Catalog", "Filters", "StoredRecord"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    hash TEXT NOT NULL,
    embedded_hash TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS records_pending ON records (embedded_hash != hash);
CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5(terms, tokenize='unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
"""
FILTER_COLUMNS = ("kind", "field", "country", "language")


@dataclass(frozen=True)
class Filters:
    """Exact-match metadata filters; None means 'any'."""

    kind: str | None = None
    field: str | None = None
    country: str | None = None
    language: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(name, value) for name in FILTER_COLUMNS if (value := getattr(self, name))]


@dataclass(frozen=True)
class StoredRecord:
    """A record as the catalog holds it."""

    record: Record
    hash: str
    embedded: bool


class Catalog:
    """SQLite-backed record store with an FTS5 index; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

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

    def upsert(self, items: Iterable[tuple[Record, str]]) -> None:
        """Write records and their lexical entries in one transaction."""
        with self.transaction() as db:
            for record, digest in items:
                row = db.execute("SELECT num FROM records WHERE id = ?", (record.id,)).fetchone()
                values = (record.kind, record.field or "", record.country or "", record.language or "",
                          digest, record.model_dump_json())
                if row is None:
                    cursor = db.execute(
                        "INSERT INTO records (kind, field, country, language, hash, data, id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (*values, record.id),
                    )
                    num = cursor.lastrowid
                else:
                    num = row[0]
                    db.execute(
                        "UPDATE records SET kind=?, field=?, country=?, language=?, hash=?, data=?,"
                        " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE num=?",
                        (*values, num),
                    )
                    db.execute("DELETE FROM lexical WHERE rowid = ?", (num,))
                db.execute("INSERT INTO lexical (rowid, terms) VALUES (?, ?)",
                           (num, " ".join(index_terms(record.searchable_text()))))

    def mark_embedded(self, items: Iterable[tuple[str, str]]) -> None:
        """Record that the dense store now holds the vector of (id, hash)."""
        with self.transaction() as db:
            db.executemany("UPDATE records SET embedded_hash = ? WHERE id = ? AND hash = ?",
                           [(digest, rid, digest) for rid, digest in items])

    def pending(self, limit: int) -> list[tuple[Record, str]]:
        """Records whose current content has no vector in the dense store yet."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data, hash FROM records WHERE embedded_hash != hash ORDER BY num LIMIT ?", (limit,)
            ).fetchall()
        return [(Record.model_validate_json(data), digest) for data, digest in rows]

    def count_pending(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM records WHERE embedded_hash != hash").fetchone()[0])

    def delete(self, record_id: str) -> bool:
        with self.transaction() as db:
            row = db.execute("SELECT num FROM records WHERE id = ?", (record_id,)).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM lexical WHERE rowid = ?", (row[0],))
            db.execute("DELETE FROM records WHERE num = ?", (row[0],))
            return True

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

    def lexical_search(self, query: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        """BM25 over the FTS5 index: (id, score) best first; score is -bm25 (higher is better)."""
        terms = list(dict.fromkeys(index_terms(query)))[:64]
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        where = "".join(f" AND r.{name} = ?" for name, _ in filters.items())
        sql = (
            "SELECT r.id, bm25(lexical) AS s FROM lexical JOIN records r ON r.num = lexical.rowid"
            f" WHERE lexical MATCH ?{where} ORDER BY s LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(sql, (match, *[v for _, v in filters.items()], limit)).fetchall()
        return [(rid, -float(score)) for rid, score in rows]

    def changed_since(self, stamp: str, limit: int = 1000) -> list[tuple[str, Record]]:
        """(updated_at, record) of records written after `stamp` (ISO UTC seconds), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT updated_at, data FROM records WHERE updated_at > ? ORDER BY updated_at, num LIMIT ?",
                (stamp, limit),
            ).fetchall()
        return [(stamp_, Record.model_validate_json(data)) for stamp_, data in rows]

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

    def cached_vectors(self, model: str, text_hashes: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(text_hashes), 500):
                chunk = list(text_hashes[start:start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT text_hash, vector FROM vectors WHERE model = ? AND text_hash IN ({marks})",
                    (model, *chunk),
                )
                out.update({h: np.frombuffer(blob, dtype=np.float32) for h, blob in rows})
        return out

    def cache_vectors(self, model: str, items: Iterable[tuple[str, Any]]) -> None:
        rows = [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items]
        if rows:
            with self.transaction() as db:
                db.executemany("INSERT OR REPLACE INTO vectors (model, text_hash, vector) VALUES (?, ?, ?)", rows)

    def size_bytes(self) -> int:
        with self._lock:
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            size = self._db.execute("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(size)
