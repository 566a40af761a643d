"""Record text full of markup characters reaches the user intact; long records split under 4096; a failing or
slow backend gets a polite message and the bot keeps answering."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.locale.texts import bot_text
from assistant.services import Services
from bots.telegram.app import App
from retrieval.errors import Unavailable
from retrieval.ingest import ingest_rows
from retrieval.reader import Row
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import TelegramUser, close_bot, converse, make_bot, shared_services

NASTY_TITLE = "Nano_*[coating]* (v2.0) ~> #1 +-=|{x}.! <b>not bold</b> & Co"
LONG_DESCRIPTION = " ".join(f"Sentence {n} about graphene_ink [{n}] <ok> & more." for n in range(1, 360))


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    for built in shared_services(tmp_path_factory):
        report = ingest_rows(built.index, [
            Row("test", 1, {"id": "nasty-1", "kind": "achievement", "title": NASTY_TITLE,
                            "description": f"{NASTY_TITLE} — markup test record.", "organization": "A_B *Lab*"}),
            Row("test", 2, {"id": "long-1", "kind": "achievement", "title": "Graphene ink compendium",
                            "description": LONG_DESCRIPTION}),
        ])
        assert report.added == 2
        yield built


@pytest.fixture
def bot(services: Services, fake_api: FakeBotApi) -> Iterator[App]:
    application = make_bot(services, fake_api, timeout=1.0)
    yield application
    close_bot(application)


def test_markup_characters_in_records_arrive_exactly_as_written(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("/search Nano coating not bold"), user.presses("details:nasty-1"))

    sent = fake_api.sent(user.chat_id)  # the fake API refuses malformed HTML with 400, as Telegram does
    assert any(NASTY_TITLE in m["plain"] and "A_B *Lab*" in m["plain"] for m in sent[1:-1])
    assert NASTY_TITLE in sent[-1]["plain"] and "<b>not bold</b>" in sent[-1]["text"].replace("&lt;", "<").replace(
        "&gt;", ">")


def test_a_record_longer_than_4096_characters_is_split_into_several_messages(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.presses("details:long-1"))

    parts = fake_api.sent(user.chat_id)
    assert len(parts) >= 5 and all(len(p["plain"]) <= 4096 for p in parts)
    joined = " ".join(" ".join(p["plain"].split()) for p in parts)
    assert " ".join(LONG_DESCRIPTION.split()) in joined
    assert [bool(p.get("reply_markup")) for p in parts] == [False] * (len(parts) - 1) + [True]


def test_a_failing_backend_gets_a_polite_message_in_the_users_language_and_is_logged(
        bot: App, fake_api: FakeBotApi, services: Services, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    user = TelegramUser(language_code="ru")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(services.index, "search", broken)
    with caplog.at_level(logging.ERROR, logger="bots.telegram"):
        converse(bot, user.says("/search солнечные панели"), user.says("/help"))

    first, second = fake_api.sent(user.chat_id)
    assert first["plain"] == bot_text("error", "ru")
    assert second["plain"].startswith(bot_text("help", "ru"))
    assert any("index exploded" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_a_slow_backend_times_out_with_a_busy_message_and_the_bot_keeps_going(
        bot: App, fake_api: FakeBotApi, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    user = TelegramUser(language_code="es")

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(3)
        raise AssertionError("the bot should not have waited for this")

    monkeypatch.setattr(services.assistant, "answer", slow)
    started = time.monotonic()
    converse(bot, user.says("¿Quién fabrica paneles solares?"), user.says("/help"))

    first, second = fake_api.sent(user.chat_id)
    assert first["plain"] == bot_text("busy", "es")
    assert second["plain"].startswith(bot_text("help", "es"))
    assert second["at"] - started < 3


def test_an_unavailable_backend_is_reported_as_busy(bot: App, fake_api: FakeBotApi, services: Services,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    user = TelegramUser(language_code="en")

    def down(*args: Any, **kwargs: Any) -> Any:
        raise Unavailable("chroma server unreachable")

    monkeypatch.setattr(services.assistant, "partners", down)
    converse(bot, user.says("/match solar panels for farms"))

    assert fake_api.sent(user.chat_id)[0]["plain"] == bot_text("busy", "en")


def test_telegram_refusing_a_message_does_not_stop_the_bot(bot: App, fake_api: FakeBotApi) -> None:
    blocked, other = TelegramUser(language_code="en"), TelegramUser(language_code="en")
    fake_api.blocked.add(blocked.chat_id)

    converse(bot, blocked.says("/help"), other.says("/help"))

    assert fake_api.sent(other.chat_id)[0]["plain"].startswith(bot_text("help", "en"))
