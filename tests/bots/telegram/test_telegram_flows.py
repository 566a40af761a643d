"""Every bot flow end to end: a real PTB Application from build_application, real Update JSON, a fake Bot API
over real HTTP, the real services over the 110 sample records. Assertions are on what Telegram received."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.languages import LANGUAGES
from assistant.services import Services
from bots.telegram.app import App
from bots.telegram.texts import text
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
    assert welcome["plain"].startswith(text("ru", "welcome", name="Иван"))
    assert [label for label, _ in buttons(welcome)] == list(LANGUAGES.values())
    assert {data for _, data in buttons(welcome)} == {f"lang:{code}" for code in LANGUAGES}


def test_start_falls_back_to_english_for_a_language_we_do_not_serve(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="de")

    converse(bot, user.says("/start"))

    assert fake_api.sent(user.chat_id)[0]["plain"].startswith(text("en", "welcome", name="Ana"))


def test_chosen_language_is_confirmed_and_persists_for_a_new_bot_process(
        services: Services, fake_api: FakeBotApi, bot: App) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("/language"), user.presses("lang:zh"))
    restarted = make_bot(services, fake_api)
    converse(restarted, user.says("/help"))
    close_bot(restarted)

    sent = fake_api.sent(user.chat_id)
    assert sent[0]["plain"] == text("en", "choose_language") and len(buttons(sent[0])) == 17
    assert sent[1]["method"] == "editMessageText" and sent[1]["plain"] == text("zh", "language_set", language="中文")
    assert sent[2]["plain"].startswith(text("zh", "help"))
    assert sent[-1]["plain"].startswith(text("zh", "help"))
    assert "/demand — " + text("zh", "cmd_demand") in sent[-1]["plain"]


def test_unknown_command_gets_a_hint(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="es")

    converse(bot, user.says("/frobnicate"))

    assert fake_api.sent(user.chat_id)[0]["plain"] == text("es", "unknown_command")


# -- free text, /match, "Find partners" ----------------------------------------------------------------------

def test_a_russian_question_gets_a_russian_answer_with_numbered_sources(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("Кто может помочь с композитными материалами для авиации?"))

    sent = fake_api.sent(user.chat_id)
    answer = sent[-1]["plain"]
    assert "sendChatAction" in fake_api.methods()
    assert detect_language(answer.split(text("ru", "sources"))[0]) == "ru"
    assert f"\n{text('ru', 'sources')}\n[1] " in answer
    assert buttons(sent[-1])[0] == (text("ru", "btn_partners"), "need:")
    assert [label for label, _ in buttons(sent[-1])[1:]] == ["👍", "👎"]


def test_find_partners_under_an_answer_suggests_organizations_with_evidence(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="pt")

    converse(bot, user.says("Who can help us recycle carbon fibre composites?"), user.presses("need:"))

    partners = fake_api.sent(user.chat_id)[-1]
    assert partners["plain"].startswith(text("pt", "partners"))
    assert text("pt", "evidence") + ": " in partners["plain"]
    assert buttons(partners) and all(data.startswith("intro") for _, data in buttons(partners))


def test_match_command_suggests_partners_and_without_text_explains_itself(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="fr")

    converse(bot, user.says("/match"), user.says("/match drones for crop monitoring in agriculture"))

    usage, partners = fake_api.sent(user.chat_id)
    assert usage["plain"] == text("fr", "match_usage", example=text("fr", "example_match"))
    assert partners["plain"].startswith(text("fr", "partners"))


# -- /search and the buttons under a result -------------------------------------------------------------------

def test_search_sends_each_result_with_details_introduction_and_partner_buttons(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.says("/search composite damage analysis"))

    heading, *results = fake_api.sent(user.chat_id)
    assert heading["plain"] == text("en", "results", query="composite damage analysis")
    assert 1 <= len(results) <= 5
    for result in results:
        labels = [label for label, _ in buttons(result)]
        assert labels == [text("en", "btn_details"), text("en", "btn_introduce"), text("en", "btn_partners")]
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

    assert fake_api.sent(user.chat_id)[0]["plain"] == text("kk", "search_usage", example=text("kk", "example_search"))


def test_details_shows_the_whole_record_with_labels_in_the_users_language(bot: App, fake_api: FakeBotApi,
                                                                          services: Services) -> None:
    user = TelegramUser(language_code="vi")
    record = services.index.get("cordis-h2020-842467")
    assert record is not None

    converse(bot, user.presses(f"details:{record.id}"))

    (details,) = fake_api.sent(user.chat_id)
    assert record.title in details["plain"] and record.description[:200] in details["plain"]
    assert f"{text('vi', 'label_country')}: " in details["plain"]
    assert [label for label, _ in buttons(details)] == [text("vi", "btn_introduce"), text("vi", "btn_partners")]
    assert "answerCallbackQuery" in fake_api.methods()


def test_request_introduction_creates_a_telegram_inquiry_for_staff_and_confirms(
        bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user = TelegramUser(language_code="ar", username="amal")

    converse(bot, user.presses("intro:cordis-h2020-842467"))

    (inquiry,) = [i for i in services.inquiries.list() if i.chat_id == str(user.chat_id)]
    assert inquiry.channel == "telegram" and inquiry.chat_id == str(user.chat_id)
    assert inquiry.record_ids == ["cordis-h2020-842467"] and "@amal" in (inquiry.contact or "")
    assert fake_api.sent(user.chat_id)[0]["plain"] == text("ar", "intro_done", id=inquiry.id)


def test_find_partners_under_a_record_lists_counterpart_records(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")

    converse(bot, user.presses("partners:cordis-h2020-842467"))

    (matches,) = fake_api.sent(user.chat_id)
    assert matches["plain"].startswith(text("en", "partners"))
    assert all(data.startswith("intro") for _, data in buttons(matches))


def test_a_button_for_a_deleted_record_says_so(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="id")

    converse(bot, user.presses("details:no-such-record"))

    assert fake_api.sent(user.chat_id)[0]["plain"] == text("id", "record_gone")
