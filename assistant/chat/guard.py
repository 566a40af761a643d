"""Polite handling of input that is not a question for the corpus: empty, abusive, greeting, off-topic."""

from __future__ import annotations

from assistant.locale.lexicon import contains_phrase, lexicon, normalize

__all__ = ["canned_reply_key"]


def canned_reply_key(message: str) -> str | None:
    """The message key of a fixed reply, or None when the message is a question to answer."""
    text = normalize(message)
    if not any(c.isalnum() for c in text):
        return "empty"
    if contains_phrase(message, "abuse"):
        return "abusive"
    if text in lexicon()["greeting"]:
        return "greeting"
    if contains_phrase(message, "off_topic"):
        return "off_topic"
    return None
