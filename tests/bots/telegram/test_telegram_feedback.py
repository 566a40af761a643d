"""Answer feedback in the bot: 👍 / 👎 under each answer, the rating stored for staff insights, a comment after 👎.

A real PTB Application against the fake Bot API over HTTP, the real services over the 110 sample records."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.locale.texts import bot_text
from assistant.services import Services
from bots.telegram.app import App
from tests.support.fake_bot_api import BOT_USER, FakeBotApi
from tests.support.paths import REPO
from tests.support.telegram import TelegramUser, buttons, converse, shared_services


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from shared_services(tmp_path_factory)


def _answer_id(sent: dict[str, Any]) -> str:
    (data,) = [d for _, d in buttons(sent) if d.startswith("fb:up:")]
    return data.split(":", 2)[2]


def _rated(services: Services, question: str) -> dict[str, Any]:
    rows = [r for r in services.insights.questions(days=1) if r["question"] == question]
    assert len(rows) == 1
    return rows[0]


def _message_ids(api: FakeBotApi) -> list[int]:
    """Ids the fake API gave to the bot's sendMessage calls, in order (it counts from 1000)."""
    return [1000 + n for n, method in enumerate(m for m in api.methods() if m == "sendMessage")]


def test_every_answer_has_thumbs_up_and_down_carrying_its_answer_id(bot: App, fake_api: FakeBotApi,
                                                                    services: Services) -> None:
    user = TelegramUser(language_code="ru")

    converse(bot, user.says("Кто может помочь с композитными материалами для авиации?"))

    answer = fake_api.sent(user.chat_id)[-1]
    labels = [label for label, _ in buttons(answer)]
    assert labels == [bot_text("btn_partners", "ru"), "👍", "👎"]
    assert all(len(data.encode()) <= 64 for _, data in buttons(answer))
    answer_id = _answer_id(answer)
    assert len(answer_id) == 32
    services.insights.flush()
    row = _rated(services, "Кто может помочь с композитными материалами для авиации?")
    assert row["channel"] == "telegram" and row["language"] == "ru" and row["rating"] is None


def test_thumbs_up_is_stored_acknowledged_and_marked(bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="fr")
    question = "Qui recycle les fibres de carbone ?"
    converse(bot, user.says(question))
    answer = fake_api.sent(user.chat_id)[-1]
    press = user.presses(f"fb:up:{_answer_id(answer)}")
    press["callback_query"]["message"]["reply_markup"] = answer["reply_markup"]  # as Telegram sends it

    converse(bot, press)

    assert _rated(services, question)["rating"] == "up"
    toasts = [p for m, p in fake_api.calls if m == "answerCallbackQuery"]
    assert toasts[-1].get("text") == bot_text("feedback_thanks", "fr")
    (edit,) = [p for m, p in fake_api.calls if m == "editMessageReplyMarkup"]
    assert "👍 ✓" in str(edit["reply_markup"]) and "need:" in str(edit["reply_markup"])


def test_thumbs_down_asks_what_was_missing_and_a_reply_becomes_the_comment(bot: App, fake_api: FakeBotApi,
                                                                           services: Services) -> None:
    user = TelegramUser(language_code="es")
    question = "¿Quién ofrece baterías de sodio?"
    converse(bot, user.says(question))
    answer_id = _answer_id(fake_api.sent(user.chat_id)[-1])
    converse(bot, user.presses(f"fb:down:{answer_id}"))
    prompt = fake_api.sent(user.chat_id)[-1]
    assert prompt["plain"] == bot_text("feedback_ask_comment", "es") and "force_reply" in str(prompt["reply_markup"])
    reply = user.says("Buscaba socios en Brasil")
    reply["message"]["reply_to_message"] = {"message_id": _message_ids(fake_api)[-1], "date": int(time.time()),
                                            "chat": user.chat, "from": BOT_USER, "text": prompt["plain"]}

    converse(bot, reply)

    row = _rated(services, question)
    assert row["rating"] == "down" and row["comment"] == "Buscaba socios en Brasil"
    assert fake_api.sent(user.chat_id)[-1]["plain"] == bot_text("feedback_comment_saved", "es")


def test_a_reply_to_another_message_is_still_a_question(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    update = user.says("Who offers drone inspection technology?")
    update["message"]["reply_to_message"] = {"message_id": 1, "date": int(time.time()), "chat": user.chat,
                                             "from": BOT_USER, "text": "…"}

    converse(bot, update)

    assert [label for label, _ in buttons(fake_api.sent(user.chat_id)[-1])][-2:] == ["👍", "👎"]


def test_a_button_for_an_unknown_answer_says_it_is_too_old(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.presses("fb:down:" + "f" * 32))

    toasts = [p for m, p in fake_api.calls if m == "answerCallbackQuery"]
    assert toasts[-1].get("text") == bot_text("feedback_unknown", "en")
    assert not [m for m, _ in fake_api.calls if m == "editMessageReplyMarkup"]


def test_feedback_texts_exist_in_all_17_languages_on_the_bot_and_the_chat_page() -> None:
    import re

    from assistant.locale.languages import LANGUAGES

    for language in LANGUAGES:
        for key in ("thanks", "ask_comment", "comment_saved", "unknown"):
            own = bot_text(f"feedback_{key}", language)
            assert own and (language == "en" or own != bot_text(f"feedback_{key}", "en")), (language, key)
    script = (REPO / "bots" / "web" / "static" / "feedback.js").read_text(encoding="utf-8")
    rows = dict(re.findall(r'^  (\w\w): (\[.*\]),$', script, flags=re.MULTILINE))
    assert set(rows) == set(LANGUAGES) and all(row.count('", "') == 4 for row in rows.values())
