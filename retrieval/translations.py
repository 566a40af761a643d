"""Machine translations of record text, kept in the catalog's SQLite file.

Keyed by the sha256 of the source text and the target language: a text is sent to a translator once, across
questions, processes and restarts, and a record whose text changed has a new key, so it is translated again.
The table lives beside the records (an existing catalog gains it in place) but nothing in it touches the
catalog's generation, so filling it never makes a server reload its search snapshot.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from retrieval import sqlite

__all__ = ["TranslationCache", "text_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    text_hash TEXT NOT NULL,
    target TEXT NOT NULL,
    translated TEXT NOT NULL,
    provider TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (text_hash, target)
) WITHOUT ROWID;
"""


def text_key(text: str) -> str:
    """The cache key of a source text: sha256 of its UTF-8 bytes, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TranslationCache:
    """(text hash, target language) → (translation, provider); safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite.connect(path, schema=_SCHEMA, timeout=30, synchronous="NORMAL")
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> TranslationCache:
        """The cache in a data directory's catalog file."""
        return cls(data_dir / "catalog.sqlite")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get_many(self, keys: Sequence[str], target: str) -> dict[str, tuple[str, str]]:
        """text hash → (translation, provider) for the keys translated into `target` already."""
        out: dict[str, tuple[str, str]] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(unique), 500):
                chunk = unique[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT text_hash, translated, provider FROM translations WHERE target = ? "
                    f"AND text_hash IN ({marks})", [target, *chunk])
                out.update({row[0]: (row[1], row[2]) for row in rows})
        return out

    def put_many(self, items: Iterable[tuple[str, str, str]], target: str) -> None:
        """Store (text hash, translation, provider) triples for `target`, replacing older ones."""
        rows = [(key, target, translated, provider) for key, translated, provider in items]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR REPLACE INTO translations (text_hash, target, translated, provider) "
                                     "VALUES (?, ?, ?, ?)", rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def count(self, target: str | None = None) -> int:
        """Cached translations (into `target`, or all)."""
        with self._lock:
            if target is None:
                return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])
            return int(self._db.execute("SELECT COUNT(*) FROM translations WHERE target = ?",
                                        (target,)).fetchone()[0])
