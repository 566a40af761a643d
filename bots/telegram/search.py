"""/search and the buttons under a record: Details, Request introduction, Find partners."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from assistant.links import is_public_url, record_page_url
from assistant.locale.texts import bot_text
from bots.telegram.context import Context, call, deps
from bots.telegram.format import escape, hit_html, matches_html, record_html
from bots.telegram.keyboards import decode, encode, record_keyboard
from bots.telegram.language import language_of
from bots.telegram.replies import acknowledge, reply_html
from retrieval.record import Record

__all__ = ["RESULTS", "details", "intro_buttons", "introduction", "record_partners", "search", "send_results"]

RESULTS = 5
_MAX_QUERY = 1000


async def search(update: Update, context: Context) -> None:
    """/search <text>: the top results, one message each with its buttons."""
    assert update.message is not None
    lang = language_of(update, context)
    query = " ".join(context.args or [])[:_MAX_QUERY].strip()
    if not query:
        usage = bot_text("search_usage", lang, example=bot_text("example_search", lang))
        await update.message.reply_text(escape(usage))
        return
    hits = await call(context, deps(context).services.records.search, query, RESULTS)
    await send_results(update, context, [(hit.record, hit.snippet) for hit in hits],
                       bot_text("results", lang, query=query))


async def send_results(update: Update, context: Context, results: list[tuple[Record, str]], heading: str) -> None:
    """A heading, then one message per record with Details / Request introduction / Find partners."""
    lang = language_of(update, context)
    state = deps(context).state
    if not results:
        await reply_html(update, context, [escape(bot_text("no_results", lang))])
        return
    translations = await call(context, deps(context).services.assistant.translate_hits, results, lang)
    await reply_html(update, context, [f"<b>{escape(heading)}</b>"])
    for rank, ((record, snippet), translation) in enumerate(zip(results, translations, strict=True), 1):
        await reply_html(update, context, [hit_html(record, snippet, rank, lang, translation)],
                         record_keyboard(state, record.id, lang))


async def _record_of(update: Update, context: Context) -> Record | None:
    """The record a button refers to; tells the user when it is gone."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await acknowledge(update)
    _, record_id = decode(deps(context).state, query.data)
    record = await call(context, deps(context).services.records.get, record_id) if record_id else None
    if record is None:
        await reply_html(update, context, [escape(bot_text("record_gone", language_of(update, context)))])
    return record


async def details(update: Update, context: Context) -> None:
    """Button "Details": the whole record, with the other two buttons."""
    record = await _record_of(update, context)
    if record is not None:
        lang = language_of(update, context)
        page = record_page_url(deps(context).services.settings.public_base_url(), record.id, lang)
        translation = await call(context, deps(context).services.assistant.translate_record, record, lang)
        await reply_html(update, context, [record_html(record, lang, page, translation)],
                         record_keyboard(deps(context).state, record.id, lang, details=False,
                                         page_url=page if is_public_url(page) else None))


async def introduction(update: Update, context: Context) -> None:
    """Button "Request introduction": an inquiry for staff, confirmed to the user."""
    record = await _record_of(update, context)
    user, chat = update.effective_user, update.effective_chat
    if record is None or user is None or chat is None:
        return
    lang = language_of(update, context)
    handle = f"@{user.username}, " if user.username else ""
    contact = f"{user.full_name} ({handle}telegram:{user.id})"
    message = (f"Introduction request from Telegram for {record.kind} {record.id}: {record.title}"
               + (f" ({record.organization})" if record.organization else ""))
    inquiry = await call(context, deps(context).services.inquiries.create, message=message, channel="telegram",
                         contact=contact, language=lang, record_ids=[record.id], chat_id=str(chat.id))
    await reply_html(update, context, [escape(bot_text("intro_done", lang, id=inquiry.id))])


async def record_partners(update: Update, context: Context) -> None:
    """Button "Find partners" under a record: counterpart records (demands for an achievement and back)."""
    record = await _record_of(update, context)
    if record is None:
        return
    lang = language_of(update, context)
    matches = await call(context, deps(context).services.assistant.match, record_id=record.id, kind=record.kind,
                         k=RESULTS, language=lang)
    if not matches:
        await reply_html(update, context, [escape(bot_text("no_results", lang))])
        return
    await reply_html(update, context, [matches_html(matches, lang, "partners")],
                     intro_buttons(context, [(m.id, m.organization or m.title) for m in matches]))


def intro_buttons(context: Context, targets: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One "🤝 <name>" introduction button per (record id, name)."""
    state = deps(context).state
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"🤝 {name}"[:60], callback_data=encode(state, "intro", rid))]
                                 for rid, name in targets])
