"""Question condensation: turn a follow-up ("and in Brazil?") into a standalone question."""

from __future__ import annotations

from assistant.chat.sessions import Turn
from assistant.locale.countries import find_country
from assistant.locale.lexicon import content_terms, starts_with_phrase

__all__ = ["condense_offline", "is_followup", "topic_of"]


def is_followup(message: str) -> bool:
    """True for anaphoric messages: they start like "and…/а…/那…", only name a country
    ("Brazil?", "巴西呢？"), or hold no content word at all ("more?")."""
    if starts_with_phrase(message, "followup"):
        return True
    terms = content_terms(message)
    return not terms or (len(terms) <= 2 and find_country(message) is not None)


def topic_of(message: str, history: list[Turn]) -> str:
    """The standalone question a message belongs to: its own text, or the previous turn's topic
    when it is a follow-up (so "and in Brazil?" after "and in Germany?" still means the first topic)."""
    if history and is_followup(message):
        return (history[-1].topic or history[-1].condensed).strip()
    return message.strip()


def condense_offline(message: str, history: list[Turn]) -> str:
    """Deterministic condensation: a follow-up is merged with the topic of the conversation."""
    topic = topic_of(message, history)
    return topic if topic == message.strip() else f"{topic} {message.strip()}"
