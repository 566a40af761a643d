"""The bot labels machine-translated sources and keeps their original titles in view (fake Bot API and fake
LibreTranslate over real HTTP, the real services over the 110 sample records)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.locale.texts import bot_text
from assistant.services import Services, build_services
from bots.telegram.app import App
from retrieval.ingest import ingest_paths
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.telegram import TelegramUser, converse


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    fake = FakeLibreTranslate().start()
    built = build_services(make_settings(tmp_path / "data", translator="libretranslate", translate_url=fake.url))
    ingest_paths(built.index, [RECORDS])
    yield built
    built.close()
    fake.stop()


def test_sources_of_another_language_show_a_labelled_translation_and_the_original(
        bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="ru")

    converse(bot, user.says("Кто предлагает технологии солнечных фотоэлектрических модулей? solar photovoltaic"))

    answer = fake_api.sent(user.chat_id)[-1]["plain"]
    sources = answer.split(f"\n{bot_text('sources', 'ru')}\n")[1]
    first = sources.splitlines()[:2]
    record = services.index.get(first[0].split()[-1])
    assert record is not None and record.language != "ru"
    # the answer above shows the translated title; the source line labels it and keeps the original in view
    head = answer.split(f"\n{bot_text('sources', 'ru')}\n")[0]
    assert "[ru] " in head and f"({record.title})" in head
    assert first[1] == f"{bot_text('machine_translation', 'ru')} · {record.title}"


def test_search_results_in_another_language_are_translated_and_labelled(
        bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="es")

    converse(bot, user.says("/search composite damage analysis"))

    _heading, *results = fake_api.sent(user.chat_id)
    assert results
    for result in results:
        lines = result["plain"].splitlines()
        assert lines[1].startswith("[es] ")
        original = lines[1].removeprefix("[es] ").removeprefix("[en] ")  # the fake marks each leg of a pivot
        assert lines[2] == f"{bot_text('machine_translation', 'es')} · {original}"


def test_details_show_the_translated_record_labelled_with_its_original_title(
        bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="ru")
    record = services.index.get("nasa-code-arc-14672-1")
    assert record is not None

    converse(bot, user.presses(f"details:{record.id}"))

    (details,) = fake_api.sent(user.chat_id)
    assert f"[ru] {record.title}\n{bot_text('machine_translation', 'ru')} · {record.title}\n" in details["plain"]
    assert f"[ru] {record.description[:200]}" in details["plain"]
