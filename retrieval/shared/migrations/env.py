"""Alembic environment of the shared record tables; run programmatically by `retrieval.shared.schema.migrate`."""

from __future__ import annotations

from alembic import context

from retrieval.shared.schema import VERSION_TABLE, metadata


def run_migrations() -> None:
    """Upgrade on the connection handed over in `config.attributes`."""
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
