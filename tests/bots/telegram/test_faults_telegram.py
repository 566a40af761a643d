"""Telegram failing for real (the fake Bot API answers 429 with retry_after, 400 or 502, or drops the connection):
replies are retried with backoff, what still fails waits in the outbox until Telegram recovers, Telegram's wait is
honoured, 4xx are not retried, and each message reaches the chat exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from assistant.locale.texts import bot_text
from assistant.services import Services
from bots.telegram.app import App
from bots.telegram.bot_state import BotState
from bots.telegram.jobs import MAX_ATTEMPTS
from bots.telegram.retry import Backoff, resendable
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import TelegramUser, buttons, close_bot, converse, make_bot, run_job, shared_services

# Tiny waits so that the tests stay fast; the budget still leaves room for one 1-second retry_after.
QUICK = Backoff(first=0.01, cap=0.05, budget=1.5)
HELP = bot_text("help", "en")


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from shared_services(tmp_path_factory)


@pytest.fixture
def bot(services: Services, fake_api: FakeBotApi) -> Iterator[App]:
    application = make_bot(services, fake_api, timeout=10.0, backoff=QUICK)
    yield application
    close_bot(application)


def _state(bot: App) -> BotState:
    state: BotState = bot.bot_data["ttc"].state
    return state


def _helps(fake_api: FakeBotApi, user: TelegramUser) -> int:
    return sum(m["plain"].startswith(HELP) for m in fake_api.sent(user.chat_id))


# -- interactive replies ---------------------------------------------------------------------------------------

def test_a_reply_survives_a_502_a_dropped_connection_and_a_429_and_arrives_once(bot: App,
                                                                                 fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    fake_api.faults = ["502", "drop", "429:1"]

    started = time.monotonic()
    converse(bot, user.says("/help"))
    elapsed = time.monotonic() - started
    run_job(bot, "outbox")

    assert fake_api.served_faults == ["502", "drop", "429:1"]
    assert elapsed >= 1.0  # Telegram's retry_after was honoured
    assert _helps(fake_api, user) == 1 and _state(bot).queued() == []


def test_a_reply_telegram_keeps_failing_waits_in_the_outbox_and_arrives_once_it_recovers(
        bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    fake_api.outage = "502"

    started = time.monotonic()
    converse(bot, user.says("/help"))
    elapsed = time.monotonic() - started
    during = len(fake_api.sent(user.chat_id))
    fake_api.outage = None
    run_job(bot, "outbox")
    run_job(bot, "outbox")

    # Retried until the next wait would overrun the budget, then the handler moved on.
    assert QUICK.budget - QUICK.cap <= elapsed < QUICK.budget + 1.5
    assert len(fake_api.served_faults) >= 3 and during == 0
    assert _helps(fake_api, user) == 1 and _state(bot).queued() == []


def test_a_reply_of_several_messages_queued_in_an_outage_arrives_whole_and_in_order(bot: App,
                                                                                     fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    fake_api.faults = ["429:30"]  # the heading is queued; the five results would go through, but must not overtake

    converse(bot, user.says("/search carbon fibre recycling"))
    during = fake_api.sent(user.chat_id)
    run_job(bot, "outbox")

    heading, *results = fake_api.sent(user.chat_id)
    assert during == [] and fake_api.served_faults == ["429:30"]
    assert heading["plain"] == bot_text("results", "en", query="carbon fibre recycling") and len(results) == 5
    assert all(buttons(r)[0][0] == bot_text("btn_details", "en") for r in results)
    assert [r["plain"].split(".")[0] for r in results] == ["1", "2", "3", "4", "5"]


def test_a_dialogue_step_answered_in_an_outage_still_advances_the_dialogue(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    fake_api.faults = ["429:30"]
    converse(bot, user.says("/demand"))

    converse(bot, user.says("Recycled carbon fibre for drone frames"))
    run_job(bot, "outbox")

    assert [m["plain"] for m in fake_api.sent(user.chat_id)] == [bot_text("demand_title", "en"),
                                                                  bot_text("demand_description", "en")]


def test_a_queued_edit_is_applied_later_and_the_message_after_it_waits_its_turn(bot: App,
                                                                                fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    fake_api.faulty = {"editMessageText"}
    fake_api.faults = ["429:30"]

    converse(bot, user.presses("lang:ru", message_id=77))  # edits the keyboard message, then sends /help's text
    during = fake_api.sent(user.chat_id)
    run_job(bot, "outbox")

    edit, help_ = fake_api.sent(user.chat_id)
    assert during == []
    assert edit["method"] == "editMessageText" and edit["message_id"] == 77
    assert edit["plain"] == bot_text("language_set", "ru", language="Русский")
    assert help_["method"] == "sendMessage" and help_["plain"].startswith(bot_text("help", "ru"))


def test_a_wait_longer_than_the_budget_queues_the_reply_at_once(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    fake_api.faults = ["429:30"]

    started = time.monotonic()
    converse(bot, user.says("/help"))
    elapsed = time.monotonic() - started
    queued = len(_state(bot).queued())
    run_job(bot, "outbox")

    assert elapsed < 1.0 and queued == 1
    assert _helps(fake_api, user) == 1 and fake_api.served_faults == ["429:30"]


def test_a_400_is_neither_retried_nor_queued(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    fake_api.faults = ["400"]

    converse(bot, user.says("/help"), user.says("/help"))
    run_job(bot, "outbox")

    assert fake_api.served_faults == ["400"]
    assert _helps(fake_api, user) == 1 and _state(bot).queued() == []


def test_a_failing_typing_indicator_or_button_acknowledgement_does_not_cost_the_reply(
        bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    fake_api.faulty = {"sendChatAction", "answerCallbackQuery"}
    fake_api.outage = "502"

    converse(bot, user.says("Who recycles carbon fibre?"), user.presses("need:"))

    answer, partners = fake_api.sent(user.chat_id)
    assert len(fake_api.served_faults) == 3  # typing, acknowledgement, typing: each tried once, not retried
    assert bot_text("partners", "en") in partners["plain"] and answer["plain"]


def test_only_requests_telegram_did_not_act_on_are_sent_again() -> None:
    def caused_by(error: TelegramError, cause: Exception) -> TelegramError:
        error.__cause__ = cause
        return error

    request = httpx.Request("POST", "https://api.telegram.org/bot/sendMessage")
    again = [RetryAfter(1), NetworkError("Bad Gateway"),
             caused_by(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused", request=request)),
             caused_by(NetworkError("httpx.RemoteProtocolError"),
                       httpx.RemoteProtocolError("Server disconnected", request=request))]
    never = [BadRequest("Bad Request: chat not found"), Forbidden("Forbidden: bot was blocked by the user"),
             caused_by(TimedOut(), httpx.ReadTimeout("timed out", request=request))]

    assert [resendable(e) for e in again] == [True] * len(again)
    assert [resendable(e) for e in never] == [False] * len(never)


# -- staff replies in the inquiry outbox -----------------------------------------------------------------------

def _reply_waiting(bot: App, services: Services, text: str) -> tuple[TelegramUser, str]:
    user = TelegramUser(language_code="en")
    converse(bot, user.presses("intro:cordis-h2020-842467"))
    (inquiry,) = [i for i in services.inquiries.list() if i.chat_id == str(user.chat_id)]
    services.inquiries.update(inquiry.id, reply=text)
    return user, inquiry.id


def _pending(services: Services, inquiry_id: str) -> list[object]:
    return [d for d in services.inquiries.pending_deliveries("telegram") if d.inquiry_id == inquiry_id]


def _delivered_to(fake_api: FakeBotApi, user: TelegramUser, text: str) -> int:
    return sum(text in m["plain"] for m in fake_api.sent(user.chat_id))


def test_429_502_and_a_dropped_connection_are_retried_and_the_reply_arrives_once(
        bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user, inquiry_id = _reply_waiting(bot, services, "Your introduction to the d-CFRP team is arranged.")
    fake_api.faults = ["429:1", "502", "drop"]

    run_job(bot, "outbox")  # 429: Telegram asks for 1 s
    run_job(bot, "outbox")  # within that second the outbox does not call Telegram
    served_while_paused = list(fake_api.served_faults)
    time.sleep(1.1)
    for _ in range(3):  # 502, dropped connection, then delivered
        run_job(bot, "outbox")
    run_job(bot, "outbox")  # nothing left: no second copy

    assert served_while_paused == ["429:1"]
    assert fake_api.served_faults == ["429:1", "502", "drop"]
    assert _pending(services, inquiry_id) == []
    assert _delivered_to(fake_api, user, "d-CFRP team is arranged") == 1


def test_more_rate_limits_than_attempts_still_deliver(bot: App, fake_api: FakeBotApi, services: Services) -> None:
    user, inquiry_id = _reply_waiting(bot, services, "A partner in Brazil answered your inquiry.")
    fake_api.faults = ["502"] * (MAX_ATTEMPTS + 2)

    for _ in range(MAX_ATTEMPTS + 3):
        run_job(bot, "outbox")

    assert _pending(services, inquiry_id) == []
    assert _delivered_to(fake_api, user, "A partner in Brazil answered") == 1
