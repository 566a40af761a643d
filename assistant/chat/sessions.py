"""Chat sessions: the last turns of each conversation, in SQLite beside the index."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from retrieval import sqlite

__all__ = ["SessionStore", "Turn"]

# Numbered migrations (`retrieval.sqlite.migrate`).
_MIGRATIONS = (
    """
    CREATE TABLE chat_turns (
        num INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        question TEXT NOT NULL,
        condensed TEXT NOT NULL,
        language TEXT NOT NULL,
        country TEXT,
        answer TEXT NOT NULL,
        cited TEXT NOT NULL
    );
    CREATE INDEX chat_turns_session ON chat_turns (session_id, num);
    """,
    "ALTER TABLE chat_turns ADD COLUMN topic TEXT NOT NULL DEFAULT '';",
)


@dataclass(frozen=True)
class Turn:
    """One question and its answer."""

    question: str
    condensed: str
    language: str
    answer: str
    country: str | None = None
    cited: list[str] = field(default_factory=list)
    topic: str = ""
    """The standalone question a run of follow-ups refers to."""


class SessionStore:
    """Keeps the last `keep` turns per session; safe to share between threads and processes once `open`."""

    def __init__(self, path: Path, keep: int = 6) -> None:
        self.path = path
        self.keep = keep
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def open(self) -> SessionStore:
        """Create the file and its tables (the migrations it lacks); idempotent. Returns the store."""
        with self._lock:
            if self._db is None:
                # commits without fsync (WAL stays consistent): with the default FULL, a chat turn waited
                # about 15 ms for the disk
                db = sqlite.connect(self.path, timeout=10, synchronous="NORMAL", autocommit=False)
                sqlite.migrate(db, _MIGRATIONS)
                self._db = db
        return self

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One connection for the store's life: closing the last connection checkpoints the WAL (about 4 ms a turn).
        with self._lock:
            if self._db is None:
                raise RuntimeError("the session store is not open (call open() first)")
            with self._db:
                yield self._db

    def close(self) -> None:
        """Close the database; `open` opens it again."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def history(self, session_id: str) -> list[Turn]:
        """The session's kept turns, oldest first (empty for an unknown session)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT question, condensed, language, answer, country, cited, topic FROM chat_turns"
                " WHERE session_id = ? ORDER BY num DESC LIMIT ?", (session_id, self.keep)).fetchall()
        return [Turn(q, c, lang, a, country, json.loads(cited), topic)
                for q, c, lang, a, country, cited, topic in reversed(rows)]

    def add(self, session_id: str, turn: Turn) -> None:
        """Append a turn and forget the session's turns beyond the last `keep`."""
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "INSERT INTO chat_turns (session_id, created_at, question, condensed, topic, language, country,"
                " answer, cited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, stamp, turn.question, turn.condensed, turn.topic or turn.condensed, turn.language,
                 turn.country, turn.answer, json.dumps(turn.cited)))
            db.execute(
                "DELETE FROM chat_turns WHERE session_id = ? AND num NOT IN"
                " (SELECT num FROM chat_turns WHERE session_id = ? ORDER BY num DESC LIMIT ?)",
                (session_id, session_id, self.keep))
