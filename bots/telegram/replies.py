"""What the bot sends back: HTML messages split to Telegram's limit, the typing indicator, button acknowledgements."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bots.telegram.context import Context
from bots.telegram.format import split_html

__all__ = ["acknowledge", "reply_html", "send_html", "show_typing"]

log = logging.getLogger(__name__)


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
