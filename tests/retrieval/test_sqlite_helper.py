"""The one way local SQLite stores open their files: shared pragmas, a schema, numbered migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from retrieval import sqlite

SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"


def pragma(db: sqlite3.Connection, name: str) -> object:
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_a_store_opens_in_wal_with_its_timeout_and_foreign_keys(tmp_path: Path) -> None:
    db = sqlite.connect(tmp_path / "deep" / "store.sqlite", schema=SCHEMA, timeout=30, synchronous="NORMAL")

    assert pragma(db, "journal_mode") == "wal"
    assert pragma(db, "busy_timeout") == 30_000
    assert pragma(db, "synchronous") == 1  # NORMAL
    assert pragma(db, "foreign_keys") == 1
    assert db.isolation_level is None
    assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    db.close()


def test_synchronous_defaults_to_full(tmp_path: Path) -> None:
    db = sqlite.connect(tmp_path / "store.sqlite")

    assert pragma(db, "synchronous") == 2  # FULL
    db.close()


def test_migrations_run_once_each_in_order(tmp_path: Path) -> None:
    migrations = ["CREATE TABLE notes (id INTEGER PRIMARY KEY)", "ALTER TABLE notes ADD COLUMN text TEXT"]
    first = sqlite.connect(tmp_path / "store.sqlite", autocommit=False)
    sqlite.migrate(first, migrations[:1])
    first.close()

    again = sqlite.connect(tmp_path / "store.sqlite", autocommit=False)
    sqlite.migrate(again, migrations)
    sqlite.migrate(again, migrations)

    assert pragma(again, "user_version") == 2
    assert [row[1] for row in again.execute("PRAGMA table_info(notes)")] == ["id", "text"]
    assert again.isolation_level == "DEFERRED"
    again.close()


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    db = sqlite.connect(tmp_path / "store.sqlite", autocommit=False)

    with pytest.raises(sqlite3.OperationalError, match="syntax"):
        sqlite.migrate(db, ["CREATE TABLE notes (id INTEGER PRIMARY KEY)", "NOT SQL"])

    assert pragma(db, "user_version") == 0
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").fetchone()[0] == 0
    db.close()
