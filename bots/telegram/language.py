"""The language a Telegram user reads: the one chosen with /language, else the client's."""

from __future__ import annotations

from telegram import Update

from assistant.locale.languages import served_language
from bots.telegram.context import Context, deps

__all__ = ["chosen_language", "language_of"]


def language_of(update: Update, context: Context) -> str:
    """The user's language: the one chosen with /language, else Telegram's language_code, else English."""
    user = update.effective_user
    if user is None:
        return "en"
    chosen = deps(context).state.language(user.id)
    if chosen:
        return chosen
    return served_language(user.language_code) or "en"


def chosen_language(update: Update, context: Context) -> str | None:
    """The language the user chose explicitly, if any (else answers follow the question's language)."""
    user = update.effective_user
    return deps(context).state.language(user.id) if user else None
