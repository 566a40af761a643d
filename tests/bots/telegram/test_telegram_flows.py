"""Every bot flow end to end: a real PTB Application from build_application, real Update JSON, a fake Bot API
over real HTTP, the real services over the 110 sample records. Assertions are on what Telegram received."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.locale.languages import LANGUAGES
from assistant.locale.texts import bot_text
from assistant.services import Services
from bots.telegram.app import App
from retrieval.language import detect_language
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import TelegramUser, buttons, close_bot, converse, make_bot, shared_services


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from shared_services(tmp_path_factory)


# -- /start, /language, /help ------------------------------------------------------------------------------

def test_start_welcomes_in_the_telegram_language_with_a_keyboard_of_17_languages(bot: App,
                                                                                 fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="ru", first_name="Иван")

    converse(bot, user.says("/start"))

    (welcome,) = fake_api.sent(user.chat_id)
    assert welcome["plain"].startswith(bot_text("welcome", "ru", name="Иван"))
    assert [label for label, _ in buttons(welcome)] == list(LANGUAGES.values())
    assert {data for _, data in buttons(welcome)} == {f"lang:{code}" for code in LANGUAGES}


def test_start_falls_back_to_english_for_a_language_we_do_not_serve(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="de")

    converse(bot, user.says("/start"))

    assert fake_api.sent(user.chat_id)[0]["plain"].startswith(bot_text("welcome", "en", name="Ana"))


def test_chosen_language_is_confirmed_and_persists_for_a_new_bot_process(
        services: Services, fake_api: FakeBotApi, bot: App) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("/language"), user.presses("lang:zh"))
    restarted = make_bot(services, fake_api)
    converse(restarted, user.says("/help"))
    close_bot(restarted)

    sent = fake_api.sent(user.chat_id)
    assert sent[0]["plain"] == bot_text("choose_language", "en") and len(buttons(sent[0])) == 17
    assert sent[1]["method"] == "editMessageText"
    assert sent[1]["plain"] == bot_text("language_set", "zh", language="中文")
    assert sent[2]["plain"].startswith(bot_text("help", "zh"))
    assert sent[-1]["plain"].startswith(bot_text("help", "zh"))
    assert "/demand — " + bot_text("cmd_demand", "zh") in sent[-1]["plain"]


def test_unknown_command_gets_a_hint(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="es")

    converse(bot, user.says("/frobnicate"))

    assert fake_api.sent(user.chat_id)[0]["plain"] == bot_text("unknown_command", "es")


# -- free text, /match, "Find partners" ----------------------------------------------------------------------

def test_a_russian_question_gets_a_russian_answer_with_numbered_sources(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("Кто может помочь с композитными материалами для авиации?"))

    sent = fake_api.sent(user.chat_id)
    answer = sent[-1]["plain"]
    assert "sendChatAction" in fake_api.methods()
    assert detect_language(answer.split(bot_text("sources", "ru"))[0]) == "ru"
    assert f"\n{bot_text('sources', 'ru')}\n[1] " in answer
    assert buttons(sent[-1])[0] == (bot_text("btn_partners", "ru"), "need:")
    assert [label for label, _ in buttons(sent[-1])[1:]] == ["👍", "👎"]


def test_find_partners_under_an_answer_suggests_organizations_with_evidence(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="pt")

    converse(bot, user.says("Who can help us recycle carbon fibre composites?"), user.presses("need:"))

    partners = fake_api.sent(user.chat_id)[-1]
    assert partners["plain"].startswith(bot_text("partners", "pt"))
    assert bot_text("evidence", "pt") + ": " in partners["plain"]
    assert buttons(partners) and all(data.startswith("intro") for _, data in buttons(partners))


def test_match_command_suggests_partners_and_without_text_explains_itself(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="fr")

    converse(bot, user.says("/match"), user.says("/match drones for crop monitoring in agriculture"))

    usage, partners = fake_api.sent(user.chat_id)
    assert usage["plain"] == bot_text("match_usage", "fr", example=bot_text("example_match", "fr"))
    assert partners["plain"].startswith(bot_text("partners", "fr"))


# -- /search and the buttons under a result -------------------------------------------------------------------

def test_search_sends_each_result_with_details_introduction_and_partner_buttons(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("/search composite damage analysis"))

    heading, *results = fake_api.sent(user.chat_id)
    assert heading["plain"] == bot_text("results", "en", query="composite damage analysis")
    assert 1 <= len(results) <= 5
    for result in results:
        labels = [label for label, _ in buttons(result)]
        assert labels == [bot_text(key, "en") for key in ("btn_details", "btn_introduce", "btn_partners")]
    first = buttons(results[0])
    assert first[0][1].startswith(("details:", "details#")) and first[1][1].startswith(("intro:", "intro#"))


def test_buttons_work_for_record_ids_too_long_for_callback_data(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    long_id = "nasa-code-composite-damage-compdam-progressive-damage-analys"
    converse(bot, user.says("/search CompDam progressive damage analysis composite"))
    result = next(m for m in fake_api.sent(user.chat_id) if "CompDam" in m["plain"] and buttons(m))
    details_data = buttons(result)[0][1]

    converse(bot, user.presses(details_data))

    assert len(details_data.encode()) <= 64 and details_data.startswith("details#")
    assert fake_api.sent(user.chat_id)[-1]["plain"].endswith(long_id)


def test_search_without_text_shows_how_to_use_it(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="kk")

    converse(bot, user.says("/search"))

    usage = bot_text("search_usage", "kk", example=bot_text("example_search", "kk"))
    assert fake_api.sent(user.chat_id)[0]["plain"] == usage


def test_details_shows_the_whole_record_with_labels_in_the_users_language(bot: App, fake_api: FakeBotApi,
                                                                          services: Services) -> None:
    user = TelegramUser(language_code="vi")
    record = services.index.get("cordis-h2020-842467")
    assert record is not None

    converse(bot, user.presses(f"details:{record.id}"))

    (details,) = fake_api.sent(user.chat_id)
    assert record.title in details["plain"] and record.description[:200] in details["plain"]
    assert f"{bot_text('label_country', 'vi')}: " in details["plain"]
    assert [label for label, _ in buttons(details)] == [bot_text("btn_introduce", "vi"), bot_text("btn_partners", "vi")]
    assert "answerCallbackQuery" in fake_api.methods()


def test_request_introduction_creates_a_telegram_inquiry_for_staff_and_confirms(
        bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="ar", username="amal")

    converse(bot, user.presses("intro:cordis-h2020-842467"))

    (inquiry,) = [i for i in services.inquiries.list() if i.chat_id == str(user.chat_id)]
    assert inquiry.channel == "telegram" and inquiry.chat_id == str(user.chat_id)
    assert inquiry.record_ids == ["cordis-h2020-842467"] and "@amal" in (inquiry.contact or "")
    assert fake_api.sent(user.chat_id)[0]["plain"] == bot_text("intro_done", "ar", id=inquiry.id)


def test_find_partners_under_a_record_lists_counterpart_records(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.presses("partners:cordis-h2020-842467"))

    (matches,) = fake_api.sent(user.chat_id)
    assert matches["plain"].startswith(bot_text("partners", "en"))
    assert all(data.startswith("intro") for _, data in buttons(matches))


def test_a_button_for_a_deleted_record_says_so(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="id")

    converse(bot, user.presses("details:no-such-record"))

    assert fake_api.sent(user.chat_id)[0]["plain"] == bot_text("record_gone", "id")
