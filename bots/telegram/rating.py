"""👍 / 👎 under every answer (callback data `fb:<up|down>:<answer id>`); their messages are the bot's
`feedback_*` texts (prompts/telegram/)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

__all__ = ["feedback_buttons"]

_EMOJI = {"up": "👍", "down": "👎"}



def feedback_buttons(answer_id: str, chosen: str | None = None) -> list[InlineKeyboardButton]:
    """The 👍 and 👎 buttons of one answer (64-byte callback data: the id is 32 hex digits)."""
    return [InlineKeyboardButton(emoji + (" ✓" if rating == chosen else ""), callback_data=f"fb:{rating}:{answer_id}")
            for rating, emoji in _EMOJI.items()]
