"""InquiryService: receive, classify, route, de-duplicate, triage and answer inquiries through their channel."""

from __future__ import annotations

import builtins
import difflib
import logging
import threading
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from assistant.chat.match_strength import match_strength
from assistant.chat.relevance import RelevanceConfig
from assistant.inquiries.classifier import Classification, Classifier
from assistant.inquiries.cues import normalize
from assistant.inquiries.database import open_database
from assistant.inquiries.directory import Directory, load_directory
from assistant.inquiries.inquiry import CHANNELS, STATUSES, Channel, Delivery, Inquiry
from assistant.inquiries.inquiry_store import InquiryStore, NewEvent
from assistant.inquiries.llm_triage import LLMTriage
from assistant.inquiries.model import InquiryRow, utcnow
from assistant.inquiries.routing import Router
from assistant.locale.languages import resolve_language
from assistant.understanding.fields import fields_from_hits
from retrieval.errors import InvalidInput
from retrieval.index import Index
from retrieval.record import FIELDS

__all__ = ["InquiryService"]

log = logging.getLogger(__name__)
MAX_MESSAGE = 10_000
MAX_REPLY = 4_000
MAX_RECORDS = 20


def _text(value: str | None, name: str, limit: int) -> str | None:
    if value is None:
        return None
    value = value.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    return value or None


class InquiryService:
    """The staff triage queue; thread-safe, durable, shared by the web app, the bot and the CLI."""

    def __init__(self, engine: Engine, *, index: Index | None = None, classifier: Classifier | None = None,
                 directory: Directory | None = None, triage: LLMTriage | None = None,
                 duplicate_window: timedelta = timedelta(hours=24), duplicate_similarity: float = 0.85) -> None:
        self.engine = engine
        self.store = InquiryStore(engine)
        self.index = index
        self.classifier = classifier or Classifier(index.embeddings if index is not None else None)
        self.router = Router(directory or load_directory())
        self.triage = triage
        self.duplicate_window = duplicate_window
        self.duplicate_similarity = duplicate_similarity
        self._warm_up: threading.Thread | None = None
        self._start_lock = threading.Lock()

    @classmethod
    def open(cls, database_url: str, *, index: Index | None = None, **options: Any) -> InquiryService:
        """Connect to `database_url`, run the Alembic migrations and return the service."""
        return cls(open_database(database_url), index=index, **options)

    def start(self) -> None:
        """For long-running processes: embed the classifier's examples in a background thread now, so the first
        inquiry does not wait for it; idempotent."""
        with self._start_lock:
            if self._warm_up is None:
                self._warm_up = threading.Thread(target=self.classifier.warm_up, name="inquiry-classifier-warm-up",
                                                 daemon=True)
                self._warm_up.start()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- intake ---------------------------------------------------------------------------------------
    def create(self, *, message: str, channel: Channel, contact: str | None = None, language: str | None = None,
               record_ids: list[str] | None = None, chat_id: str | None = None,
               session_id: str | None = None) -> Inquiry:
        """Store a new inquiry, classified and routed; a near-identical repeat from the same sender is merged."""
        text = _text(message, "message", MAX_MESSAGE)
        if text is None:
            raise InvalidInput("message is empty")
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
        contact = _text(contact, "contact", 320)
        ids = list(dict.fromkeys(r.strip() for r in record_ids or [] if r and r.strip()))
        if len(ids) > MAX_RECORDS:
            raise InvalidInput(f"at most {MAX_RECORDS} record ids")
        chat = _text(str(chat_id) if chat_id is not None else None, "chat_id", 64)
        session = _text(session_id, "session_id", 128)
        sender = self._sender_key(channel, contact, chat, session)
        fingerprint = normalize(text)
        if sender is not None:
            merged = self._merge_duplicate(sender, fingerprint, text, channel)
            if merged is not None:
                return merged
        lang = resolve_language(text, language)
        fields, countries = self._record_context(ids)
        suggested = self._suggest(text, exclude=ids)
        result = self.classifier.classify(text, lang, field_hints=fields, field_votes=self.field_votes(text))
        if self.triage is not None:
            result = self.triage.refine(text, result)
        route = self.router.route(intent=result.intent, field=result.field, language=lang,
                                  record_countries=countries + [c for _, _, c in suggested[:2] if c])
        now = utcnow()
        row = InquiryRow(
            id=uuid.uuid4().hex[:12], status="spam" if result.intent == "spam" else "new", channel=channel,
            contact=contact, sender_key=sender, message=text, fingerprint=fingerprint, language=lang,
            intent=result.intent, field=result.field, urgency=result.urgency, confidence=result.confidence,
            classification=result.detail(), routing=route.as_dict(), record_ids=ids,
            suggested_record_ids=[r for r, _, _ in suggested], chat_id=chat, session_id=session, assignee=None,
            duplicates=0, created_at=now, updated_at=now,
        )
        return self.store.add(row, self._intake_events(channel, result, route.as_dict()))

    @staticmethod
    def _intake_events(channel: str, result: Classification, routed: dict[str, Any]) -> list[NewEvent]:
        events: list[NewEvent] = [("created", channel, {"channel": channel}),
                                  ("classified", "classifier", result.detail()),
                                  ("routed", "router", {k: routed[k] for k in ("institution_id", "queue", "reason")})]
        if result.intent == "spam":
            events.append(("flagged_spam", "classifier", {"signals": result.evidence.get("spam_signals", []),
                                                          "keywords": result.evidence["keywords"].get("spam", [])}))
        return events

    @staticmethod
    def _sender_key(channel: str, contact: str | None, chat_id: str | None, session_id: str | None) -> str | None:
        if contact:
            return f"contact:{normalize(contact)}"
        if chat_id:
            return f"{channel}:chat:{chat_id}"
        if session_id:
            return f"{channel}:session:{session_id}"
        return None

    def _merge_duplicate(self, sender: str, fingerprint: str, text: str, channel: str) -> Inquiry | None:
        since = utcnow() - self.duplicate_window
        for inquiry_id, previous, status in self.store.recent_from(sender, since)[:_MERGE_CANDIDATES]:
            if status == "closed":
                continue
            similarity = _similarity(previous, fingerprint, self.duplicate_similarity)
            if similarity >= self.duplicate_similarity:
                detail = {"channel": channel, "similarity": round(similarity, 3), "message": text}
                return self.store.merge(inquiry_id, ("merged", channel, detail))
        return None

    def _record_context(self, ids: Sequence[str]) -> tuple[list[str], list[str]]:
        """Fields and countries of the related records that exist."""
        fields: list[str] = []
        countries: list[str] = []
        if self.index is None:
            return fields, countries
        for record_id in ids:
            record = self.index.get(record_id)
            if record is not None:
                fields.extend([record.field] if record.field else [])
                countries.extend([record.country] if record.country else [])
        return fields, countries

    def field_votes(self, text: str, k: int = 10) -> list[tuple[str, float]]:
        """The answers' field understanding (`fields_from_hits`) for the inquiry's topic: the weighted vote of the
        records retrieved for it, when they clearly match (else they would only add noise); empty without an index."""
        if self.index is None or self.index.catalog.count() == 0:
            return []
        try:
            hits = self.index.search(text[:2000], k=k)
        except Exception:  # an aid, as the suggestions are
            log.warning("no field vote from related records", exc_info=True)
            return []
        config = RelevanceConfig()
        cited = [h for h in hits if h.score >= config.min_score]
        if match_strength(cited, config, corpus=self.index.catalog.count()) != "strong":
            return []
        return fields_from_hits(hits, floor=config.counterpart_score)

    def _suggest(self, text: str, exclude: Sequence[str], k: int = 5) -> list[tuple[str, str, str]]:
        """(id, field, country) of corpus records close to the message, best first; empty without an index."""
        if self.index is None or self.index.catalog.count() == 0:
            return []
        try:
            hits = self.index.search(text[:2000], k=k + len(exclude))
        except Exception:  # suggestions are an aid: an inquiry is stored even when search fails
            log.warning("no related-record suggestions", exc_info=True)
            return []
        found = [(h.record.id, h.record.field or "other", h.record.country or "") for h in hits
                 if h.record.id not in exclude]
        return found[:k]

    # -- staff ----------------------------------------------------------------------------------------
    def get(self, inquiry_id: str) -> Inquiry:
        """One inquiry with its audit trail; NotFound if absent."""
        return self.store.get(inquiry_id)

    def list(self, status: str | None = None, field: str | None = None, language: str | None = None,
             limit: int = 100, *, intent: str | None = None) -> builtins.list[Inquiry]:
        """The queue, newest first, optionally filtered."""
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
        if field is not None and field not in FIELDS:
            raise InvalidInput(f"unknown field {field!r}")
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit must be between 1 and 1000")
        return self.store.find(status=status, field=field, language=language, intent=intent, limit=limit)

    def update(self, inquiry_id: str, *, status: str | None = None, assignee: str | None = None,
               reply: str | None = None, actor: str = "staff") -> Inquiry:
        """Change status/assignee and/or reply; a reply is queued in the outbox of the inquiry's channel."""
        if status is None and assignee is None and reply is None:
            raise InvalidInput("nothing to update: give status, assignee or reply")
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
        reply_text = _text(reply, "reply", MAX_REPLY)
        if reply is not None and reply_text is None:
            raise InvalidInput("reply is empty")
        current = self.store.get(inquiry_id)
        changes: dict[str, Any] = {}
        events: list[NewEvent] = []
        delivery: dict[str, Any] | None = None
        if reply_text is not None:
            delivery = {"channel": current.channel, "chat_id": current.chat_id, "session_id": current.session_id,
                        "contact": current.contact, "language": current.language, "text": reply_text}
            events.append(("reply", actor, {"text": reply_text, "channel": current.channel}))
            if status is None and current.status not in ("closed", "answered"):
                status = "answered"
        if assignee is not None and (assignee.strip() or None) != current.assignee:
            changes["assignee"] = _text(assignee, "assignee", 120)
            events.append(("assigned", actor, {"from": current.assignee, "to": changes["assignee"]}))
        if status is not None and status != current.status:
            changes["status"] = status
            events.append(("status", actor, {"from": current.status, "to": status}))
        if not events:
            return current
        return self.store.update(inquiry_id, changes, events, delivery)

    # -- outbox ---------------------------------------------------------------------------------------
    def pending_deliveries(self, channel: str, limit: int = 100) -> builtins.list[Delivery]:
        """Replies not yet delivered on `channel`, oldest first (polled by the bot, possibly in another process)."""
        return self.store.pending(channel, limit)

    def mark_delivered(self, delivery_id: int, actor: str = "channel") -> Delivery:
        """Confirm a delivery (idempotent); recorded in the audit trail."""
        return self.store.settle(delivery_id, error=None, actor=actor)

    def mark_failed(self, delivery_id: int, error: str, actor: str = "channel") -> Delivery:
        """Record a failed attempt; the delivery stays pending for a retry."""
        return self.store.settle(delivery_id, error=error or "unknown error", actor=actor)

    def deliveries(self, inquiry_id: str) -> builtins.list[Delivery]:
        """Every reply queued for one inquiry, delivered or not."""
        self.store.get(inquiry_id)
        return self.store.deliveries(inquiry_id=inquiry_id)

    def replies_for_session(self, session_id: str) -> builtins.list[Delivery]:
        """Staff replies to a web session's inquiries; showing them counts as delivering them."""
        replies = self.store.deliveries(session_id=session_id)
        shown = []
        for delivery in replies:
            if delivery.channel == "web" and delivery.delivered_at is None:
                delivery = self.mark_delivered(delivery.id, actor="web")
            shown.append(delivery)
        return shown


# Character-level matching costs up to cubic time: a public request must not buy seconds of CPU with a long message.
_MERGE_CANDIDATES = 5
_MERGE_COMPARED_CHARS = 300


def _similarity(previous: str, current: str, threshold: float) -> float:
    """difflib's ratio of two fingerprints, bounded in cost: equal texts are settled at once, the linear upper
    bounds (length, character counts) over the whole texts rule out most others, and only the first
    `_MERGE_COMPARED_CHARS` characters are matched exactly."""
    if previous == current:
        return 1.0
    whole = difflib.SequenceMatcher(None, previous, current, autojunk=False)
    bound = min(whole.real_quick_ratio(), whole.quick_ratio())
    if bound < threshold:
        return bound
    head = difflib.SequenceMatcher(None, previous[:_MERGE_COMPARED_CHARS], current[:_MERGE_COMPARED_CHARS],
                                   autojunk=False)
    return min(bound, head.ratio())
