"""The public, immutable view of an inquiry, its audit events and its outbox deliveries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = ["CHANNELS", "INTENTS", "STATUSES", "URGENCIES", "Channel", "Delivery", "Event", "Inquiry", "iso"]

Channel = Literal["web", "telegram", "api"]
CHANNELS: tuple[str, ...] = ("web", "telegram", "api")
STATUSES: tuple[str, ...] = ("new", "in_progress", "answered", "closed", "spam")
INTENTS: tuple[str, ...] = ("partner_search", "licensing", "technology_request", "investment", "event", "support",
                            "spam")
URGENCIES: tuple[str, ...] = ("low", "normal", "high")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands back naive datetimes, which are UTC by construction."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Event:
    """One audit-trail entry."""

    id: int
    type: str
    actor: str
    at: datetime
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "type": self.type, "actor": self.actor, "at": iso(self.at), "detail": self.detail}


@dataclass(frozen=True)
class Delivery:
    """A staff reply in the outbox of a channel; `delivered_at` is None until the channel confirms it."""

    id: int
    inquiry_id: str
    channel: str
    chat_id: str | None
    session_id: str | None
    contact: str | None
    language: str
    text: str
    created_at: datetime
    delivered_at: datetime | None
    attempts: int
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "inquiry_id": self.inquiry_id, "channel": self.channel, "chat_id": self.chat_id,
                "session_id": self.session_id, "language": self.language, "text": self.text,
                "created_at": iso(self.created_at), "delivered_at": iso(self.delivered_at),
                "attempts": self.attempts, "last_error": self.last_error}


@dataclass(frozen=True)
class Inquiry:
    """An inquiry with its classification, routing and (when loaded) audit trail."""

    id: str
    status: str
    channel: str
    contact: str | None
    message: str
    language: str
    intent: str
    field: str
    urgency: str
    confidence: float
    classification_detail: dict[str, Any]
    routed_to: dict[str, Any]
    record_ids: list[str]
    suggested_record_ids: list[str]
    chat_id: str | None
    session_id: str | None
    assignee: str | None
    duplicates: int
    created_at: datetime
    updated_at: datetime
    events: tuple[Event, ...] = dataclasses.field(default=())

    @property
    def classification(self) -> dict[str, Any]:
        """The docs/contract.md classification object."""
        return {"intent": self.intent, "field": self.field, "language": self.language, "urgency": self.urgency,
                "confidence": round(self.confidence, 3)}

    def as_dict(self, *, events: bool = True) -> dict[str, Any]:
        """The shape of docs/contract.md of an inquiry (staff view)."""
        data: dict[str, Any] = {
            "id": self.id, "status": self.status, "classification": self.classification,
            "routed_to": self.routed_to, "channel": self.channel, "contact": self.contact,
            "message": self.message, "record_ids": self.record_ids,
            "suggested_record_ids": self.suggested_record_ids, "assignee": self.assignee,
            "duplicates": self.duplicates, "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
        }
        if events:
            data["events"] = [e.as_dict() for e in self.events]
        return data

    def public_dict(self) -> dict[str, Any]:
        """What the sender may see: no contact, no staff assignee, no audit trail."""
        return {"id": self.id, "status": self.status, "classification": self.classification,
                "routed_to": {k: self.routed_to.get(k) for k in ("institution", "country", "queue")},
                "created_at": iso(self.created_at)}
