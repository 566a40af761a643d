"""The catalog's SQLite file: its schema, its connections and the write transaction every writer takes."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from retrieval import sqlite

__all__ = ["CatalogDatabase", "open_catalog"]

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
-- a second embedder's vectors (`retrieval.companion`): no generation trigger, the snapshot does not hold them
CREATE TABLE IF NOT EXISTS side_vectors (
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


def open_catalog(path: Path, *, schema: str = "", autocommit: bool = True) -> sqlite3.Connection:
    """A connection to the catalog file; commits skip the fsync (WAL keeps the file consistent, a power cut may
    lose the last commits)."""
    return sqlite.connect(path, schema=schema, timeout=30, synchronous="NORMAL", autocommit=autocommit)


class CatalogDatabase:
    """The catalog file, brought to the current schema, and one connection to it shared by every thread."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._db = open_catalog(path, schema=_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(records)")}
        if "text_hash" not in columns:  # catalogs written before the snapshot joined records to vectors in SQL
            with suppress(sqlite3.OperationalError):  # another process may have added it just now
                self._db.execute("ALTER TABLE records ADD COLUMN text_hash TEXT NOT NULL DEFAULT ''")
        self._db.execute("CREATE INDEX IF NOT EXISTS records_unhashed ON records (num) WHERE text_hash = ''")
        for trigger in _GENERATION_TRIGGERS:
            self._db.execute(trigger)
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
