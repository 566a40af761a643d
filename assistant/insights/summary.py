"""The staff view of a window of questions: counts, unanswered groups, ratings, languages, fields, per day."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from assistant.insights.grouping import Asked, group_questions
from assistant.insights.model import QuestionRow
from retrieval.record import FIELDS

__all__ = ["aware", "question_fields", "summarize"]

SMALL_TALK = frozenset({"empty", "abusive", "greeting"})
"""Canned replies to what is not a question for the corpus: counted, never listed as unanswered."""
MAX_UNANSWERED = 100
MAX_DOWN_RATED = 100


def aware(moment: datetime) -> datetime:
    """`moment` in UTC (SQLite hands back naive timestamps, stored in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def question_fields(intent: object, citations: Iterable[Mapping[str, Any]]) -> list[str]:
    """The fields a question was about: those the question-understanding step found, else those of the cited
    records (each field once)."""
    found: list[str] = []
    if isinstance(intent, Mapping):
        wanted = intent.get("fields")
        if isinstance(wanted, list | tuple):
            found = [str(f) for f in wanted if str(f) in FIELDS]
    if not found:
        found = [str(c.get("field")) for c in citations if c.get("field") in FIELDS]
    return list(dict.fromkeys(found))


def _per_day(rows: Sequence[QuestionRow], first: date, last: date) -> list[dict[str, Any]]:
    days: dict[date, dict[str, Any]] = {}
    day = first
    while day <= last:
        days[day] = {"date": day.isoformat(), "questions": 0, "answered": 0, "languages": Counter()}
        day += timedelta(days=1)
    for row in rows:
        entry = days.get(aware(row.asked_at).date())
        if entry is not None:
            entry["questions"] += 1
            entry["answered"] += int(row.answered)
            entry["languages"][row.language] += 1
    return [{**entry, "languages": dict(entry["languages"])} for entry in days.values()]


def _down_rated(rows: Sequence[QuestionRow]) -> list[dict[str, Any]]:
    down = [r for r in rows if r.rating == "down"]
    down.sort(key=lambda r: aware(r.rated_at or r.asked_at), reverse=True)
    return [{"answer_id": r.id, "question": r.question, "language": r.language, "channel": r.channel,
             "comment": r.comment, "answered": r.answered, "cited": list(r.cited),
             "asked_at": aware(r.asked_at).isoformat(),
             "rated_at": aware(r.rated_at).isoformat() if r.rated_at else None} for r in down[:MAX_DOWN_RATED]]


def summarize(rows: Sequence[QuestionRow], *, days: int, now: datetime,
              embed: Callable[[str], list[float]] | None = None, similarity: float = 0.92) -> dict[str, Any]:
    """The insights document of `rows` (the questions of the last `days` days up to `now`)."""
    now = aware(now)
    unanswered = [r for r in rows if not r.answered and r.outcome not in SMALL_TALK]
    groups = group_questions([Asked(question=r.question, normalized=r.normalized, language=r.language,
                                    asked_at=aware(r.asked_at)) for r in unanswered], embed, threshold=similarity)
    fields: Counter[str] = Counter(f for r in rows for f in r.fields)
    ratings = Counter(r.rating for r in rows if r.rating)
    latencies = sorted(r.latency_ms for r in rows if r.latency_ms is not None)
    return {
        "days": days,
        "since": (now - timedelta(days=days)).isoformat(),
        "questions": len(rows),
        "answered": sum(1 for r in rows if r.answered),
        "unanswered_count": len(unanswered),
        "unanswered": [g.as_dict() for g in groups[:MAX_UNANSWERED]],
        "feedback": {"up": ratings.get("up", 0), "down": ratings.get("down", 0)},
        "languages": dict(Counter(r.language for r in rows).most_common()),
        "channels": dict(Counter(r.channel for r in rows).most_common()),
        "fields": dict(fields.most_common()),
        "latency_ms_p50": latencies[len(latencies) // 2] if latencies else None,
        "per_day": _per_day(rows, (now - timedelta(days=days - 1)).date(), now.date()),
        "down_rated": _down_rated(rows),
    }
