"""Persistence of inquiries, audit events and outbox deliveries; every public method is one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from assistant.inquiries.inquiry import Delivery, Event, Inquiry
from assistant.inquiries.model import DeliveryRow, EventRow, InquiryRow, utcnow
from retrieval.errors import NotFound, Unavailable

__all__ = ["InquiryStore", "NewEvent"]

NewEvent = tuple[str, str, dict[str, Any]]
"""(type, actor, detail) of an audit event to append."""


def _event(row: EventRow) -> Event:
    return Event(id=row.id, type=row.type, actor=row.actor, at=row.at, detail=dict(row.detail))


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(id=row.id, inquiry_id=row.inquiry_id, channel=row.channel, chat_id=row.chat_id,
                    session_id=row.session_id, contact=row.contact, language=row.language, text=row.text,
                    created_at=row.created_at, delivered_at=row.delivered_at, attempts=row.attempts,
                    last_error=row.last_error)


def _inquiry(row: InquiryRow, with_events: bool) -> Inquiry:
    return Inquiry(
        id=row.id, status=row.status, channel=row.channel, contact=row.contact, message=row.message,
        language=row.language, intent=row.intent, field=row.field, urgency=row.urgency, confidence=row.confidence,
        classification_detail=dict(row.classification), routed_to=dict(row.routing), record_ids=list(row.record_ids),
        suggested_record_ids=list(row.suggested_record_ids), chat_id=row.chat_id, session_id=row.session_id,
        assignee=row.assignee, duplicates=row.duplicates, created_at=row.created_at, updated_at=row.updated_at,
        events=tuple(_event(e) for e in row.events) if with_events else (),
    )


class InquiryStore:
    """Inquiry rows behind a small, typed interface (SQLite or PostgreSQL through SQLAlchemy)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise Unavailable(f"inquiry database unavailable: {str(exc.orig or exc).splitlines()[0]}") from exc

    def _row(self, session: Session, inquiry_id: str, *, lock: bool = False) -> InquiryRow:
        query = select(InquiryRow).where(InquiryRow.id == inquiry_id).options(selectinload(InquiryRow.events))
        if lock:
            query = query.with_for_update()
        row = session.scalars(query).first()
        if row is None:
            raise NotFound(f"no inquiry with id {inquiry_id!r}")
        return row

    def add(self, row: InquiryRow, events: Sequence[NewEvent]) -> Inquiry:
        """Insert a new inquiry with its first audit events."""
        with self._session() as session:
            for type_, actor, detail in events:
                row.events.append(EventRow(type=type_, actor=actor, at=row.created_at, detail=detail))
            session.add(row)
            session.flush()
            return _inquiry(row, True)

    def get(self, inquiry_id: str) -> Inquiry:
        """One inquiry with its audit trail; NotFound if absent."""
        with self._session() as session:
            return _inquiry(self._row(session, inquiry_id), True)

    def find(self, *, status: str | None = None, field: str | None = None, language: str | None = None,
             intent: str | None = None, limit: int = 100) -> list[Inquiry]:
        """Newest first, without audit trails."""
        query = select(InquiryRow).order_by(InquiryRow.created_at.desc(), InquiryRow.id).limit(limit)
        for column, value in ((InquiryRow.status, status), (InquiryRow.field, field),
                              (InquiryRow.language, language), (InquiryRow.intent, intent)):
            if value is not None:
                query = query.where(column == value)
        with self._session() as session:
            return [_inquiry(row, False) for row in session.scalars(query)]

    def recent_from(self, sender_key: str, since: datetime) -> list[tuple[str, str, str]]:
        """(id, fingerprint, status) of the sender's inquiries created after `since`, newest first."""
        query = (select(InquiryRow.id, InquiryRow.fingerprint, InquiryRow.status)
                 .where(InquiryRow.sender_key == sender_key, InquiryRow.created_at >= since)
                 .order_by(InquiryRow.created_at.desc()))
        with self._session() as session:
            return [(r[0], r[1], r[2]) for r in session.execute(query)]

    def merge(self, inquiry_id: str, event: NewEvent) -> Inquiry:
        """Count a repeated message into an existing inquiry, with an audit event."""
        with self._session() as session:
            row = self._row(session, inquiry_id, lock=True)
            now = utcnow()
            row.duplicates += 1
            row.updated_at = now
            type_, actor, detail = event
            row.events.append(EventRow(type=type_, actor=actor, at=now, detail=detail))
            session.flush()
            return _inquiry(row, True)

    def update(self, inquiry_id: str, changes: dict[str, Any], events: Sequence[NewEvent],
               delivery: dict[str, Any] | None = None) -> Inquiry:
        """Apply column changes, append audit events and optionally queue a delivery, atomically."""
        with self._session() as session:
            row = self._row(session, inquiry_id, lock=True)
            now = utcnow()
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = now
            if delivery is not None:
                outgoing = DeliveryRow(inquiry_id=row.id, created_at=now, attempts=0, **delivery)
                session.add(outgoing)
                session.flush()
                events = [(t, a, {**d, "delivery_id": outgoing.id}) if t == "reply" else (t, a, d)
                          for t, a, d in events]
            for type_, actor, detail in events:
                row.events.append(EventRow(type=type_, actor=actor, at=now, detail=detail))
            session.flush()
            return _inquiry(row, True)

    def pending(self, channel: str, limit: int) -> list[Delivery]:
        """Undelivered outbox entries of a channel, oldest first."""
        query = (select(DeliveryRow).where(DeliveryRow.channel == channel, DeliveryRow.delivered_at.is_(None))
                 .order_by(DeliveryRow.id).limit(limit))
        with self._session() as session:
            return [_delivery(row) for row in session.scalars(query)]

    def deliveries(self, *, inquiry_id: str | None = None, session_id: str | None = None) -> list[Delivery]:
        """Outbox entries of one inquiry or one web session, oldest first."""
        query = select(DeliveryRow).order_by(DeliveryRow.id)
        if inquiry_id is not None:
            query = query.where(DeliveryRow.inquiry_id == inquiry_id)
        if session_id is not None:
            query = query.where(DeliveryRow.session_id == session_id)
        with self._session() as session:
            return [_delivery(row) for row in session.scalars(query)]

    def settle(self, delivery_id: int, *, error: str | None, actor: str) -> Delivery:
        """Record a delivery attempt: delivered (error None, idempotent) or failed with `error`."""
        with self._session() as session:
            row = session.get(DeliveryRow, delivery_id, with_for_update=True)
            if row is None:
                raise NotFound(f"no delivery with id {delivery_id!r}")
            if row.delivered_at is not None:
                return _delivery(row)
            now = utcnow()
            row.attempts += 1
            if error is None:
                row.delivered_at = now
                detail: dict[str, Any] = {"delivery_id": row.id, "channel": row.channel}
                session.add(EventRow(inquiry_id=row.inquiry_id, type="delivered", actor=actor, at=now, detail=detail))
            else:
                row.last_error = error[:2000]
                session.add(EventRow(inquiry_id=row.inquiry_id, type="delivery_failed", actor=actor, at=now,
                                     detail={"delivery_id": row.id, "channel": row.channel, "error": error[:500]}))
            session.flush()
            return _delivery(row)
