"""Asked questions with their outcome and rating, for staff insights.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the questions table."""
    op.create_table(
        "insight_questions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("asked_at", _TS, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("intent", sa.JSON(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("cited", sa.JSON(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("rating", sa.String(4), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", _TS, nullable=True),
    )
    op.create_index("ix_insight_questions_asked_at", "insight_questions", ["asked_at"])
    op.create_index("ix_insight_questions_rating", "insight_questions", ["rating", "asked_at"])


def downgrade() -> None:
    """Drop the questions table."""
    op.drop_table("insight_questions")
