"""Records (tombstones included: the table is its own change feed) and the feed's generation counter.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create both tables; the feed starts at generation 0 with a fresh store id."""
    op.create_table(
        "records",
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
    )
    op.create_index("ix_records_seq", "records", ["seq", "id"])
    op.create_index("ix_records_updated_at", "records", ["updated_at"])
    op.create_index("ix_records_pending", "records", ["id"],
                    postgresql_where=sa.text("NOT deleted AND embedded_hash <> hash"))
    feed = op.create_table(
        "record_feed",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("store_id", sa.String(32), nullable=False),
    )
    # the store id tells a node's cache that the database behind the same URL was replaced
    op.bulk_insert(feed, [{"id": 1, "generation": 0, "store_id": uuid.uuid4().hex}])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("record_feed")
    op.drop_table("records")
