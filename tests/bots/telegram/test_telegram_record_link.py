"""The bot's Details message links to the record's web page (TTC_PUBLIC_URL), with a button when it is public."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.links import is_public_url, record_page_url
from assistant.locale.texts import localize
from assistant.services import Services, build_services
from bots.telegram.app import App
from retrieval.ingest import ingest_paths
from tests.support.fake_bot_api import FakeBotApi
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.telegram import TelegramUser, close_bot, converse, make_bot

RECORD = "cordis-h2020-842467"


def _services(tmp_path_factory: pytest.TempPathFactory, **settings: object) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path_factory.mktemp("bot") / "data", **settings))
    ingest_paths(built.index, [RECORDS])
    yield built
    built.close()


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from _services(tmp_path_factory, public_url="https://ttc.example.org/")


@pytest.fixture(scope="module")
def local_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from _services(tmp_path_factory)


def url_buttons(sent: dict[str, object]) -> list[tuple[str, str]]:
    markup = sent.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [(b["text"], b["url"]) for row in rows for b in row if "url" in b]


def test_details_link_to_the_public_record_page_in_the_users_language(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="ru")

    converse(bot, user.presses(f"details:{RECORD}"))

    (details,) = fake_api.sent(user.chat_id)
    page = f"https://ttc.example.org/records/{RECORD}?lang=ru"
    assert url_buttons(details) == [(localize("page_open", "ru"), page)]
    assert f'<a href="{page}">{localize("page_open", "ru")}</a>' in str(details["text"])


def test_a_loopback_address_is_shown_as_text_without_a_button(local_services: Services,
                                                              fake_api: FakeBotApi) -> None:
    bot = make_bot(local_services, fake_api)
    user = TelegramUser(language_code="en")
    try:
        converse(bot, user.presses(f"details:{RECORD}"))
    finally:
        close_bot(bot)

    (details,) = fake_api.sent(user.chat_id)
    assert url_buttons(details) == []
    assert f"{localize('page_open', 'en')}: http://127.0.0.1:8000/records/{RECORD}?lang=en" in str(details["plain"])


@pytest.mark.parametrize(("url", "public"), [
    ("http://127.0.0.1:8000/records/x", False), ("http://localhost:8000/", False), ("http://[::1]:8000/", False),
    ("https://ttc.example.org/records/x", True), ("http://10.0.0.5:8000/", True),
])
def test_is_public_url(url: str, public: bool) -> None:
    assert is_public_url(url) is public


def test_record_page_url_quotes_the_id_and_language() -> None:
    assert record_page_url("http://h:1/", "a:b.c", "pt") == "http://h:1/records/a%3Ab.c?lang=pt"
