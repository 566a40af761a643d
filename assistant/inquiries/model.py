"""SQLAlchemy 2 tables of the inquiry queue: inquiries, their audit trail and the delivery outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Base", "DeliveryRow", "EventRow", "InquiryRow", "utcnow"]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of the inquiry tables (their own metadata, their own Alembic history)."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON, list[str]: JSON, datetime: DateTime(timezone=True),
    }


class InquiryRow(Base):
    """One inquiry as received, classified and routed, with its current triage state."""

    __tablename__ = "inquiries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str | None] = mapped_column(String(320))
    sender_key: Mapped[str | None] = mapped_column(String(400), index=True)
    message: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), index=True)
    intent: Mapped[str] = mapped_column(String(32), index=True)
    field: Mapped[str] = mapped_column(String(32), index=True)
    urgency: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float] = mapped_column(Float)
    classification: Mapped[dict[str, Any]]
    routing: Mapped[dict[str, Any]]
    record_ids: Mapped[list[str]]
    suggested_record_ids: Mapped[list[str]]
    chat_id: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(128), index=True)
    assignee: Mapped[str | None] = mapped_column(String(120))
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]

    events: Mapped[list[EventRow]] = relationship(order_by="EventRow.id", cascade="all, delete-orphan",
                                                  back_populates="inquiry")


class EventRow(Base):
    """One entry of an inquiry's audit trail (created, merged, status, assigned, reply, delivered, ...)."""

    __tablename__ = "inquiry_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inquiry_id: Mapped[str] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any]]

    inquiry: Mapped[InquiryRow] = relationship(back_populates="events")


class DeliveryRow(Base):
    """A reply waiting in (or sent from) the outbox of one channel."""

    __tablename__ = "inquiry_deliveries"
    __table_args__ = (Index("ix_inquiry_deliveries_pending", "channel", "delivered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inquiry_id: Mapped[str] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(128), index=True)
    contact: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
