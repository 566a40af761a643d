"""/subscribe digests (job queue, at most one per chat per hour) and staff replies delivered from the outbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from assistant.locale.texts import bot_text
from assistant.services import Services
from bots.telegram.app import App
from bots.telegram.subscribe import MAX_SUBSCRIPTIONS
from retrieval.ingest import ingest_rows
from retrieval.reader import Row
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram import TelegramUser, buttons, converse, run_job, shared_services


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from shared_services(tmp_path_factory)


def publish(services: Services, record_id: str, title: str, description: str) -> None:
    report = ingest_rows(services.index, [Row("test", 1, {"id": record_id, "kind": "achievement", "title": title,
                                                           "description": description, "country": "NO"})])
    assert report.added == 1


def an_hour_passes(bot: App, chat_id: int) -> None:
    bot.bot_data["ttc"].state.digest_sent(chat_id, datetime.now(UTC) - timedelta(hours=1, seconds=1))


def test_subscribe_confirms_and_lists_and_unsubscribe_removes(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="pt")

    converse(bot, user.says("/subscribe hidrogênio verde"), user.says("/subscribe"),
             user.says("/unsubscribe hidrogênio verde"), user.says("/unsubscribe hidrogênio verde"))

    plains = [m["plain"] for m in fake_api.sent(user.chat_id)]
    assert plains[0] == bot_text("subscribed", "pt", topic="hidrogênio verde")
    assert plains[1].startswith(bot_text("subscriptions", "pt", topics="“hidrogênio verde”"))
    assert plains[2] == bot_text("unsubscribed", "pt", topic="hidrogênio verde")
    assert plains[3] == bot_text("no_subscription", "pt")


def test_subscriptions_are_limited_per_chat(bot: App, fake_api: FakeBotApi) -> None:
    user = TelegramUser(language_code="en")
    subscriptions = [user.says(f"/subscribe topic {n}") for n in range(MAX_SUBSCRIPTIONS + 1)]

    converse(bot, *subscriptions, user.says("/unsubscribe"))

    plains = [m["plain"] for m in fake_api.sent(user.chat_id)]
    assert plains[MAX_SUBSCRIPTIONS] == bot_text("too_many_subscriptions", "en", limit=MAX_SUBSCRIPTIONS)
    assert plains[-1] == bot_text("unsubscribed_all", "en")


def test_new_matching_records_arrive_as_one_digest_at_most_hourly(bot: App, fake_api: FakeBotApi,
                                                                  services: Services) -> None:
    user = TelegramUser(language_code="de")  # Telegram language we do not serve: English
    # a subscription starts one second back (`BotState.subscribe`): records written by the fixture in the last
    # second would count as new
    time.sleep(1.1)
    converse(bot, user.says("/subscribe hydrogen storage tanks"))
    run_job(bot, "digests")
    assert len(fake_api.sent(user.chat_id)) == 1  # nothing new yet, nothing sent

    publish(services, "alert-1", "Hydrogen storage tanks from recycled composites",
            "Type IV hydrogen storage tanks wound from recycled carbon fibre; 700 bar; hydrogen storage for trucks.")
    run_job(bot, "digests")
    time.sleep(1.1)  # the catalog stamps records to the second
    publish(services, "alert-2", "Cryogenic hydrogen storage tanks for aircraft",
            "Lightweight cryogenic hydrogen storage tanks for hydrogen aircraft; hydrogen storage at 20 K.")
    run_job(bot, "digests")
    sent_within_the_hour = fake_api.sent(user.chat_id)
    an_hour_passes(bot, user.chat_id)
    run_job(bot, "digests")

    first, second = fake_api.sent(user.chat_id)[1:]
    assert len(sent_within_the_hour) == 2
    assert first["plain"].startswith(bot_text("digest", "en", topic="hydrogen storage tanks"))
    assert "Hydrogen storage tanks from recycled composites" in first["plain"]
    assert "alert-2" not in str(buttons(first)) and buttons(first)[0][1] == "details:alert-1"
    assert "Cryogenic hydrogen storage tanks for aircraft" in second["plain"]
    assert "recycled composites" not in second["plain"]


def test_a_chat_that_blocked_the_bot_loses_its_subscriptions(bot: App, fake_api: FakeBotApi,
                                                              services: Services) -> None:
    user = TelegramUser(language_code="en")
    converse(bot, user.says("/subscribe geothermal drilling"))
    publish(services, "alert-3", "Geothermal drilling bits", "Geothermal drilling bits with diamond inserts for "
            "deep geothermal drilling in hard rock.")
    fake_api.blocked.add(user.chat_id)

    run_job(bot, "digests")

    assert bot.bot_data["ttc"].state.subscriptions(user.chat_id) == []


def test_a_staff_reply_is_delivered_to_the_chat_in_its_language_once(bot: App, fake_api: FakeBotApi,
                                                                      services: Services) -> None:
    user = TelegramUser(language_code="pt")
    converse(bot, user.presses("intro:cordis-h2020-842467"))
    (inquiry,) = [i for i in services.inquiries.list() if i.chat_id == str(user.chat_id)]
    services.inquiries.update(inquiry.id, reply="Olá! Vamos apresentá-lo à equipe do projeto d-CFRPs <em breve>.")

    run_job(bot, "outbox")
    run_job(bot, "outbox")

    replies = fake_api.sent(user.chat_id)[1:]
    assert len(replies) == 1
    assert replies[0]["plain"] == (bot_text("staff_reply", "pt") + "\n\n"
                                   "Olá! Vamos apresentá-lo à equipe do projeto d-CFRPs <em breve>.")
    assert not [d for d in services.inquiries.pending_deliveries("telegram") if d.inquiry_id == inquiry.id]


def test_a_reply_telegram_refuses_stays_in_the_outbox_with_the_error(bot: App, fake_api: FakeBotApi,
                                                                      services: Services) -> None:
    user = TelegramUser(language_code="en")
    converse(bot, user.presses("intro:cordis-h2020-842467"))
    (inquiry,) = [i for i in services.inquiries.list() if i.chat_id == str(user.chat_id)]
    services.inquiries.update(inquiry.id, reply="We found a partner for you.")
    fake_api.blocked.add(user.chat_id)

    run_job(bot, "outbox")

    (pending,) = [d for d in services.inquiries.pending_deliveries("telegram") if d.inquiry_id == inquiry.id]
    assert pending.attempts == 1 and "blocked" in (pending.last_error or "")
