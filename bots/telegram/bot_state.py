"""The bot's own small SQLite state: chosen languages, subscriptions, long callback payloads, queued messages."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retrieval import sqlite

__all__ = ["BotState", "Queued", "Subscription", "utc_stamp"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    chat_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    language TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (chat_id, topic)
);
CREATE TABLE IF NOT EXISTS digests (
    chat_id INTEGER PRIMARY KEY,
    sent_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payloads (
    token TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id TEXT NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,
    queued_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_chat ON outbox (chat_id, id);
"""


def utc_stamp(moment: datetime | None = None) -> str:
    """A timestamp in the catalog's format (ISO UTC, seconds), comparable as text."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Subscription:
    """One topic a chat wants alerts for; `since` is the newest record stamp already considered."""

    chat_id: int
    topic: str
    language: str
    since: str


@dataclass(frozen=True)
class Queued:
    """A Bot API request that failed for longer than the bot would wait: `params` is its JSON parameters."""

    id: int
    chat_id: str
    method: str
    params: str


class BotState:
    """SQLite file in the data dir; every call is one short statement, safe from any thread."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite.connect(path, schema=_SCHEMA, timeout=10)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def _run(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def language(self, user_id: int) -> str | None:
        """The language a user chose, if any."""
        rows = self._run("SELECT language FROM users WHERE user_id = ?", (user_id,))
        return str(rows[0][0]) if rows else None

    def set_language(self, user_id: int, language: str) -> None:
        """Remember a user's language."""
        self._run("INSERT INTO users (user_id, language, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id)"
                  " DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at",
                  (user_id, language, utc_stamp()))

    def subscribe(self, chat_id: int, topic: str, language: str) -> None:
        """Add (or refresh) a subscription; alerts cover records written from this second on."""
        # The catalog stamps records to the second and `changed_since` is exclusive: start one second back.
        since = utc_stamp(datetime.now(UTC) - timedelta(seconds=1))
        self._run("INSERT INTO subscriptions (chat_id, topic, language, since) VALUES (?, ?, ?, ?)"
                  " ON CONFLICT (chat_id, topic) DO UPDATE SET language = excluded.language",
                  (chat_id, topic, language, since))

    def unsubscribe(self, chat_id: int, topic: str | None = None) -> int:
        """Remove one subscription (case-insensitive topic) or all of a chat's; returns how many."""
        with self._lock:
            if topic is None:
                cursor = self._db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            else:
                cursor = self._db.execute("DELETE FROM subscriptions WHERE chat_id = ? AND lower(topic) = lower(?)",
                                          (chat_id, topic))
            return cursor.rowcount

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """The subscriptions of one chat, or of every chat."""
        if chat_id is None:
            rows = self._run("SELECT chat_id, topic, language, since FROM subscriptions ORDER BY chat_id, topic")
        else:
            rows = self._run("SELECT chat_id, topic, language, since FROM subscriptions WHERE chat_id = ?"
                             " ORDER BY topic", (chat_id,))
        return [Subscription(int(str(c)), str(t), str(lang), str(s)) for c, t, lang, s in rows]

    def advance(self, chat_id: int, topic: str, since: str) -> None:
        """Mark records up to `since` as considered for a subscription."""
        self._run("UPDATE subscriptions SET since = ? WHERE chat_id = ? AND topic = ? AND since < ?",
                  (since, chat_id, topic, since))

    def last_digest(self, chat_id: int) -> str | None:
        """When a chat last got a digest."""
        rows = self._run("SELECT sent_at FROM digests WHERE chat_id = ?", (chat_id,))
        return str(rows[0][0]) if rows else None

    def digest_sent(self, chat_id: int, moment: datetime) -> None:
        """Record that a chat got a digest now."""
        self._run("INSERT INTO digests (chat_id, sent_at) VALUES (?, ?)"
                  " ON CONFLICT (chat_id) DO UPDATE SET sent_at = excluded.sent_at", (chat_id, utc_stamp(moment)))

    def remember(self, value: str) -> str:
        """A short stable token for a value too long for Telegram's 64-byte callback data."""
        token = hashlib.sha256(value.encode("utf-8")).hexdigest()[:20]
        self._run("INSERT OR IGNORE INTO payloads (token, value) VALUES (?, ?)", (token, value))
        return token

    def recall(self, token: str) -> str | None:
        """The value behind a token from `remember`."""
        rows = self._run("SELECT value FROM payloads WHERE token = ?", (token,))
        return str(rows[0][0]) if rows else None

    def queue(self, chat_id: str, method: str, params: str) -> None:
        """Keep a request for the outbox job to send later."""
        self._run("INSERT INTO outbox (chat_id, method, params, queued_at) VALUES (?, ?, ?, ?)",
                  (chat_id, method, params, utc_stamp()))

    def has_queued(self, chat_id: str) -> bool:
        """Whether requests to a chat are waiting (new ones must wait behind them, to keep the order)."""
        return bool(self._run("SELECT 1 FROM outbox WHERE chat_id = ? LIMIT 1", (chat_id,)))

    def queued(self, limit: int = 100) -> list[Queued]:
        """Waiting requests, oldest first."""
        rows = self._run("SELECT id, chat_id, method, params FROM outbox ORDER BY id LIMIT ?", (limit,))
        return [Queued(int(str(i)), str(c), str(m), str(p)) for i, c, m, p in rows]

    def dequeue(self, queued_id: int) -> None:
        """Forget a request once it is sent (or refused for good)."""
        self._run("DELETE FROM outbox WHERE id = ?", (queued_id,))
