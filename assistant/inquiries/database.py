"""The inquiry database: an engine for TTC_DATABASE_URL (SQLite by default) and its Alembic migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from retrieval.errors import Unavailable

__all__ = ["MIGRATIONS", "VERSION_TABLE", "make_engine", "migrate"]

MIGRATIONS = Path(__file__).parent / "migrations"
# Its own history table, so other components may keep their own Alembic history in the same database.
VERSION_TABLE = "alembic_version_inquiries"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the bot process read the outbox while the web process writes; the timeout waits out writers.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


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


def migrate(engine: Engine) -> None:
    """Bring the inquiry tables to the newest schema (Alembic `upgrade head`); safe to run at every start."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise Unavailable(f"inquiry database unavailable: {exc.__class__.__name__}: {exc}".splitlines()[0]) from exc
