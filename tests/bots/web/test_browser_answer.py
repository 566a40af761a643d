"""The chat page's answer to a need in headless Chromium against a real uvicorn server (e5 embeddings): a clear
answer fits well within two phone screens; a weak one says so and offers a demand form prefilled from the question.

Screenshots go to test-artifacts/ (kept by CI as artifacts).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.services import Services, build_services
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.browser import DESKTOP, PHONE, ask, close, open_page, require_browser, shot
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow
require_browser()

# one need per viewport: a posted demand is searchable at once, so the same need asked again finds it
NO_FIT = {"desktop": "We need a supplier of biodegradable packaging for frozen fish exports",
          "phone": "Looking for a supplier of compostable coffee capsules for our cafés"}
FITS = "Who offers solar photovoltaic module technology?"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = make_settings(tmp_path_factory.mktemp("page-e5") / "data", embedder="e5", rate_limit_per_minute=0)
    services: Services = build_services(settings)
    ingest_paths(services.index, [RECORDS])
    with live_server(create_app(settings, services)) as url:
        yield url
    services.close()


def test_a_clear_answer_with_five_records_fits_in_two_phone_screens(browser: Any, base_url: str) -> None:
    tab = open_page(browser, base_url, PHONE)
    page = tab.page

    answer = ask(page, FITS)

    page.wait_for_timeout(300)
    assert answer.locator(".sources .card").count() >= 4
    assert answer.locator(".post-demand").count() == 0 and answer.locator(".weak-note").count() == 0
    height = answer.evaluate("node => node.getBoundingClientRect().height")
    assert height < 2 * PHONE["height"], f"the answer is {height}px tall"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    answer.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 0)")
    answer.locator(".answer").scroll_into_view_if_needed()
    shot(tab, "answer-clear-phone.png")
    close(tab)


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_weak_answer_offers_a_prefilled_demand_form_that_posts_the_need(browser: Any, base_url: str,
                                                                         viewport: dict[str, int], name: str) -> None:
    tab = open_page(browser, base_url, viewport)
    page = tab.page

    answer = ask(page, NO_FIT[name])

    shot(tab, f"answer-weak-top-{name}.png")
    assert answer.locator(".weak-note").is_visible()
    assert 1 <= answer.locator(".sources .card").count() <= 3
    assert "closest, but not a clear match" in answer.locator(".answer").inner_text()
    button = answer.locator(".post-demand")
    assert button.inner_text() == "Post my need as a demand"
    button.scroll_into_view_if_needed()
    shot(tab, f"answer-weak-{name}.png")
    button.click()
    page.wait_for_selector("#demand-dialog[open]")
    assert page.input_value("#demand-description") == NO_FIT[name]
    assert len(page.input_value("#demand-title")) >= 5
    page.fill("#demand-contact", "buyer@example.org")
    with page.expect_response(lambda r: r.url.endswith("/v1/demands")) as posted:
        page.click("#demand-submit")
    assert posted.value.status == 201
    page.wait_for_selector("#demand-status:has-text('Published as')")
    assert page.evaluate("document.getElementById('demand-dialog').getBoundingClientRect().width <= window.innerWidth")
    shot(tab, f"demand-posted-{name}.png")
    close(tab)
