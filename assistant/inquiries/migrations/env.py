"""Alembic environment of the inquiry tables; run programmatically by `assistant.inquiries.database.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from assistant.inquiries.database import VERSION_TABLE
from assistant.inquiries.model import Base


def run_migrations() -> None:
    """Upgrade on the connection handed over in `config.attributes`, or on `sqlalchemy.url`."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
