"""/demand: the guided dialogue validates each step, /cancel works, Publish creates a demand record and shows
matching achievements. Real Application, real Update JSON, fake Bot API over HTTP, real services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.locale.texts import bot_text
from assistant.services import Services
from bots.telegram.app import App
from retrieval.catalog import Filters
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import TelegramUser, buttons, converse, shared_services

TITLE = "Recycled carbon fibre for drone frames"
DESCRIPTION = "We need a supplier of recycled carbon fibre composites (_*[]()~>#+-=|{}.!) for light drone frames."


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from shared_services(tmp_path_factory)


def dialogue(user: TelegramUser) -> list[dict[str, Any]]:
    return [user.says("/demand"), user.says(TITLE), user.says(DESCRIPTION), user.presses("field:composites"),
            user.says("Бразилия"), user.presses("coop:joint_development"), user.says("buyer@example.com")]


def test_a_completed_dialogue_publishes_a_demand_and_shows_matching_achievements(
        bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="ru")

    converse(bot, *dialogue(user), user.presses("demand:publish"))

    sent = fake_api.sent(user.chat_id)
    saved = next(m for m in sent if m["plain"].startswith(bot_text("demand_saved", "ru", id="")[:20]))
    record_id = saved["plain"].split("ID ")[1].rstrip(").")
    record = services.index.get(record_id)
    assert record is not None and record.kind == "demand"
    assert (record.title, record.description, record.field, record.country) == (TITLE, DESCRIPTION, "composites", "BR")
    assert record.cooperation == ["joint_development"] and record.contact == "buyer@example.com"
    assert record_id in [h.record.id for h in services.index.search(TITLE, k=5, filters=Filters(kind="demand"))]
    matches = sent[-1]
    assert matches["plain"].startswith(bot_text("demand_matches", "ru"))
    assert buttons(matches) and all(data.startswith("intro") for _, data in buttons(matches))


def test_each_step_asks_the_next_question_in_the_users_language_with_buttons_where_needed(
        bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="es")

    converse(bot, *dialogue(user))

    sent = [m for m in fake_api.sent(user.chat_id)]
    keys = ["demand_title", "demand_description", "demand_field", "demand_country", "demand_cooperation",
            "demand_contact"]
    assert [m["plain"] for m in sent[:6]] == [bot_text(k, "es") for k in keys]
    assert ("Materiales compuestos", "field:composites") in buttons(sent[2])
    assert ("Desarrollo conjunto", "coop:joint_development") in buttons(sent[4])
    preview = sent[6]
    assert preview["plain"].startswith(bot_text("demand_confirm", "es"))
    assert DESCRIPTION in preview["plain"] and "Brasil" in preview["plain"]
    assert buttons(preview) == [("Publicar", "demand:publish"), ("Cancelar", "demand:cancel")]
    assert fake_api.methods().count("editMessageReplyMarkup") == 2


def test_invalid_answers_are_refused_and_the_same_question_stays_open(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("/demand"), user.says("abc"), user.says(TITLE), user.says("too short"),
             user.says(DESCRIPTION), user.says("composites please"), user.presses("field:composites"),
             user.says("Atlantis"), user.says("br"), user.says("money"), user.presses("coop:licensing"),
             user.says("call me maybe"), user.says("+55 11 5555-0100"))

    plains = [m["plain"] for m in fake_api.sent(user.chat_id)]
    for refusal in ("bad_title", "bad_description", "use_buttons", "bad_country", "bad_contact"):
        assert bot_text(refusal, "en") in plains
    assert plains[-1].startswith(bot_text("demand_confirm", "en"))
    assert "+55 11 5555-0100" in plains[-1] and "Brazil" in plains[-1]


def test_cancel_ends_the_dialogue_and_nothing_is_saved(bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="fr")
    before = services.index.catalog.count()

    converse(bot, user.says("/demand"), user.says(TITLE), user.says("/cancel"), user.says(DESCRIPTION))

    plains = [m["plain"] for m in fake_api.sent(user.chat_id)]
    assert plains[2] == bot_text("cancelled", "fr")
    assert bot_text("demand_field", "fr") not in plains  # the text after /cancel was a question, not step 2
    assert services.index.catalog.count() == before


def test_the_cancel_button_on_the_preview_saves_nothing(bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="zh")
    before = services.index.catalog.count()

    converse(bot, *dialogue(user), user.presses("demand:cancel"))

    assert fake_api.sent(user.chat_id)[-1]["plain"] == bot_text("cancelled", "zh")
    assert services.index.catalog.count() == before


def test_other_commands_still_work_in_the_middle_of_the_dialogue(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("/demand"), user.says("/help"), user.says(TITLE))

    plains = [m["plain"] for m in fake_api.sent(user.chat_id)]
    assert plains[1].startswith(bot_text("help", "en"))
    assert plains[2] == bot_text("demand_description", "en")


def test_a_dialogue_button_pressed_after_the_dialogue_is_only_acknowledged(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.presses("field:ai"))

    assert fake_api.sent(user.chat_id) == [] and fake_api.methods()[-1] == "answerCallbackQuery"
