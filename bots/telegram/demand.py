"""/demand: a guided dialogue that publishes a demand record and shows the technologies that match it."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from assistant.locale.countries import country_code
from assistant.locale.texts import bot_text
from assistant.records import valid_contact
from bots.telegram.context import Context, call, deps
from bots.telegram.format import escape, matches_html, record_html
from bots.telegram.keyboards import COOPERATION, choice_keyboard, fields_keyboard
from bots.telegram.language import language_of
from bots.telegram.replies import acknowledge, reply_html
from bots.telegram.search import RESULTS, intro_buttons
from retrieval.errors import InvalidInput
from retrieval.record import FIELDS, parse_record

__all__ = ["NEXT_DEMAND", "demand_conversation"]

log = logging.getLogger(__name__)

TITLE, DESCRIPTION, FIELD, COUNTRY, COOPERATION_TYPE, CONTACT, CONFIRM = range(7)
_KEY = "demand"
NEXT_DEMAND = "next_demand"  # the `next_step` draft of the last answer (bots.telegram.chat)


def _draft(context: Context) -> dict[str, Any]:
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault(_KEY, {})
    return draft


async def _say(update: Update, context: Context, key: str, keyboard: InlineKeyboardMarkup | None = None,
               **values: object) -> None:
    await reply_html(update, context, [escape(bot_text(key, language_of(update, context), **values))], keyboard)


async def begin(update: Update, context: Context) -> int:
    """/demand: start a fresh draft and ask for the title."""
    assert context.user_data is not None
    context.user_data[_KEY] = {}
    await _say(update, context, "demand_title")
    return TITLE


async def prefilled(update: Update, context: Context) -> int:
    """Button "Post my need as a demand" under an answer that found no clear match: the draft of that answer
    fills the title and description; the dialogue goes on with the field (or the description when too short)."""
    await acknowledge(update)
    assert context.user_data is not None
    proposed = context.user_data.get(NEXT_DEMAND) or {}
    title_text, description_text = str(proposed.get("title", "")), str(proposed.get("description", ""))
    if not 5 <= len(title_text) <= 200:
        return await begin(update, context)
    context.user_data[_KEY] = {"title": title_text}
    await reply_html(update, context, [f"<b>{escape(title_text)}</b>"])
    if not 20 <= len(description_text) <= 5000:
        await _say(update, context, "demand_description")
        return DESCRIPTION
    _draft(context)["description"] = description_text
    await _say(update, context, "demand_field", keyboard=fields_keyboard(language_of(update, context)))
    return FIELD


async def title(update: Update, context: Context) -> int:
    """Step 1: the title (5–200 characters)."""
    value = _message_text(update)
    if not 5 <= len(value) <= 200:
        await _say(update, context, "bad_title")
        return TITLE
    _draft(context)["title"] = value
    await _say(update, context, "demand_description")
    return DESCRIPTION


async def description(update: Update, context: Context) -> int:
    """Step 2: the description (20–5000 characters); then the field buttons."""
    value = _message_text(update)
    if not 20 <= len(value) <= 5000:
        await _say(update, context, "bad_description")
        return DESCRIPTION
    _draft(context)["description"] = value
    await _say(update, context, "demand_field", keyboard=fields_keyboard(language_of(update, context)))
    return FIELD


async def field(update: Update, context: Context) -> int:
    """Step 3: a field button."""
    value = await _choice(update)
    if value not in FIELDS:
        return FIELD
    _draft(context)["field"] = value
    await _say(update, context, "demand_country")
    return COUNTRY


async def country(update: Update, context: Context) -> int:
    """Step 4: a country name (in any of the 17 languages) or ISO code; then the cooperation buttons."""
    lang = language_of(update, context)
    code = country_code(_message_text(update))
    if code is None:
        await _say(update, context, "bad_country")
        return COUNTRY
    _draft(context)["country"] = code
    options = [(name, bot_text(f"coop_{name}", lang)) for name in COOPERATION]
    await _say(update, context, "demand_cooperation", keyboard=choice_keyboard("coop", options))
    return COOPERATION_TYPE


async def cooperation(update: Update, context: Context) -> int:
    """Step 5: a cooperation button."""
    value = await _choice(update)
    if value not in COOPERATION:
        return COOPERATION_TYPE
    _draft(context)["cooperation"] = [value]
    await _say(update, context, "demand_contact")
    return CONTACT


async def contact(update: Update, context: Context) -> int:
    """Step 6: an e-mail address or a phone number; then the preview with Publish / Cancel."""
    value = _message_text(update)
    if not valid_contact(value):
        await _say(update, context, "bad_contact")
        return CONTACT
    draft = _draft(context)
    draft["contact"] = value
    lang = language_of(update, context)
    preview = parse_record({"id": "preview", "kind": "demand", **draft})
    buttons = choice_keyboard("demand", [("publish", bot_text("btn_publish", lang)),
                                         ("cancel", bot_text("btn_cancel", lang))])
    await reply_html(update, context, [escape(bot_text("demand_confirm", lang)), record_html(preview, lang)], buttons)
    return CONFIRM


async def confirm(update: Update, context: Context) -> int:
    """Publish: validate and ingest the record exactly as `ttc ingest` would, then show matching achievements."""
    if await _choice(update) != "publish":
        _draft(context).clear()
        await _say(update, context, "cancelled")
        return ConversationHandler.END
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = deps(context).services
    try:
        record = await call(context, services.records.publish_demand, dict(_draft(context)), source="telegram")
    except InvalidInput as exc:
        await reply_html(update, context, [escape(bot_text("error", language_of(update, context))),
                                           f"<code>{escape(str(exc))}</code>"])
        return ConversationHandler.END
    record_id = record.id
    _draft(context).clear()
    lang = language_of(update, context)
    await _say(update, context, "demand_saved", id=record_id)
    matches = await call(context, services.assistant.match, record_id=record_id, kind="demand", k=RESULTS,
                         language=lang)
    if matches:
        await reply_html(update, context, [matches_html(matches, lang, "demand_matches")],
                         intro_buttons(context, [(m.id, m.organization or m.title) for m in matches]))
    else:
        await _say(update, context, "demand_no_matches")
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    """/cancel: drop the draft."""
    if context.user_data is not None:
        context.user_data.pop(_KEY, None)
    await _say(update, context, "cancelled")
    return ConversationHandler.END


async def use_buttons(update: Update, context: Context) -> None:
    """Typed text where a button is expected."""
    await _say(update, context, "use_buttons")


def _message_text(update: Update) -> str:
    return (update.message.text or "").strip() if update.message else ""


async def _choice(update: Update) -> str:
    """The value of a pressed button, its keyboard removed so it cannot be pressed twice."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await acknowledge(update)
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as exc:  # e.g. a double press: the keyboard is already gone, the choice still counts
        log.debug("could not remove the keyboard: %s", exc)
    return query.data.partition(":")[2]


def demand_conversation() -> ConversationHandler[Context]:
    """The /demand ConversationHandler: per user and chat, re-entrant, /cancel anywhere."""
    typed = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons belong to this user's dialogue, not to one message: per_message=False is what we want.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("demand", begin), CallbackQueryHandler(prefilled, pattern=r"^postdemand:")],
            states={
                TITLE: [MessageHandler(typed, title)],
                DESCRIPTION: [MessageHandler(typed, description)],
                FIELD: [CallbackQueryHandler(field, pattern=r"^field:"), MessageHandler(typed, use_buttons)],
                COUNTRY: [MessageHandler(typed, country)],
                COOPERATION_TYPE: [CallbackQueryHandler(cooperation, pattern=r"^coop:"),
                                   MessageHandler(typed, use_buttons)],
                CONTACT: [MessageHandler(typed, contact)],
                CONFIRM: [CallbackQueryHandler(confirm, pattern=r"^demand:"), MessageHandler(typed, use_buttons)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="demand",
        )
