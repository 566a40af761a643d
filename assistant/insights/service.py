"""InsightsService: record every answered question from every channel, take ratings, summarize for staff."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from langchain_core.embeddings import Embeddings
from sqlalchemy import Engine

from assistant.chat.results import Answer
from assistant.inquiries.model import utcnow
from assistant.insights.question_store import QuestionStore
from assistant.insights.recorder import Recorder
from assistant.insights.summary import question_fields, summarize
from assistant.locale.lexicon import normalize
from retrieval.errors import InvalidInput, NotFound

__all__ = ["CHANNELS", "MAX_COMMENT", "RATINGS", "InsightsService", "is_answered"]

log = logging.getLogger(__name__)

CHANNELS = ("web", "api", "telegram", "cli", "openai")
RATINGS = ("up", "down")
MAX_COMMENT = 2000
MAX_QUESTION = 4000
_VECTORS = 5000
_ANSWER_ID = re.compile(r"[0-9A-Za-z_-]{1,32}")


def is_answered(data: Mapping[str, Any]) -> tuple[bool, str]:
    """(answered, outcome) of an answer's JSON form: answered means at least one cited record, and neither the
    nothing-found / off-topic path nor a weak match."""
    metadata = data.get("metadata") or {}
    reply = metadata.get("reply")
    if reply:
        return False, str(reply)[:20]
    if metadata.get("match") in ("weak", "none"):
        return False, f"match_{metadata['match']}"
    if not data.get("citations"):
        return False, "no_citations"
    return True, "answered"


class InsightsService:
    """Questions and ratings in the inquiry database; recording never slows or breaks an answer."""

    def __init__(self, engine: Engine, *, embeddings: Embeddings | None = None, retention_days: int = 180,
                 clock: Callable[[], datetime] = utcnow, similarity: float = 0.92) -> None:
        self.store = QuestionStore(engine)
        self.embeddings = embeddings
        self.retention_days = retention_days
        self.similarity = similarity
        self._clock = clock
        self._recorder = Recorder(self.store.add, every=self.purge)
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._vectors_lock = threading.Lock()

    def start(self) -> None:
        """For long-running processes: start the writer, which purges old questions now and then hourly."""
        self._recorder.start()

    def close(self) -> None:
        """Write the questions still queued; the engine belongs to the caller."""
        self._recorder.close()

    # -- recording ------------------------------------------------------------------------------------
    def record(self, answer: Answer | Mapping[str, Any], *, channel: str, question: str | None = None) -> None:
        """Remember one answered question (returns at once; a failure is logged, never raised).

        `answer` is the Answer or its JSON form (`as_dict()`, e.g. a stream's `done` event); `question` defaults to
        the Answer's own. Nothing identifying the user is stored."""
        try:
            row = self._row(answer, channel, question)
        except Exception as exc:
            log.warning("insights: question not recorded: %s", exc.__class__.__name__)
            return
        if row is not None:
            self._recorder.put(row)

    def _row(self, answer: Answer | Mapping[str, Any], channel: str, question: str | None) -> dict[str, Any] | None:
        if isinstance(answer, Answer):
            question = question if question is not None else answer.question
            data: Mapping[str, Any] = answer.as_dict()
        else:
            data = answer
        answer_id = str(data.get("answer_id") or "")
        text = (question or "").replace("\x00", "").strip()[:MAX_QUESTION]
        if not answer_id or not text:
            return None
        metadata = data.get("metadata") or {}
        answered, outcome = is_answered(data)
        intent = metadata.get("intent")
        cited = [str(c.get("id")) for c in data.get("citations") or [] if c.get("id")]
        latency = metadata.get("latency_ms")
        return {
            "id": answer_id[:32], "asked_at": self._clock(), "channel": channel if channel in CHANNELS else "api",
            "language": str(data.get("language") or "en")[:8], "question": text, "normalized": normalize(text),
            "answered": answered, "outcome": outcome, "intent": intent if isinstance(intent, dict) else None,
            "fields": question_fields(intent, data.get("citations") or []), "cited": cited[:50],
            "latency_ms": float(latency) if isinstance(latency, int | float) else None,
        }

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the questions recorded so far are stored."""
        return self._recorder.flush(timeout)

    # -- feedback -------------------------------------------------------------------------------------
    def rate(self, answer_id: str, rating: str, comment: str | None = None) -> dict[str, Any]:
        """Rate an answer up or down, with an optional comment; the latest rating replaces an earlier one."""
        if rating not in RATINGS:
            raise InvalidInput("rating must be 'up' or 'down'")
        text = (comment or "").replace("\x00", "").strip()
        if len(text) > MAX_COMMENT:
            raise InvalidInput(f"comment is longer than {MAX_COMMENT} characters")
        answer_id = answer_id.strip()
        if not _ANSWER_ID.fullmatch(answer_id):  # no answer has such an id: skip the database
            raise NotFound(f"no answer with id {answer_id[:64]!r}")
        self.flush(2.0)
        for attempt in range(3):
            if self.store.rate(answer_id, rating, text or None, self._clock()):
                return {"answer_id": answer_id, "rating": rating, "comment": text or None}
            if attempt < 2:  # another worker process may still be writing the question
                time.sleep(0.25)
        raise NotFound(f"no answer with id {answer_id!r}")

    # -- staff ----------------------------------------------------------------------------------------
    def summary(self, days: int = 30) -> dict[str, Any]:
        """Counts, unanswered questions (near-duplicates grouped), ratings, languages, fields, per day."""
        self.flush(2.0)
        now = self._clock()
        rows = self.store.window(now - timedelta(days=days))
        embed = self._vector if self.embeddings is not None else None
        return summarize(rows, days=days, now=now, embed=embed, similarity=self.similarity)

    def _vector(self, text: str) -> list[float]:
        """The question's vector, remembered: the staff page asks for the same unanswered questions again."""
        with self._vectors_lock:
            vector = self._vectors.get(text)
        if vector is None:
            assert self.embeddings is not None
            vector = self.embeddings.embed_query(text)
            with self._vectors_lock:
                self._vectors[text] = vector
                while len(self._vectors) > _VECTORS:
                    self._vectors.popitem(last=False)
        return vector

    def questions(self, days: int = 30) -> list[dict[str, Any]]:
        """Every question of the window, newest first, as the CSV export shows it."""
        self.flush(2.0)
        rows = self.store.window(self._clock() - timedelta(days=days))
        return [{"question": r.question, "language": r.language, "channel": r.channel,
                 "asked_at": r.asked_at.isoformat(), "answered": r.answered, "cited": list(r.cited),
                 "rating": r.rating, "comment": r.comment} for r in rows]

    def purge(self) -> int:
        """Delete questions older than the retention period (TTC_INSIGHTS_RETENTION_DAYS)."""
        removed = self.store.purge(self._clock() - timedelta(days=self.retention_days))
        if removed:
            log.info("insights: purged %d question(s) older than %d days", removed, self.retention_days)
        return removed
