"""Localized user-facing text: one JSON file of $-templates per language and catalog, in prompts/<catalog>/.

Two catalogs: `messages` (answers, web pages) and `telegram` (the bot's own messages, and the field and
cooperation labels every channel shows). Both read the same way: `(key, language)`, English when missing.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from string import Template
from typing import Literal

from assistant.locale.languages import LANGUAGES

__all__ = ["Catalog", "bot_text", "localize", "message_keys", "templates", "term_label"]

Catalog = Literal["messages", "telegram"]


@lru_cache(maxsize=2 * len(LANGUAGES))
def templates(catalog: Catalog, language: str) -> dict[str, str]:
    """Every template of one catalog in one served language (read once from the prompts package)."""
    if language not in LANGUAGES:
        raise KeyError(f"unsupported language {language!r}")
    data = json.loads(files("prompts").joinpath(catalog, f"{language}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"prompts/{catalog}/{language}.json must map keys to strings")
    return data


def _render(catalog: Catalog, key: str, language: str, values: dict[str, object]) -> str:
    """The template `key` in `language` (English when the language or the key is missing), $variables filled in.

    Unknown keys raise KeyError; a missing variable stays as `$name` rather than failing a reply.
    """
    language = language if language in LANGUAGES else "en"
    template = templates(catalog, language).get(key) or templates(catalog, "en")[key]
    return Template(template).safe_substitute(values)


def localize(key: str, language: str, /, **values: object) -> str:
    """A message of prompts/messages/ (answers, web pages) in `language`."""
    return _render("messages", key, language, values)


def bot_text(key: str, language: str, /, **values: object) -> str:
    """A message of prompts/telegram/ (the bot's own texts) in `language`."""
    return _render("telegram", key, language, values)


def message_keys() -> frozenset[str]:
    """The keys every language must define in prompts/messages/ (those of English, the reference)."""
    return frozenset(templates("messages", "en"))


def term_label(prefix: str, code: str, language: str) -> str:
    """The localized label of a field (`field`) or cooperation type (`coop`) code; the code if unknown."""
    # Field and cooperation labels are written once, in the bot's message files (prompts/telegram/).
    language = language if language in LANGUAGES else "en"
    key = f"{prefix}_{code}"
    return templates("telegram", language).get(key) or templates("telegram", "en").get(key) or code
