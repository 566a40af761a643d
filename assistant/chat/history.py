"""A conversation handed in by the client (e.g. an OpenAI-style message list), as the turns a session would hold.

Clients of stateless chat protocols send the whole conversation with every request. Replaying its earlier user
messages through the same offline steps the chain uses (language, condensation, named country) gives the turns the
session store would have recorded, so a follow-up such as "and from China?" resolves against them without any
state kept on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.chat.condense import condense_offline, is_followup, topic_of
from assistant.chat.guard import canned_reply_key
from assistant.chat.sessions import Turn
from assistant.locale.countries import find_country
from assistant.locale.languages import pick_language

__all__ = ["Exchange", "turns_from_exchanges"]

KEEP = 6
"""As many turns as a session keeps (`SessionStore.keep`)."""


@dataclass(frozen=True)
class Exchange:
    """One earlier user message and the assistant's reply to it ("" when the client sent none)."""

    question: str
    answer: str = ""


def turns_from_exchanges(exchanges: Sequence[Exchange], language: str | None = None) -> list[Turn]:
    """The session turns of a client-held conversation, oldest first, at most `KEEP`.

    Greetings and other canned messages are skipped, as the session store skips them; `language` is a language
    the client asked for (it wins over detection, as in a chat request).
    """
    turns: list[Turn] = []
    for exchange in exchanges:
        question = exchange.question.strip()
        if not question or canned_reply_key(question):
            continue
        previous = turns[-1] if turns else None
        followup = bool(turns) and is_followup(question)
        country = find_country(question)
        if country is None and followup and previous is not None:
            country = previous.country
        condensed = condense_offline(question, turns)
        turns.append(Turn(question=question, condensed=condensed,
                          language=pick_language(question, language, previous.language if previous else None),
                          answer=exchange.answer, country=country,
                          topic=topic_of(question, turns) or condensed))
    return turns[-KEEP:]
