"""Local SQLite files shared between threads and processes: one way to open them and give them their tables.

Every local store (the catalog, translations, chat sessions, the bot's state, the rate limiter, the inquiry
database) opens its file here, so they all get the same pragmas: WAL (readers never wait for the writer; the
mode is kept by the file), a busy timeout (a second writer waits instead of failing at once) and enforced
foreign keys. What stays per store is how long to wait and how often to fsync (`synchronous`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

__all__ = ["Synchronous", "configure", "connect", "migrate"]

Synchronous = Literal["OFF", "NORMAL", "FULL"]
"""FULL (SQLite's default) fsyncs every commit; NORMAL skips it and stays consistent in WAL mode but may lose
the last commits in a power cut; OFF may also corrupt the file then (only for data worth nothing after a crash)."""


def configure(db: Any, *, timeout: float = 10.0, synchronous: Synchronous = "FULL") -> None:
    """Apply the shared pragmas to an open DB-API connection (also one a connection pool opened)."""
    cursor = db.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def connect(path: Path, *, schema: str = "", timeout: float = 10.0, synchronous: Synchronous = "FULL",
            autocommit: bool = True) -> sqlite3.Connection:
    """Open `path` (creating its directory) for use from any thread, with the shared pragmas, and run `schema`
    (statements that create what is missing: `CREATE ... IF NOT EXISTS`).

    `autocommit` leaves transactions to explicit BEGIN/COMMIT; without it, `with db:` opens and commits one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=timeout, check_same_thread=False,
                         isolation_level=None if autocommit else "DEFERRED")
    configure(db, timeout=timeout, synchronous=synchronous)
    if schema:
        db.executescript(schema)
    return db


def migrate(db: sqlite3.Connection, migrations: Sequence[str]) -> None:
    """Run the numbered migrations the file lacks (PRAGMA user_version counts those that ran), in one write
    transaction: processes opening a new file together take turns instead of racing to create the same table."""
    previous = db.isolation_level
    db.isolation_level = None  # transactions by hand: executescript would commit in the middle
    db.execute("BEGIN IMMEDIATE")
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        for number, script in enumerate(migrations[version:], version + 1):
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
    except BaseException:
        db.execute("ROLLBACK")
        db.isolation_level = previous
        raise
    db.execute("COMMIT")
    db.isolation_level = previous
