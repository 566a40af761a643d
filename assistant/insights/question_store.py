"""Persistence of asked questions and their ratings; every public method is one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.insights.model import QuestionRow
from retrieval.errors import Unavailable

__all__ = ["MAX_ROWS", "QuestionStore"]

MAX_ROWS = 200_000
"""At most this many of the newest questions are read for one insights window or export."""


class QuestionStore:
    """Question rows behind a small interface (SQLite or PostgreSQL through SQLAlchemy)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise Unavailable(f"insights database unavailable: {str(exc.orig or exc).splitlines()[0]}") from exc

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert questions (column name → value); an id already stored is skipped, so a retry is harmless."""
        if not rows:
            return
        with self._session() as session:
            known = set(session.scalars(select(QuestionRow.id).where(QuestionRow.id.in_([r["id"] for r in rows]))))
            fresh = [r for r in rows if r["id"] not in known]
            if fresh:
                session.execute(insert(QuestionRow), fresh)

    def rate(self, answer_id: str, rating: str, comment: str | None, at: datetime) -> bool:
        """Set (replace) the rating of one answer; False when no such answer is stored."""
        with self._session() as session:
            result = session.execute(update(QuestionRow).where(QuestionRow.id == answer_id)
                                     .values(rating=rating, comment=comment, rated_at=at))
            return bool(getattr(result, "rowcount", 0))

    def window(self, since: datetime, limit: int = MAX_ROWS) -> list[QuestionRow]:
        """Questions asked since `since`, newest first."""
        query = (select(QuestionRow).where(QuestionRow.asked_at >= since)
                 .order_by(QuestionRow.asked_at.desc(), QuestionRow.id).limit(limit))
        with self._session() as session:
            return list(session.scalars(query))

    def purge(self, before: datetime) -> int:
        """Delete questions asked before `before`; the number deleted."""
        with self._session() as session:
            result = session.execute(delete(QuestionRow).where(QuestionRow.asked_at < before))
            return int(getattr(result, "rowcount", 0) or 0)
