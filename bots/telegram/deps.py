"""What every handler needs: the services, the bot's store, the backend timeout, the user's language."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from assistant.languages import LANGUAGES
from assistant.services import Services
from bots.telegram.format import split_html
from bots.telegram.store import BotStore
from retrieval.errors import TTCError

__all__ = ["BackendTimeout", "Context", "Deps", "acknowledge", "call", "chosen_language", "deps", "language_of",
           "reply_html", "send_html", "show_typing"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
DEPS_KEY = "ttc"


class BackendTimeout(TTCError):
    """A service call took longer than the bot is willing to wait."""

    code = "timeout"


@dataclass(frozen=True)
class Deps:
    """Built once by `build_application`, kept in `bot_data`."""

    services: Services
    store: BotStore
    timeout: float


def deps(context: Context) -> Deps:
    """The handlers' dependencies."""
    found: Deps = context.bot_data[DEPS_KEY]
    return found


async def call(context: Context, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking service call in a thread with the configured timeout, so the event loop stays free."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(functools.partial(function, *args, **kwargs)),
                                      deps(context).timeout)
    except TimeoutError:
        raise BackendTimeout(f"{getattr(function, '__qualname__', function)} timed out") from None


def language_of(update: Update, context: Context) -> str:
    """The user's language: the one chosen with /language, else Telegram's language_code, else English."""
    user = update.effective_user
    if user is None:
        return "en"
    chosen = deps(context).store.language(user.id)
    if chosen:
        return chosen
    code = (user.language_code or "").lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"


def chosen_language(update: Update, context: Context) -> str | None:
    """The language the user chose explicitly, if any (else answers follow the question's language)."""
    user = update.effective_user
    return deps(context).store.language(user.id) if user else None


async def show_typing(update: Update, context: Context) -> None:
    """Show 'typing…' while a slow answer is prepared; the answer matters more, so a failure is only logged."""
    if update.effective_chat:
        try:
            await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
        except TelegramError as exc:
            log.info("no typing indicator for chat %s: %s", update.effective_chat.id, exc)


async def acknowledge(update: Update) -> None:
    """Answer a button press so the client stops waiting; a failure is only logged, the reply still comes."""
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError as exc:
            log.info("button press %s not acknowledged: %s", update.callback_query.id, exc)


async def send_html(bot: Bot, chat_id: int, blocks: Sequence[str],
                    keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Send HTML blocks as as many messages as the 4096-character limit needs; the keyboard goes on the last."""
    messages = split_html(blocks)
    sent = []
    for number, body in enumerate(messages, 1):
        markup = keyboard if number == len(messages) else None
        sent.append(await bot.send_message(chat_id, body, reply_markup=markup))
    return sent


async def reply_html(update: Update, context: Context, blocks: Sequence[str],
                     keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
    """`send_html` to the chat of an update."""
    assert update.effective_chat is not None
    return await send_html(context.bot, update.effective_chat.id, blocks, keyboard)
