"""The one error handler: the user gets a polite message in their language, the error goes to the log."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from assistant.locale.texts import bot_text
from bots.telegram.context import BackendTimeout, Context
from bots.telegram.format import escape
from bots.telegram.language import language_of
from retrieval.errors import Unavailable

__all__ = ["on_error"]

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the error with the update it came from; tell the user, unless the error was in talking to Telegram."""
    error = context.error
    if isinstance(error, BackendTimeout | Unavailable):
        log.warning("backend slow or unavailable: %s", error)
    else:
        log.error("error while handling update %s", getattr(update, "update_id", "(job)"), exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(error, TelegramError):
        return
    key = "busy" if isinstance(error, BackendTimeout | Unavailable) else "error"
    try:
        await context.bot.send_message(update.effective_chat.id, escape(bot_text(key, language_of(update, context))))
    except Exception:  # the error handler itself must never raise
        log.exception("could not tell chat %s about the error", update.effective_chat.id)
