"""👍 / 👎 under every answer (callback data `fb:<up|down>:<answer id>`) and the feedback messages, 17 languages."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

from telegram import InlineKeyboardButton

from assistant.languages import LANGUAGES

__all__ = ["feedback_buttons", "feedback_text"]

_EMOJI = {"up": "👍", "down": "👎"}


@lru_cache(maxsize=1)
def _catalog() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(files("prompts").joinpath("feedback.json").read_text("utf-8"))
    return data


def feedback_text(language: str, key: str) -> str:
    """A feedback message in `language` (English when missing)."""
    catalog = _catalog()
    own = catalog.get(language, {}) if language in LANGUAGES else {}
    return own.get(key) or catalog["en"][key]


def feedback_buttons(answer_id: str, chosen: str | None = None) -> list[InlineKeyboardButton]:
    """The 👍 and 👎 buttons of one answer (64-byte callback data: the id is 32 hex digits)."""
    return [InlineKeyboardButton(emoji + (" ✓" if rating == chosen else ""), callback_data=f"fb:{rating}:{answer_id}")
            for rating, emoji in _EMOJI.items()]
