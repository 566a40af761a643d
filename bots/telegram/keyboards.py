"""Inline keyboards and their callback data (`action:value`, or `action#token` when a value is too long)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.locale.languages import LANGUAGES
from assistant.locale.texts import bot_text, localize
from bots.telegram.bot_state import BotState
from retrieval.record import FIELDS

__all__ = [
    "COOPERATION",
    "choice_keyboard",
    "decode",
    "encode",
    "fields_keyboard",
    "languages_keyboard",
    "record_keyboard",
]

COOPERATION: tuple[str, ...] = ("licensing", "joint_development", "investment", "sale", "consulting")
_MAX_CALLBACK_BYTES = 64


def encode(state: BotState, action: str, value: str) -> str:
    """Callback data for a button; long values (record ids may be 200 characters) are kept in the bot state."""
    data = f"{action}:{value}"
    if len(data.encode("utf-8")) <= _MAX_CALLBACK_BYTES:
        return data
    return f"{action}#{state.remember(value)}"


def decode(state: BotState, data: str) -> tuple[str, str | None]:
    """(action, value) of callback data; the value is None when a remembered token is unknown."""
    if "#" in data and (":" not in data or data.index("#") < data.index(":")):
        action, token = data.split("#", 1)
        return action, state.recall(token)
    action, _, value = data.partition(":")
    return action, value


def languages_keyboard() -> InlineKeyboardMarkup:
    """The 17 languages, three per row, each in its own name."""
    buttons = [InlineKeyboardButton(name, callback_data=f"lang:{code}") for code, name in LANGUAGES.items()]
    return InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)])


def record_keyboard(state: BotState, record_id: str, language: str, *, details: bool = True,
                    page_url: str | None = None) -> InlineKeyboardMarkup:
    """Buttons under a record: Details (optional), Request introduction, Find partners, and a link to the
    record's web page when `page_url` is given (a public address: Telegram refuses loopback ones)."""
    row = [InlineKeyboardButton(bot_text("btn_details", language), callback_data=encode(state, "details", record_id))]
    if not details:
        row = []
    row.append(InlineKeyboardButton(bot_text("btn_introduce", language),
                                    callback_data=encode(state, "intro", record_id)))
    partners = InlineKeyboardButton(bot_text("btn_partners", language),
                                    callback_data=encode(state, "partners", record_id))
    rows = [row, [partners]]
    if page_url:
        rows.append([InlineKeyboardButton(localize("page_open", language), url=page_url)])
    return InlineKeyboardMarkup(rows)


def fields_keyboard(language: str) -> InlineKeyboardMarkup:
    """The fields of the record schema, two per row, in the user's language."""
    buttons = [InlineKeyboardButton(bot_text(f"field_{name}", language), callback_data=f"field:{name}")
               for name in FIELDS]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def choice_keyboard(action: str, options: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per (value, label), one per row."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"{action}:{value}")]
                                 for value, label in options])
