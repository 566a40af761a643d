"""SQLAlchemy table of asked questions and their rating, kept in the inquiry database (migration 0002)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.inquiries.model import Base

__all__ = ["QuestionRow"]


class QuestionRow(Base):
    """One answered question: what was asked, how it was understood, what was cited, and the user's rating.

    No chat user identifier (session, chat id, contact) is kept: these rows are for aggregate insights."""

    __tablename__ = "insight_questions"
    __table_args__ = (Index("ix_insight_questions_rating", "rating", "asked_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the answer id
    asked_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    question: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(20))
    intent: Mapped[dict[str, Any] | None]
    fields: Mapped[list[str]]
    cited: Mapped[list[str]]
    latency_ms: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[str | None] = mapped_column(String(4))
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
