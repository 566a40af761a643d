"""Feedback on the chat page and the staff insights view, in headless Chromium against a real uvicorn server.
Screenshots go to test-artifacts/ (insights-desktop.png, insights-phone.png, chat-feedback.png)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from tests.support.paths import ARTIFACTS
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow
CHROMIUM = os.environ.get("TTC_CHROMIUM", "/usr/bin/chromium")
KEY = "insights-page-key"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (set TTC_CHROMIUM)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", rate_limit_per_minute=0, staff_api_keys=KEY)


@pytest.fixture
def base_url(loaded_services: Services) -> Iterator[str]:
    with live_server(create_app(loaded_services.settings, loaded_services)) as url:
        yield url


def _page(browser: Any, viewport: dict[str, int], errors: list[str], locale: str = "en-US") -> Any:
    page = browser.new_page(viewport=viewport, locale=locale)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_thumbs_down_with_a_comment_from_the_chat_page_is_stored(browser: Any, base_url: str,
                                                                 loaded_services: Services) -> None:
    errors: list[str] = []
    page = _page(browser, DESKTOP, errors, locale="ru-RU")
    page.goto(base_url + "/")
    page.fill("#question", "Кто предлагает композитные материалы для авиации?")
    page.keyboard.press("Enter")
    page.wait_for_selector(".feedback-down")
    assert page.get_attribute(".feedback-down", "aria-label") == "Бесполезно"

    page.click(".feedback-down")
    page.wait_for_selector(".feedback-comment:not([hidden])")
    page.fill(".feedback-comment textarea", "Нужны партнёры в Казахстане")
    page.click(".feedback-comment button")
    page.wait_for_selector(".feedback-comment[hidden]", state="attached")
    page.screenshot(path=str(ARTIFACTS / "chat-feedback.png"))

    answer_id = page.get_attribute(".feedback", "data-answer-id")
    (row,) = [r for r in loaded_services.insights.questions(days=1)
              if r["question"] == "Кто предлагает композитные материалы для авиации?"]
    assert row["rating"] == "down" and row["comment"] == "Нужны партнёры в Казахстане" and row["channel"] == "web"
    assert answer_id and page.get_attribute(".feedback-down", "aria-pressed") == "true"
    assert errors == []


def _seed(services: Services) -> None:
    asked = [("Who offers solar cell technology?", "en", 2), ("Какие есть технологии для аккумуляторов?", "ru", 1),
             ("哪些机构提供无人机技术？", "zh", 3), ("Tell me a joke", "en", 0), ("tell me a joke!", "en", 0),
             ("¿Cuál es la mejor receta de paella?", "es", 0)]
    for n, (question, language, cited) in enumerate(asked):
        answer = {"answer_id": f"seed{n}", "language": language, "metadata": {},
                  "citations": [{"id": f"r{i}", "field": "renewable_energy"} for i in range(cited)]}
        services.insights.record(answer, channel="web", question=question)
    services.insights.flush()
    services.insights.rate("seed5", "down", "I was looking for food technology partners")
    services.insights.rate("seed0", "up")


@pytest.mark.parametrize("name,viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_staff_insights_view_shows_counts_chart_unanswered_and_down_rated(
        browser: Any, base_url: str, loaded_services: Services, name: str, viewport: dict[str, int]) -> None:
    _seed(loaded_services)
    errors: list[str] = []
    page = _page(browser, viewport, errors)
    page.goto(base_url + "/staff#insights")
    page.fill("#key", KEY)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#ins-unanswered tbody tr")

    counts = page.inner_text("#ins-counts")
    assert "6\nQuestions" in counts and "3 (50%)\nAnswered" in counts and "1\n👎 Not helpful" in counts
    assert page.locator("#ins-chart svg rect").count() == 4  # one bar today, one segment per language
    rows = page.locator("#ins-unanswered tbody tr")
    assert rows.count() == 2 and "tell me a joke" in rows.nth(0).inner_text().lower()
    assert rows.nth(0).locator("td").nth(2).inner_text() == "2"  # the two wordings are one group
    assert "food technology partners" in page.inner_text("#ins-down")
    assert page.locator("#queue").is_hidden()
    page.screenshot(path=str(ARTIFACTS / f"insights-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert errors == []


def test_draft_a_demand_from_an_unanswered_question_publishes_a_demand(browser: Any, base_url: str,
                                                                       loaded_services: Services) -> None:
    _seed(loaded_services)
    page = _page(browser, DESKTOP, [])
    page.goto(base_url + "/staff#insights")
    page.fill("#key", KEY)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#ins-unanswered tbody tr")

    paella = page.locator("#ins-unanswered tbody tr", has_text="paella")
    paella.locator("button").click()
    assert page.input_value("#ins-draft [name=title]") == "¿Cuál es la mejor receta de paella?"
    assert page.input_value("#ins-draft [name=language]") == "es"
    page.select_option("#ins-draft-field", "agriculture")
    page.click("#ins-draft button[type=submit]")
    page.wait_for_selector("#notice.ok")

    record_id = page.inner_text("#notice").split()[1]
    record = loaded_services.index.get(record_id)
    assert record is not None and record.kind == "demand" and record.field == "agriculture"
    assert record.title == "¿Cuál es la mejor receta de paella?" and "not answered" in record.description
