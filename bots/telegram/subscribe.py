"""/subscribe <topic> and /unsubscribe [topic]: alerts on new records, sent by the digest job."""

from __future__ import annotations

from telegram import Update

from assistant.locale.texts import bot_text
from bots.telegram.context import Context, deps
from bots.telegram.format import escape
from bots.telegram.language import language_of

__all__ = ["MAX_SUBSCRIPTIONS", "subscribe", "unsubscribe"]

MAX_SUBSCRIPTIONS = 10
_MAX_TOPIC = 200


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe <topic>: alerts for that topic; without a topic, the current subscriptions."""
    assert update.message is not None and update.effective_chat is not None
    lang = language_of(update, context)
    state = deps(context).state
    chat_id = update.effective_chat.id
    topic = " ".join(context.args or [])[:_MAX_TOPIC].strip()
    current = state.subscriptions(chat_id)
    if not topic:
        lines = [bot_text("subscribe_usage", lang, example=bot_text("example_subscribe", lang))]
        if current:
            lines.insert(0, bot_text("subscriptions", lang, topics=", ".join(f"“{s.topic}”" for s in current)))
        await update.message.reply_text(escape("\n\n".join(lines)))
        return
    if len(current) >= MAX_SUBSCRIPTIONS and topic.casefold() not in {s.topic.casefold() for s in current}:
        await update.message.reply_text(escape(bot_text("too_many_subscriptions", lang, limit=MAX_SUBSCRIPTIONS)))
        return
    state.subscribe(chat_id, topic, lang)
    await update.message.reply_text(escape(bot_text("subscribed", lang, topic=topic)))


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe <topic> removes one subscription; /unsubscribe alone removes all."""
    assert update.message is not None and update.effective_chat is not None
    lang = language_of(update, context)
    topic = " ".join(context.args or []).strip() or None
    removed = deps(context).state.unsubscribe(update.effective_chat.id, topic)
    key = ("unsubscribed" if topic else "unsubscribed_all") if removed else "no_subscription"
    await update.message.reply_text(escape(bot_text(key, lang, topic=topic or "")))
