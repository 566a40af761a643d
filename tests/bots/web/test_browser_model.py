"""The chat page when a language model writes the answer (a fake OpenAI-compatible model over real HTTP), in headless
Chromium against a real uvicorn server: each source card says why its record fits, in the model's words.

Screenshots go to test-artifacts/ (kept by CI as artifacts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.services import Services, build_services
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.browser import DESKTOP, PHONE, ask, close, open_page, require_browser, shot
from tests.support.fake_llm import running_fake_model
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow
require_browser()

SOLAR = "Who offers solar photovoltaic module technology?"
SOLAR_TRAIN = "cordis-h2020-721452"
REASON = "Forecasts how long photovoltaic modules last in the field, the technology asked for."


def _reply(request: dict[str, Any]) -> str:
    content = request["messages"][-1]["content"]
    ids = re.findall(r'<record id="([^"]+)"', content)
    if "<request>" in content and "<records>" in content:  # the judgement (prompts/judge.txt)
        return json.dumps({"records": [{"id": i, "fit": 2 if i == SOLAR_TRAIN else 0,
                                        "reason": REASON if i == SOLAR_TRAIN else ""} for i in ids]})
    if "<request>" in content:  # the rewrite
        return '{"query": "solar photovoltaic module technology"}'
    return f"SOLAR-TRAIN [{ids[0]}] studies the lifetime of PV modules." if ids else "Nothing fits."


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_fake_model() as (model, url):
        model.reply = _reply
        settings = make_settings(tmp_path_factory.mktemp("page-model") / "data", rate_limit_per_minute=0,
                                 llm_base_url=url, llm_model="fake", llm_api_key="sk-fake", llm_timeout_seconds=5)
        services: Services = build_services(settings)
        ingest_paths(services.index, [RECORDS])
        with live_server(create_app(settings, services)) as served:
            yield served
        services.close()


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_each_card_says_why_its_record_fits_when_a_model_wrote_the_answer(browser: Any, base_url: str,
                                                                         viewport: dict[str, int], name: str) -> None:
    tab = open_page(browser, base_url, viewport)
    page = tab.page

    answer = ask(page, SOLAR)

    page.wait_for_selector(".msg.bot .card-why")
    cards = answer.locator(".sources .card")
    assert cards.count() == 1, "only the record the model judged to answer the request is shown"
    assert cards.first.locator(".card-why").inner_text().endswith(REASON)
    assert "SOLAR-TRAIN" in answer.locator(".answer").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(tab, f"answer-model-{name}.png")
    assert tab.dialogs == []
    close(tab)

