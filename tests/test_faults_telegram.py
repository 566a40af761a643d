"""Telegram failing for real (the fake Bot API answers 429 with retry_after, 502, or drops the connection): staff
replies in the outbox are retried, Telegram's wait is honoured, and each reply reaches the chat exactly once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from assistant.services import Services
from bots.telegram.app import App
from bots.telegram.jobs import MAX_ATTEMPTS
from tests.test_telegram_fake_api import (
    FakeBotApi,
    TelegramUser,
    close_bot,
    converse,
    make_bot,
    run_job,
    shared_services,
)


class FlakyBotApi(FakeBotApi):
    """The fake Bot API, with a queue of faults that the next sendMessage calls get instead of an answer."""

    def __init__(self) -> None:
        super().__init__()
        self.faults: list[str] = []  # "429:<seconds>", "502" or "drop"
        self.served_faults: list[str] = []

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self
        base = super()._handler()

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:  # noqa: N802 (the name http.server looks up)
                fault = api.faults.pop(0) if api.faults and self.path.endswith("/sendMessage") else None
                if fault is not None:
                    api.served_faults.append(fault)
                if fault is None:
                    super().do_POST()
                elif fault == "drop":
                    self.close_connection = True  # no status line at all: a network error for the client
                elif fault == "502":
                    self._reply(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
                else:
                    seconds = int(fault.split(":")[1])
                    self._reply(429, {"ok": False, "error_code": 429, "parameters": {"retry_after": seconds},
                                      "description": f"Too Many Requests: retry after {seconds}"})

            def _reply(self, status: int, payload: dict[str, object]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from shared_services(tmp_path_factory)


@pytest.fixture
def fake_api() -> Iterator[FlakyBotApi]:
    api = FlakyBotApi().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def bot(services: Services, fake_api: FlakyBotApi) -> Iterator[App]:
    application = make_bot(services, fake_api, timeout=10.0)
    yield application
    close_bot(application)


def _reply_waiting(bot: App, services: Services, text: str) -> tuple[TelegramUser, str]:
    user = TelegramUser(language_code="en")
    converse(bot, user.presses("intro:cordis-h2020-842467"))
    (inquiry,) = [i for i in services.inquiries.list() if i.chat_id == str(user.chat_id)]
    services.inquiries.update(inquiry.id, reply=text)
    return user, inquiry.id


def _pending(services: Services, inquiry_id: str) -> list[object]:
    return [d for d in services.inquiries.pending_deliveries("telegram") if d.inquiry_id == inquiry_id]


def _delivered_to(fake_api: FakeBotApi, user: TelegramUser, text: str) -> int:
    return sum(text in m["plain"] for m in fake_api.sent(user.chat_id))


def test_429_502_and_a_dropped_connection_are_retried_and_the_reply_arrives_once(
        bot: App, fake_api: FlakyBotApi, services: Services) -> None:
    user, inquiry_id = _reply_waiting(bot, services, "Your introduction to the d-CFRP team is arranged.")
    fake_api.faults = ["429:1", "502", "drop"]

    run_job(bot, "outbox")  # 429: Telegram asks for 1 s
    run_job(bot, "outbox")  # within that second the outbox does not call Telegram
    served_while_paused = list(fake_api.served_faults)
    time.sleep(1.1)
    for _ in range(3):  # 502, dropped connection, then delivered
        run_job(bot, "outbox")
    run_job(bot, "outbox")  # nothing left: no second copy

    assert served_while_paused == ["429:1"]
    assert fake_api.served_faults == ["429:1", "502", "drop"]
    assert _pending(services, inquiry_id) == []
    assert _delivered_to(fake_api, user, "d-CFRP team is arranged") == 1


def test_more_rate_limits_than_attempts_still_deliver(bot: App, fake_api: FlakyBotApi, services: Services) -> None:
    user, inquiry_id = _reply_waiting(bot, services, "A partner in Brazil answered your inquiry.")
    fake_api.faults = ["502"] * (MAX_ATTEMPTS + 2)

    for _ in range(MAX_ATTEMPTS + 3):
        run_job(bot, "outbox")

    assert _pending(services, inquiry_id) == []
    assert _delivered_to(fake_api, user, "A partner in Brazil answered") == 1
