"""The shared record tables and their Alembic migrations (a history of their own in the inquiries' database).

`records` holds every record ever written, a deleted one as a tombstone, so that the table is its own change feed:
each write stamps its rows with the feed's next generation (`record_feed`, one row), and a node that has applied
everything up to generation G asks for the rows whose `seq` is above G. Taking the next generation locks the feed
row until the write commits, so generations become visible in the order they were taken and a follower never skips
a write that committed late.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import SQLAlchemyError

from retrieval.errors import Unavailable

__all__ = ["MIGRATIONS", "VERSION_TABLE", "metadata", "migrate", "record_feed", "records"]

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version_records"
"""Its own history table: the inquiry tables keep theirs (`alembic_version_inquiries`) in the same database."""

_MIGRATION_LOCK = 7_342_020
"""PostgreSQL advisory lock key taken while migrating (the inquiry tables' key plus one)."""

metadata = sa.MetaData()

records = sa.Table(
    "records", metadata,
    sa.Column("id", sa.Text(), primary_key=True),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("deleted", sa.Boolean(), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("field", sa.Text(), nullable=False),
    sa.Column("country", sa.Text(), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("embedded_hash", sa.String(64), nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_records_seq", "seq", "id"),
    sa.Index("ix_records_updated_at", "updated_at"),
    sa.Index("ix_records_pending", "id", postgresql_where=sa.text("NOT deleted AND embedded_hash <> hash")),
)

record_feed = sa.Table(
    "record_feed", metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("generation", sa.BigInteger(), nullable=False),
    sa.Column("store_id", sa.String(32), nullable=False),
)


def migrate(engine: sa.Engine) -> None:
    """Bring the shared record tables to the newest schema; safe at every start, from several nodes at once."""
    if engine.dialect.name != "postgresql":
        raise ValueError("shared records need PostgreSQL")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise Unavailable(f"record database unavailable: {exc.__class__.__name__}: {exc}".splitlines()[0]) from exc
