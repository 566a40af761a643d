"""Every Bot API call retried with backoff when Telegram fails transiently; a reply that still fails is queued.

One place for all send paths: `Retrying` is the Application's rate limiter, so PTB passes every request
through it (getUpdates excepted). What is retried, and why it does not send a message twice:

- 429 (RetryAfter): Telegram refused the request; we wait as long as it asked, plus a little jitter.
- No connection (refused, connect or pool timeout, write failed) or the connection closed or reset without a
  status line: the request never reached Telegram whole, or was not processed (typically a keep-alive
  connection the server had already closed); exponential backoff with jitter.
- 5xx: Telegram's front end answered an error instead of the message, which in practice means the Bot API did
  not send it (a gateway that lost an already sent message is possible, and then the user sees it twice: we
  prefer that rare duplicate to losing the reply); exponential backoff with jitter.
- Not retried: a read timeout. Telegram had the whole request and was slow to answer; it has most likely sent
  the message, and resending would show it twice. Logged, and left to the error handler.
- Never retried: 4xx (400 Bad Request, 403 blocked, ...): waiting does not change the answer.
- Not retried either: "typing…" and button acknowledgements (`_ONE_SHOT`): worthless late, and waiting for them
  would hold up the reply itself; the handlers treat their failure as harmless (`deps.show_typing`,
  `deps.acknowledge`).

Waiting is bounded by `Backoff.budget` per call. When a message (sendMessage, editMessageText) is still not
accepted, it goes to the bot's durable outbox (`BotState.queue`) and the outbox job sends it later; the
handler gets a placeholder Message (message_id 0 when sending) and carries on, so a dialogue's state still
advances. While a chat has messages waiting, its new messages queue behind them, so they arrive in order.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from telegram import TelegramObject
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bots.telegram.bot_state import BotState

__all__ = ["QUEUED_METHODS", "Backoff", "Retrying", "resendable", "retry_after_seconds", "single_attempt",
           "transient"]

log = logging.getLogger(__name__)

# Messages the user reads: worth delivering late. Acknowledgements and "typing…" are worthless late.
QUEUED_METHODS = frozenset({"sendMessage", "editMessageText"})
# Not retried at all: a late one is useless, and waiting for it would hold up the reply itself.
_ONE_SHOT = frozenset({"sendChatAction", "answerCallbackQuery"})
_single_attempt: ContextVar[bool] = ContextVar("ttc_telegram_single_attempt", default=False)


@dataclass(frozen=True)
class Backoff:
    """How long to wait between attempts: `first` seconds, times `factor` each time, at most `cap`; in total
    at most `budget` seconds per call (then the message is queued)."""

    first: float = 0.5
    factor: float = 2.0
    cap: float = 8.0
    budget: float = 30.0

    def delay(self, attempt: int, error: TelegramError) -> float:
        """Seconds before attempt `attempt + 1`: Telegram's retry_after, else exponential with equal jitter."""
        if isinstance(error, RetryAfter):
            # Everyone Telegram asked to wait wakes at once: spread the retries over a tenth more.
            return retry_after_seconds(error) * random.uniform(1.0, 1.1)
        return min(self.cap, self.first * self.factor ** attempt) * random.uniform(0.5, 1.0)


def retry_after_seconds(error: RetryAfter) -> float:
    """Telegram's retry_after in seconds (PTB gives an int or a timedelta, depending on PTB_TIMEDELTA)."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def transient(error: TelegramError) -> bool:
    """Telegram may accept the same request later: 429, 5xx or a network failure, not a 4xx."""
    # BadRequest subclasses NetworkError in python-telegram-bot, but a refused message will not improve by waiting.
    return isinstance(error, RetryAfter) or (isinstance(error, NetworkError) and not isinstance(error, BadRequest))


def resendable(error: TelegramError) -> bool:
    """Transient, and Telegram did not act on the request, so sending it again cannot duplicate it."""
    return transient(error) and not isinstance(error.__cause__, httpx.ReadTimeout)


@contextmanager
def single_attempt() -> Iterator[None]:
    """Calls made inside go to Telegram once, neither retried nor queued: for the outbox job, its own retry loop."""
    token = _single_attempt.set(True)
    try:
        yield
    finally:
        _single_attempt.reset(token)


class Retrying(BaseRateLimiter[None]):
    """The Application's rate limiter: retries transient failures, queues messages that still fail."""

    def __init__(self, state: BotState, backoff: Backoff | None = None) -> None:
        self._state = state
        self._backoff = backoff or Backoff()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[Any]]],
                              args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: None) -> bool | dict[str, Any] | list[Any]:
        """Call Telegram, retrying as the module docstring says; queue a message that could not be sent."""
        if _single_attempt.get() or endpoint in _ONE_SHOT:
            return await callback(*args, **kwargs)
        queueable = endpoint in QUEUED_METHODS and "chat_id" in data
        if queueable and self._state.has_queued(str(data["chat_id"])):
            return self._queue(endpoint, data, "earlier messages to this chat are waiting")
        deadline = time.monotonic() + self._backoff.budget
        attempt = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except TelegramError as error:
                if not resendable(error):
                    raise
                delay = self._backoff.delay(attempt, error)
                if time.monotonic() + delay > deadline:
                    if queueable:
                        return self._queue(endpoint, data, str(error))
                    raise
                log.info("%s failed (%s); attempt %d in %.2f s", endpoint, error, attempt + 2, delay)
                await asyncio.sleep(delay)
                attempt += 1

    def _queue(self, endpoint: str, data: dict[str, Any], reason: str) -> dict[str, Any]:
        chat_id = str(data["chat_id"])
        self._state.queue(chat_id, endpoint, json.dumps({key: _plain(value) for key, value in data.items()}))
        log.warning("%s to chat %s queued for the outbox: %s", endpoint, chat_id, reason)
        # What Telegram would have answered, minus what only Telegram knows: message_id 0 means "not sent yet".
        chat = int(chat_id) if chat_id.lstrip("-").isdigit() else 0
        return {"message_id": int(data.get("message_id", 0)), "date": int(time.time()), "text": data.get("text", ""),
                "chat": {"id": chat, "type": "private"}}


def _plain(value: Any) -> Any:
    """A request parameter as JSON: Telegram objects (keyboards, link preview options) as their dicts."""
    if isinstance(value, TelegramObject):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
