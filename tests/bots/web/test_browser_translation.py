"""Machine translations on the chat page, in headless Chromium against a real server and a fake LibreTranslate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.services import Services, build_services
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.browser import DESKTOP, ask, chromium, close, open_page, require_browser, shot
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow
require_browser()

QUESTION = "Кто предлагает технологии солнечных фотоэлектрических модулей? solar photovoltaic module"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking"]) as launched:
        yield launched


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    fake = FakeLibreTranslate().start()
    settings = make_settings(tmp_path / "data", rate_limit_per_minute=0, translator="libretranslate",
                             translate_url=fake.url)
    services: Services = build_services(settings)
    ingest_paths(services.index, [RECORDS])
    with live_server(create_app(settings, services)) as url:
        yield url
    services.close()
    fake.stop()


def test_cited_records_show_a_labelled_translation_and_the_original_on_demand(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, DESKTOP, locale="ru-RU")
    page = tab.page

    answer = ask(page, QUESTION)

    card = answer.locator(".sources li.translated").first
    title = card.locator(".card-title")
    original = title.inner_text()
    assert original.startswith("[ru] ")
    assert card.locator(".mt-label").inner_text() == "Машинный перевод"
    assert "(" in answer.locator(".answer").inner_text(), "the composed answer keeps the original title beside it"
    shot(tab, "translation-desktop.png")
    card.locator(".mt-toggle").click()
    assert title.inner_text() == re.sub(r"^(\[\w\w\] )+", "", original)  # the fake marks each leg it translates
    card.locator(".mt-toggle").click()
    assert title.inner_text() == original

    card.locator(".card").click()
    page.wait_for_selector("#record-dialog[open] #record-translation")
    assert page.locator("#record-title").inner_text().startswith("[ru] ")
    page.locator("#record-translation .mt-toggle").click()
    assert not page.locator("#record-title").inner_text().startswith("[ru] ")
    shot(tab, "translation-record-desktop.png")
    close(tab)
