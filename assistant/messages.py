"""Localized user-facing text: one JSON file of $-templates per language in prompts/messages/."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from string import Template

import icu

from assistant.languages import LANGUAGES

__all__ = ["country_name", "localize", "message_keys", "messages_for", "term_label"]


@lru_cache(maxsize=len(LANGUAGES))
def messages_for(language: str) -> dict[str, str]:
    """Every template of one language (read once from the prompts package)."""
    if language not in LANGUAGES:
        raise KeyError(f"unsupported language {language!r}")
    text = files("prompts").joinpath("messages", f"{language}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"prompts/messages/{language}.json must map keys to strings")
    return data


def message_keys() -> frozenset[str]:
    """The keys every language must define (those of English, the reference)."""
    return frozenset(messages_for("en"))


def localize(key: str, language: str, **values: str) -> str:
    """The template `key` in `language` (English when missing) with $variables filled in.

    Unknown keys raise KeyError; a missing variable stays as `$name` rather than failing a reply.
    """
    language = language if language in LANGUAGES else "en"
    template = messages_for(language).get(key) or messages_for("en")[key]
    return Template(template).safe_substitute(values)


@lru_cache(maxsize=4096)
def country_name(code: str, language: str) -> str:
    """The name of an ISO 3166-1 alpha-2 country in `language` (from ICU's locale data)."""
    name = icu.Locale("", code.upper()).getDisplayCountry(icu.Locale(language))
    return str(name) if name and name != code.upper() else code.upper()


@lru_cache(maxsize=len(LANGUAGES))
def _terms(language: str) -> dict[str, str]:
    # Field and cooperation labels are written once, in the bot's message files (prompts/telegram/).
    text = files("prompts").joinpath("telegram", f"{language}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return {k: v for k, v in data.items() if k.startswith(("field_", "coop_")) and isinstance(v, str)}


def term_label(prefix: str, code: str, language: str) -> str:
    """The localized label of a field (`field`) or cooperation type (`coop`) code; the code if unknown."""
    language = language if language in LANGUAGES else "en"
    key = f"{prefix}_{code}"
    return _terms(language).get(key) or _terms("en").get(key) or code
