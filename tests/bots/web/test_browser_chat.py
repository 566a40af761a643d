"""The chat page in headless Chromium against a real uvicorn server: ask, watch the answer stream in, open a source.

Screenshots go to test-artifacts/ (kept by CI as artifacts).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from retrieval.ingest import ingest_rows
from retrieval.reader import Row
from tests.support.browser import DESKTOP, PHONE, ask, close, open_page, require_browser, shot
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow

XSS_TITLE = "<img src=x onerror=alert(1)>"
require_browser()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", rate_limit_per_minute=0)


@pytest.fixture
def base_url(loaded_services: Services) -> Iterator[str]:
    hostile = {"id": "xss-probe", "kind": "achievement", "title": XSS_TITLE, "country": "ZA", "field": "other",
               "organization": "<b>Probe</b> Labs", "trl": 4, "url": "javascript:alert(2)",
               "description": "Zyxglorp quantum flux capacitor for zyxglorp testing. <script>alert(3)</script>"}
    ingest_rows(loaded_services.index, [Row("test", 1, hostile)])
    with live_server(create_app(loaded_services.settings, loaded_services)) as url:
        yield url


def test_desktop_question_streams_an_answer_with_citation_cards(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, DESKTOP)
    page = tab.page
    shot(tab, "welcome-desktop.png")

    answer = ask(page, "Who offers drone technology for remote areas?")

    assert answer.locator(".answer").inner_text().strip()
    cards = answer.locator(".sources .card")
    assert cards.count() >= 1
    assert answer.locator(".sources .badge.achievement, .sources .badge.demand").count() >= 1
    assert page.locator("#side-results .card").count() >= 1, "the side panel lists matching records"
    assert answer.locator(".card-why").count() == 0, "the offline answer's list says why; its cards do not repeat it"
    shot(tab, "chat-desktop.png")
    cards.first.click()
    page.wait_for_selector("#record-dialog[open] #record-description:not(:empty)")
    assert page.locator("#record-title").inner_text().strip()
    shot(tab, "record-desktop.png")
    assert tab.dialogs == []
    close(tab)


def test_phone_width_layout_fits_the_screen(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, PHONE)
    page = tab.page
    shot(tab, "welcome-phone.png")

    ask(page, "recycled carbon fibre composites")

    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(".msg.bot .sources .card").count() >= 1
    page.locator(".msg.bot .sources").scroll_into_view_if_needed()
    shot(tab, "chat-phone.png")
    page.locator(".msg.bot .sources .card").first.click()
    page.wait_for_selector("#record-dialog[open] #record-description:not(:empty)")
    assert page.evaluate("document.getElementById('record-dialog').getBoundingClientRect().width <= window.innerWidth")
    shot(tab, "record-phone.png")
    close(tab)


def test_arabic_switches_labels_and_layout_to_right_to_left(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, PHONE)
    page = tab.page

    page.select_option("#language", "ar")

    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.locator("#welcome-title").inner_text() == "كيف يمكنني مساعدتك؟"
    answer = ask(page, "drone technology for remote areas")
    assert answer.locator(".answer").inner_text().strip()
    assert answer.locator(".sources .card").count() >= 1
    shot(tab, "chat-arabic-phone.png")
    close(tab)


def test_language_selector_offers_auto_and_the_17_languages_with_labels(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, DESKTOP)
    page = tab.page

    options = page.locator("#language option")

    assert options.count() == 18
    assert options.first.get_attribute("value") == "auto"
    assert page.get_by_label("Language").count() == 1
    assert page.get_by_label("Your question").count() == 1
    assert page.get_by_role("button", name="Send").count() == 1
    assert page.get_by_role("log").count() == 1
    close(tab)


def test_every_language_has_its_own_labels(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, PHONE)
    page = tab.page
    codes = [o for o in page.locator("#language option").evaluate_all("os => os.map(o => o.value)") if o != "auto"]
    english = page.locator("#welcome-title").inner_text()

    seen: dict[str, tuple[str, str | None]] = {}
    for code in codes:
        page.select_option("#language", code)
        assert page.get_attribute("html", "lang") == code
        assert page.get_attribute("html", "dir") == ("rtl" if code in ("ar", "fa") else "ltr")
        seen[code] = (page.locator("#welcome-title").inner_text(), page.get_attribute("#question", "placeholder"))

    assert len(codes) == 17
    assert len({title for title, _ in seen.values()}) == 17, "every language has its own welcome"
    assert all(title != english for code, (title, _) in seen.items() if code != "en")
    page.select_option("#language", "zh")
    shot(tab, "welcome-chinese-phone.png")
    close(tab)


def test_auto_language_follows_the_browser(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, DESKTOP, locale="es-ES")
    page = tab.page

    assert page.locator("#welcome-title").inner_text() == "¿En qué puedo ayudarte?"
    assert page.locator("#language").input_value() == "auto"
    close(tab)


def test_filters_narrow_the_side_search(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, DESKTOP)
    page = tab.page
    ask(page, "drone")

    with page.expect_response(lambda r: "/v1/search" in r.url and "country=IT" in r.url):
        page.select_option("#f-country", "IT")
    page.wait_for_selector("#side-results[aria-busy='false']")

    metas = page.locator("#side-results .card-meta").all_inner_texts()
    assert metas and all("Italy" in meta for meta in metas)
    assert page.locator("#filter-count").inner_text() == "1"
    close(tab)


def test_record_text_is_rendered_as_text_never_as_markup(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, DESKTOP)
    page = tab.page

    ask(page, "zyxglorp quantum flux capacitor")
    card = page.locator(".card", has_text=XSS_TITLE).first
    card.wait_for()
    card.click()
    page.wait_for_selector("#record-dialog[open] #record-description:not(:empty)")

    assert page.locator("#record-title").inner_text() == XSS_TITLE
    assert "<script>alert(3)</script>" in page.locator("#record-description").inner_text()
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("#record-dialog script, #record-dialog b").count() == 0
    assert page.locator("#record-facts a").count() == 0, "a javascript: URL is never a link"
    shot(tab, "xss-record.png")
    assert tab.dialogs == []
    close(tab)


def test_request_an_introduction_files_an_inquiry(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, DESKTOP)
    page = tab.page
    answer = ask(page, "railway equipment partners")

    answer.get_by_role("button", name="Request an introduction").click()
    page.fill("#intro-contact", "someone@example.org")
    with page.expect_response(lambda r: r.url.endswith("/v1/inquiries")) as posted:
        page.click("#intro-submit")

    assert posted.value.status == 201
    sent = posted.value.request.post_data_json
    assert sent["contact"] == "someone@example.org" and sent["channel"] == "web" and sent["session_id"]
    page.wait_for_selector("#intro-status:has-text('Thank you')")  # written after the response resolves
    shot(tab, "introduction-desktop.png")
    close(tab)
