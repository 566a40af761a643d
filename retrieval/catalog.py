"""The record catalog: SQLite table of records (source of truth), its FTS5 lexical index, a vector cache.

One file, one transaction per batch: a record and its lexical entry are written together, so a record
is searchable lexically as soon as its batch commits, and dense vectors can be backfilled afterwards.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
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
-- covers what a lexical query joins (id and filter columns): the table's own rows are large (the record JSON),
-- and looking each match up there tripled the cost of a query matching 20k records
CREATE INDEX IF NOT EXISTS records_filters ON records (num, kind, field, country, language, id);
CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5(terms, tokenize='unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', '0');
"""
# the generation counts the writes that change what a vector snapshot holds (`Catalog.generation`)
_GENERATION_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS generation_{table}_{event} AFTER {event}{columns} ON {table} BEGIN "
    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END"
    for table, event, columns in (
        ("records", "insert", ""), ("records", "delete", ""),
        ("records", "update", " OF id, kind, field, country, language, text_hash"),
        ("vectors", "insert", ""), ("vectors", "delete", ""), ("vectors", "update", ""))
]
FILTER_COLUMNS = ("kind", "field", "country", "language")
LEXICAL_BUDGET = 5000
"""Records a lexical query may score at most (`Catalog.lexical_search`)."""


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
        self._path = path
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(records)")}
        if "text_hash" not in columns:  # catalogs written before the snapshot joined records to vectors in SQL
            with suppress(sqlite3.OperationalError):  # another process may have added it just now
                self._db.execute("ALTER TABLE records ADD COLUMN text_hash TEXT NOT NULL DEFAULT ''")
        self._db.execute("CREATE INDEX IF NOT EXISTS records_unhashed ON records (num) WHERE text_hash = ''")
        for trigger in _GENERATION_TRIGGERS:
            self._db.execute(trigger)
        # document frequency per term (fts5vocab counts a term's records by reading its list)
        self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.lexical_vocab USING fts5vocab(main, lexical, row)")
        self._frequencies: dict[str, int] = {}
        self._frequencies_version = -1
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

    def upsert(self, items: Iterable[tuple[Record, str]], text_hashes: Sequence[str] | None = None,
               terms: Sequence[str] | None = None) -> None:
        """Write records and their lexical entries in one transaction.

        `text_hashes` (the vector-cache keys of the records' embedding texts) let the snapshot join records to
        their vectors in SQL; `terms` are the lexical entries when the caller tokenized them already.
        """
        batch = list(items)
        hashes = list(text_hashes) if text_hashes is not None else [""] * len(batch)
        lexical = list(terms) if terms is not None else [
            " ".join(index_terms(record.searchable_text())) for record, _ in batch]
        if not (len(hashes) == len(lexical) == len(batch)):
            raise ValueError("one text hash and one lexical entry per record")
        with self.transaction() as db:
            known = self._nums(db, [record.id for record, _ in batch])
            inserts, updates, entries = [], [], []
            for (record, digest), text_hash, line in zip(batch, hashes, lexical, strict=True):
                values = (record.kind, record.field or "", record.country or "", record.language or "",
                          digest, record.model_dump_json(), text_hash)
                if record.id in known:
                    updates.append((*values, known[record.id]))
                else:
                    inserts.append((*values, record.id))
                entries.append((record.id, line))
            if updates:
                db.executemany(
                    "UPDATE records SET kind=?, field=?, country=?, language=?, hash=?, data=?, text_hash=?,"
                    " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE num=?", updates)
                db.executemany("DELETE FROM lexical WHERE rowid = ?", [(u[-1],) for u in updates])
            if inserts:
                db.executemany("INSERT INTO records (kind, field, country, language, hash, data, text_hash, id)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", inserts)
                known.update(self._nums(db, [row[-1] for row in inserts]))
            db.executemany("INSERT INTO lexical (rowid, terms) VALUES (?, ?)",
                           [(known[rid], line) for rid, line in entries])

    @staticmethod
    def _nums(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            out.update(db.execute(f"SELECT id, num FROM records WHERE id IN ({marks})", chunk).fetchall())
        return out

    def optimize_lexical(self) -> None:
        """Merge the FTS5 index's segments into one b-tree (after a bulk write: about 1 s at 150k records,
        and BM25 queries then read one segment instead of many: measured 30-40% faster at 150k)."""
        with self.transaction() as db:
            db.execute("INSERT INTO lexical (lexical) VALUES ('optimize')")

    def text_hash_version(self, version: str) -> bool:
        """Set how text hashes are computed (e.g. the lead length); True (and every text hash cleared) if it
        changed, so that `missing_text_hashes` hands every record back to be hashed again."""
        query = "SELECT value FROM meta WHERE key = 'text_hash_version'"
        with self._lock:
            row = self._db.execute(query).fetchone()
        if row is not None and row[0] == version:
            return False  # the usual case: no write, no wait for a running ingest's lock
        with self.transaction() as db:
            row = db.execute(query).fetchone()
            if row is not None and row[0] == version:
                return False
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('text_hash_version', ?)", (version,))
            if row is not None:
                db.execute("UPDATE records SET text_hash = ''")
            return row is not None

    def missing_text_hashes(self, limit: int) -> list[tuple[int, Record]]:
        """(num, record) of records written without a text hash (older catalogs), at most `limit`."""
        with self._lock:
            rows = self._db.execute("SELECT num, data FROM records WHERE text_hash = '' LIMIT ?", (limit,)).fetchall()
        return [(num, Record.model_validate_json(data)) for num, data in rows]

    def set_text_hashes(self, items: Sequence[tuple[int, str]]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE records SET text_hash = ? WHERE num = ?", [(h, num) for num, h in items])

    def vector_table(self, model: str) -> tuple[list[str], dict[str, list[str]], np.ndarray]:
        """(ids, filter columns, vectors) of every record whose embedding text has a cached vector, in catalog order.

        Two sequential scans joined here: at 150k records about 5x faster than one SQL join, whose lookups
        of the vector table's primary key jump around the file.
        """
        # a connection of its own: a reload in a background thread must not hold up the requests' queries
        with closing(sqlite3.connect(self._path, timeout=30)) as db, db:
            db.execute("BEGIN")  # one read transaction: both scans see the same commit
            count = int(db.execute("SELECT count(*) FROM vectors WHERE model = ?", (model,)).fetchone()[0])
            position: dict[str, int] = {}
            matrix = np.zeros((0, 1), dtype=np.float32)
            for n, (text_hash, blob) in enumerate(
                    db.execute("SELECT text_hash, vector FROM vectors WHERE model = ?", (model,))):
                if n == 0:
                    matrix = np.empty((count, len(blob) // 4), dtype=np.float32)
                if n >= len(matrix):  # written by another process during the scan
                    break
                matrix[n] = np.frombuffer(blob, dtype=np.float32)
                position[text_hash] = n
            rows = db.execute(
                "SELECT id, kind, field, country, language, text_hash FROM records ORDER BY num").fetchall()
        ids: list[str] = []
        columns: dict[str, list[str]] = {name: [] for name in FILTER_COLUMNS}
        take: list[int] = []
        for rid, kind, field, country, language, text_hash in rows:
            n = position.get(text_hash, -1)
            if n < 0:
                continue
            ids.append(rid)
            columns["kind"].append(kind)
            columns["field"].append(field)
            columns["country"].append(country)
            columns["language"].append(language)
            take.append(n)
        if not take:
            return [], columns, np.zeros((0, 1), dtype=np.float32)
        return ids, columns, matrix[np.asarray(take, dtype=np.int64)]

    def generation(self) -> int:
        """A number that grows with every committed write changing records' ids, filter fields or embedding
        texts, or the cached vectors: what a vector snapshot holds (`retrieval.snapshot_file`)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def mark_embedded(self, items: Iterable[tuple[str, str]]) -> None:
        """Record that the dense store now holds the vector of (id, hash)."""
        with self.transaction() as db:
            db.executemany("UPDATE records SET embedded_hash = ? WHERE id = ? AND hash = ?",
                           [(digest, rid, digest) for rid, digest in items])

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

    def lexical_search(self, query: str, limit: int, filters: Filters,
                       budget: int | None = LEXICAL_BUDGET) -> list[tuple[str, float]]:
        """BM25 over the FTS5 index: (id, score) best first; score is -bm25 (higher is better).

        FTS5 scores every record a term matches, about 2 µs each: at 150k records one word found in a fifth
        of them costs 60 ms, for the weakest evidence a query has (BM25 weighs it by a small IDF, and the
        fusion bounds the bonus by the BM25 of a rare word anyway). So the query's terms are taken rarest
        first while the records they match add up to at most `budget`; common words beyond it are left to
        the dense side. A corpus under `budget` records always keeps every term. None: no bound.
        """
        terms = list(dict.fromkeys(index_terms(query)))[:64]
        if terms and budget is not None:
            terms = self._informative(terms, budget)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        where = "".join(f" AND r.{name} = ?" for name, _ in filters.items())
        sql = (
            "SELECT r.id, bm25(lexical) AS s FROM lexical JOIN records r INDEXED BY records_filters"
            " ON r.num = lexical.rowid"
            f" WHERE lexical MATCH ?{where} ORDER BY s LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(sql, (match, *[v for _, v in filters.items()], limit)).fetchall()
        return [(rid, -float(score)) for rid, score in rows]

    def _informative(self, terms: list[str], budget: int) -> list[str]:
        """The rarest of `terms` whose document frequencies add up to at most `budget` (unknown terms dropped)."""
        frequencies = self.document_frequencies(terms)
        chosen: list[str] = []
        total = 0
        for term in sorted((t for t in terms if frequencies.get(t)), key=lambda t: frequencies[t]):
            total += frequencies[term]
            if total > budget:
                break
            chosen.append(term)
        return chosen

    def document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """term → how many records contain it, for the terms that occur; cached until the catalog changes."""
        with self._lock:
            version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
            if version != self._frequencies_version or len(self._frequencies) > 100_000:
                self._frequencies.clear()
                self._frequencies_version = version
            unknown = [t for t in terms if t not in self._frequencies]
            if unknown:
                found = dict(self._db.execute(
                    f"SELECT term, doc FROM temp.lexical_vocab WHERE term IN ({','.join('?' * len(unknown))})",
                    unknown).fetchall())
                self._frequencies.update({t: int(found.get(t, 0)) for t in unknown})
            return {t: self._frequencies[t] for t in terms if self._frequencies[t]}

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
