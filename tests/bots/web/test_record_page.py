"""GET /records/{id}: the record page that citations link to, over HTTP against a real uvicorn server."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.locale.countries import country_name
from assistant.locale.texts import localize, term_label
from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from bots.web.record_view import pick_page_language
from retrieval.ingest import ingest_rows
from retrieval.reader import Row
from tests.support.paths import ARTIFACTS
from tests.support.settings import make_settings
from tests.support.web import live_server

HOSTILE = {"id": "xss-page-probe", "kind": "achievement", "title": "<script>alert('title')</script> Solar probe",
           "description": "Zyxglorp cells.\n<img src=x onerror=alert('description')>", "country": "ZA",
           "field": "renewable_energy", "organization": "<b>Probe</b> & Labs", "trl": 4,
           "cooperation": ["licensing", "joint_development"], "keywords": ["<i>kw</i>"],
           "url": "javascript:alert('url')", "source": "test"}
FULL = {"id": "full-page-probe", "kind": "demand", "title": "Drones to inspect railway tracks",
        "description": "We need drones that inspect railway tracks at night.", "country": "BR",
        "field": "railway_equipment", "organization": "Ferrovia Teste", "trl": 6, "cooperation": ["investment"],
        "url": "https://example.org/needs/42", "date": "2024-05-01", "contact": "needs@example.org"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", rate_limit_per_minute=0)


@pytest.fixture
def base_url(loaded_services: Services) -> Iterator[str]:
    ingest_rows(loaded_services.index, [Row("test", 1, HOSTILE), Row("test", 2, FULL)])
    with live_server(create_app(loaded_services.settings, loaded_services)) as url:
        yield url


def page(base_url: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{base_url}{path}", headers=headers, timeout=30)


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_the_page_shows_every_field_with_labels_in_the_chosen_language(base_url: str) -> None:
    response = page(base_url, "/records/full-page-probe?lang=pt")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    shown = text_of(response.text)
    for value in (FULL["title"], FULL["description"], FULL["organization"], country_name("BR", "pt"),
                  term_label("field", "railway_equipment", "pt"), "TRL 6", term_label("coop", "investment", "pt"),
                  FULL["contact"], FULL["date"], localize("page_description", "pt"), localize("page_trl", "pt")):
        assert str(value) in shown
    assert '<html lang="pt" dir="ltr">' in response.text
    assert '<a href="https://example.org/needs/42" rel="noopener noreferrer nofollow"' in response.text
    assert f'<meta property="og:title" content="{FULL["title"]}">' in response.text  # link previews in chat apps


def test_related_records_link_to_their_own_pages_in_the_same_language(base_url: str) -> None:
    response = page(base_url, "/records/full-page-probe?lang=ru")

    links = re.findall(r'<a class="card" href="(/records/[^"]+)"', response.text)
    assert links and all(link.endswith("?lang=ru") for link in links)
    assert localize("page_related", "ru") in response.text
    assert page(base_url, html.unescape(links[0])).status_code == 200


def test_the_language_follows_the_browser_without_lang_and_arabic_is_right_to_left(base_url: str) -> None:
    browser = page(base_url, "/records/full-page-probe", **{"Accept-Language": "de-DE,fr;q=0.8,en;q=0.5"})
    arabic = page(base_url, "/records/full-page-probe?lang=ar")
    unknown = page(base_url, "/records/full-page-probe?lang=xx")

    assert '<html lang="fr"' in browser.text and localize("page_description", "fr") in browser.text
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert '<html lang="en"' in unknown.text
    assert page(base_url, "/records/full-page-probe?lang=" + "z" * 3000).status_code == 200


def test_record_text_is_escaped_never_markup(base_url: str) -> None:
    response = page(base_url, "/records/xss-page-probe")

    assert "<script" not in response.text and "<img" not in response.text.replace('<img class="logo"', "")
    assert "<b>Probe" not in response.text and "<i>kw" not in response.text
    assert html.escape(str(HOSTILE["title"])) in response.text
    assert "javascript:" not in re.findall(r'href="([^"]*)"', response.text).__str__()
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_an_unknown_id_gets_a_404_page_in_the_readers_language(base_url: str) -> None:
    response = page(base_url, "/records/no-such-record?lang=es")

    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert localize("page_not_found", "es") in html.unescape(response.text)


@pytest.mark.parametrize(("requested", "accept", "expected"), [
    ("zh", "ru", "zh"), (None, "kk-KZ,ru;q=0.9", "kk"), ("xx", "de,uz;q=0.5", "uz"), (None, None, "en"),
    ("PT_br", None, "pt"), ("x" * 5000, "y" * 5000, "en"),
])
def test_pick_page_language(requested: str | None, accept: str | None, expected: str) -> None:
    assert pick_page_language(requested, accept) == expected


CHROMIUM = Path("/usr/bin/chromium")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium")
def test_chromium_shows_a_script_title_as_text(base_url: str) -> None:
    sync_api: Any = pytest.importorskip("playwright.sync_api")
    artifacts = ARTIFACTS
    artifacts.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            dialogs: list[str] = []
            for name, viewport in VIEWPORTS.items():
                tab = browser.new_page(viewport=viewport)
                tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
                tab.goto(f"{base_url}/records/xss-page-probe?lang=en")
                assert tab.locator("h2.record-title").inner_text() == HOSTILE["title"]
                assert tab.locator("script").count() == 0
                tab.screenshot(path=str(artifacts / f"record-page-{name}.png"), full_page=True)
                tab.close()
            assert dialogs == []
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium")
def test_the_chat_pages_record_sheet_links_to_the_record_page(base_url: str) -> None:
    sync_api: Any = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            tab = browser.new_page(viewport=VIEWPORTS["desktop"])
            tab.goto(f"{base_url}/")
            tab.wait_for_selector("body[data-ready='true']")
            tab.fill("#question", str(FULL["title"]))
            tab.press("#question", "Enter")
            tab.locator(".msg.bot .bubble[aria-busy='false']").wait_for(timeout=20_000)
            tab.locator(".msg.bot .sources .card").first.click()
            tab.wait_for_selector("#record-dialog[open] #record-description:not(:empty)")
            title = tab.locator("#record-title").inner_text()
            link = tab.locator("#record-page")
            language = tab.locator("html").get_attribute("lang")

            assert link.is_visible() and link.get_attribute("href") == f"/records/{FULL['id']}?lang={language}"
            tab.goto(base_url + link.get_attribute("href"))
            assert tab.locator("h2.record-title").inner_text() == title == FULL["title"]
            assert tab.locator("html").get_attribute("lang") == language
        finally:
            browser.close()
