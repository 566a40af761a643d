"""The inquiry database: an engine for TTC_DATABASE_URL (SQLite by default) and its Alembic migrations."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from retrieval import sqlite
from retrieval.errors import TTCError, Unavailable

__all__ = ["MIGRATIONS", "VERSION_TABLE", "make_engine", "migrate", "open_database"]

MIGRATIONS = Path(__file__).parent / "migrations"
# Its own history table, so other components may keep their own Alembic history in the same database.
VERSION_TABLE = "alembic_version_inquiries"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the bot process read the outbox while the web process writes; the timeout waits out writers.
    sqlite.configure(dbapi_connection, timeout=10)


def make_engine(url: str) -> Engine:
    """An engine for `url`; for file SQLite the parent directory is created and WAL mode is used."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


_MIGRATION_LOCK = 7_342_019
"""PostgreSQL advisory lock key taken while migrating (any number the application uses for nothing else)."""


@contextmanager
def _one_at_a_time(engine: Engine) -> Iterator[None]:
    """Processes starting together over a new database (several `ttc serve`, the bot) migrate in turn instead of
    racing to create the same tables: a file lock beside an SQLite file; PostgreSQL's lock is taken in `migrate`."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Bring the inquiry tables to the newest schema (Alembic `upgrade head`); safe to run at every start, and
    from several processes at once."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with _one_at_a_time(engine), engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # held until this transaction ends
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise Unavailable(f"inquiry database unavailable: {exc.__class__.__name__}: {exc}".splitlines()[0]) from exc


def open_database(url: str) -> Engine:
    """An engine for `url` with the newest schema (`migrate`); nothing is left open when migrating fails."""
    engine = make_engine(url)
    try:
        migrate(engine)
    except TTCError:
        engine.dispose()
        raise
    return engine
