"""What the Telegram tests share: users that send updates, the bot pointed at the fake Bot API, running it.

The fixtures built on these live in tests/bots/telegram/conftest.py.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest
from telegram import Update

from assistant.services import Services, build_services
from bots.telegram.app import App, build_application
from retrieval.ingest import ingest_paths
from tests.support.fake_bot_api import BOT_USER, TOKEN, FakeBotApi
from tests.support.paths import RECORDS
from tests.support.settings import make_settings

_user_ids = itertools.count(4242)


class TelegramUser:
    """Builds the Update JSON Telegram sends for one user in a private chat."""

    def __init__(self, language_code: str = "en", first_name: str = "Ana", username: str | None = "",
                 user_id: int | None = None) -> None:
        uid = user_id or next(_user_ids)
        username = f"user{uid}" if username == "" else username
        self.user: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first_name,
                                     "language_code": language_code}
        if username:
            self.user["username"] = username
        self.chat: dict[str, Any] = {"id": uid, "type": "private", "first_name": first_name}
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(500)

    @property
    def chat_id(self) -> int:
        chat_id: int = self.chat["id"]
        return chat_id

    def says(self, text: str) -> dict[str, Any]:
        """A text message; a leading /command gets its bot_command entity, as Telegram adds it."""
        message: dict[str, Any] = {"message_id": next(self._ids), "date": int(time.time()), "chat": self.chat,
                                   "from": self.user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def presses(self, data: str, message_id: int = 1000) -> dict[str, Any]:
        """A press on an inline button of one of the bot's messages."""
        message = {"message_id": message_id, "date": int(time.time()), "chat": self.chat, "from": BOT_USER,
                   "text": "…"}
        query = {"id": str(next(self._update_ids)), "from": self.user, "chat_instance": "ci", "data": data,
                 "message": message}
        return {"update_id": next(self._update_ids), "callback_query": query}


def buttons(sent: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback_data) of the inline keyboard of a recorded message."""
    markup = sent.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def make_bot(services: Services, api: FakeBotApi, **options: Any) -> App:
    """build_application over `services`, pointed at the fake API."""
    settings = make_settings(services.settings.data_dir, TELEGRAM_BOT_TOKEN=TOKEN, telegram_base_url=api.url)
    return build_application(settings, services, **options)


def close_bot(application: App) -> None:
    application.bot_data["ttc"].state.close()


def converse(application: App, *updates: dict[str, Any]) -> None:
    """Initialize the application (getMe) and feed the updates one after another, as polling would."""

    async def go() -> None:
        async with application:
            for update in updates:
                await application.process_update(Update.de_json(update, application.bot))

    asyncio.run(go())


def run_job(application: App, name: str) -> None:
    """Run one of the application's repeating jobs once, now."""

    async def go() -> None:
        async with application:
            assert application.job_queue is not None
            (job,) = application.job_queue.get_jobs_by_name(name)
            await job.run(application)

    asyncio.run(go())


def shared_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services over the 110 sample records, built once per test module (tests use distinct users)."""
    built = build_services(make_settings(tmp_path_factory.mktemp("bot") / "data"))
    ingest_paths(built.index, [RECORDS])
    yield built
    built.close()
