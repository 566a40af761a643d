"""Handlers of answer feedback: a press on 👍 / 👎, and the optional comment after 👎."""

from __future__ import annotations

import logging

from telegram import ForceReply, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from assistant.locale.texts import bot_text
from bots.telegram import chat
from bots.telegram.context import Context, call, deps
from bots.telegram.format import escape
from bots.telegram.language import language_of
from bots.telegram.rating import feedback_buttons
from bots.telegram.replies import reply_html
from retrieval.errors import NotFound

__all__ = ["PATTERN", "comment", "rate"]

log = logging.getLogger(__name__)

PATTERN = r"^fb:(up|down):"
_PROMPTS = "feedback_prompts"
_MAX_COMMENT = 2000


async def rate(update: Update, context: Context) -> None:
    """A press on 👍 or 👎: store the rating (the latest counts), mark the choice, and after 👎 ask what was
    missing."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, rating, answer_id = query.data.split(":", 2)
    lang = language_of(update, context)
    try:
        await call(context, deps(context).services.insights.rate, answer_id, rating)
    except NotFound:
        await _toast(update, bot_text("feedback_unknown", lang))
        return
    await _toast(update, bot_text("feedback_thanks", lang))
    await _mark(update, answer_id, rating)
    if rating == "down":
        await _ask_comment(update, context, answer_id, lang)


async def comment(update: Update, context: Context) -> None:
    """A reply to the "what were you looking for?" prompt is the comment of that 👎; other text is a question."""
    message = update.message
    assert message is not None and message.text is not None
    pending = (context.user_data or {}).get(_PROMPTS) or {}
    replied = message.reply_to_message.message_id if message.reply_to_message else None
    answer_id = pending.pop(replied, None) if replied is not None else None
    if answer_id is None:
        await chat.ask(update, context)
        return
    await call(context, deps(context).services.insights.rate, answer_id, "down", message.text[:_MAX_COMMENT])
    await reply_html(update, context, [escape(bot_text("feedback_comment_saved", language_of(update, context)))])


async def _toast(update: Update, message: str) -> None:
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer(message)
    except TelegramError as exc:
        log.info("feedback not acknowledged: %s", exc)


async def _mark(update: Update, answer_id: str, rating: str) -> None:
    """Show which rating counts, keeping the message's other buttons."""
    query = update.callback_query
    assert query is not None
    markup = getattr(query.message, "reply_markup", None)
    rows = [[b for b in row if not str(b.callback_data or "").startswith("fb:")]
            for row in (markup.inline_keyboard if markup else ())]
    rows = [row for row in rows if row] + [feedback_buttons(answer_id, rating)]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    except TelegramError as exc:  # e.g. "message is not modified" when pressed twice
        log.info("feedback buttons not updated: %s", exc)


async def _ask_comment(update: Update, context: Context, answer_id: str, language: str) -> None:
    """A prompt the client answers as a reply; which answer it is about is remembered for this user."""
    assert update.effective_chat is not None
    ask = escape(bot_text("feedback_ask_comment", language))
    prompt = await context.bot.send_message(update.effective_chat.id, ask, reply_markup=ForceReply(selective=True))
    if context.user_data is not None:
        pending: dict[int, str] = context.user_data.setdefault(_PROMPTS, {})
        pending[prompt.message_id] = answer_id
        while len(pending) > 5:
            pending.pop(next(iter(pending)))
