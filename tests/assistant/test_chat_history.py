"""A conversation held by the client (OpenAI-style message lists) replayed as session turns."""

from __future__ import annotations

from assistant.chat.history import KEEP, Exchange, turns_from_exchanges
from assistant.services import Services


def test_a_followup_keeps_the_topic_and_names_its_own_country() -> None:
    turns = turns_from_exchanges([Exchange("Кто предлагает технологии солнечных батарей?", "Вот что я нашёл…"),
                                  Exchange("А из Китая?")])

    assert [t.language for t in turns] == ["ru", "ru"]
    assert turns[1].topic == "Кто предлагает технологии солнечных батарей?"
    assert turns[1].condensed == "Кто предлагает технологии солнечных батарей? А из Китая?"
    assert turns[1].country == "CN" and turns[0].answer == "Вот что я нашёл…"


def test_a_followup_without_a_country_inherits_the_previous_one() -> None:
    turns = turns_from_exchanges([Exchange("solar cells from Brazil"), Exchange("and more?")])

    assert turns[1].country == "BR" and turns[1].topic == "solar cells from Brazil"


def test_greetings_are_skipped_and_only_the_last_turns_are_kept() -> None:
    exchanges = [Exchange("hello")] + [Exchange(f"battery recycling question {n}") for n in range(KEEP + 3)]

    turns = turns_from_exchanges(exchanges)

    assert len(turns) == KEEP and turns[-1].question == f"battery recycling question {KEEP + 2}"
    assert all(t.question != "hello" for t in turns)


def test_a_passed_history_replaces_the_session_and_is_not_stored(loaded_services: Services) -> None:
    assistant = loaded_services.assistant
    history = turns_from_exchanges([Exchange("Кто предлагает технологии солнечных батарей?")])

    answer = assistant.answer("А из Китая?", session_id="kept-elsewhere", history=history)

    assert answer.language == "ru" and answer.metadata["followup"] is True and answer.metadata["country"] == "CN"
    assert assistant.sessions.history("kept-elsewhere") == []
    assistant.answer("solar", session_id="kept-here")
    assert len(assistant.sessions.history("kept-here")) == 1
