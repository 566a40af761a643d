"""Telegram: an answer with no clear match offers "Post my need as a demand", which starts /demand prefilled with
the question. Real Application, real Update JSON, fake Bot API over HTTP, real services with e5 embeddings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.locale.texts import bot_text
from assistant.services import Services, build_services
from bots.telegram.app import App
from retrieval.catalog import Filters
from retrieval.ingest import ingest_paths
from tests.support.fake_bot_api import FakeBotApi
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.telegram import TelegramUser, buttons, converse

pytestmark = pytest.mark.slow  # the real e5 embedder

NO_FIT = "We need a supplier of biodegradable packaging for frozen fish exports"
FITS = "Who offers solar photovoltaic module technology?"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path_factory.mktemp("bot-e5") / "data", embedder="e5"))
    ingest_paths(built.index, [RECORDS])
    yield built
    built.close()


def test_a_clear_answer_has_no_post_demand_button(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says(FITS))

    assert all(data != "postdemand:" for m in fake_api.sent(user.chat_id) for _, data in buttons(m))


def test_a_weak_answer_offers_to_post_the_need_and_the_button_starts_demand_prefilled(
        bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says(NO_FIT))
    answer = fake_api.sent(user.chat_id)[-1]
    assert ("Post my need as a demand", "postdemand:") in buttons(answer)
    assert "closest, but not a clear match" in answer["plain"]

    converse(bot, user.presses("postdemand:"), user.presses("field:environment"), user.says("Norway"),
             user.presses("coop:sale"), user.says("buyer@example.org"), user.presses("demand:publish"))

    plains = [m["plain"] for m in fake_api.sent(user.chat_id)]
    # title and text prefilled
    assert bot_text("demand_title", "en") not in plains and bot_text("demand_field", "en") in plains
    saved = next(p for p in plains if p.startswith(bot_text("demand_saved", "en", id="")[:20]))
    record = services.index.get(saved.split("ID ")[1].rstrip(")."))
    assert record is not None and record.kind == "demand" and record.description == NO_FIT
    assert (record.field, record.country, record.contact) == ("environment", "NO", "buyer@example.org")
    assert record.id in [h.record.id for h in services.index.search(NO_FIT, k=3, filters=Filters(kind="demand"))]
