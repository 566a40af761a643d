"""Repeating jobs: subscription digests (at most one per chat per hour) and the outbox (queued messages, staff
replies)."""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError

from assistant.locale.languages import LANGUAGES
from assistant.locale.texts import bot_text
from bots.telegram.bot_state import Queued, Subscription
from bots.telegram.context import Context, call, deps
from bots.telegram.format import escape, hit_html
from bots.telegram.keyboards import encode
from bots.telegram.replies import send_html
from bots.telegram.retry import resendable, retry_after_seconds, single_attempt, transient
from retrieval.record import Record

__all__ = ["DIGEST_EVERY", "MAX_ATTEMPTS", "deliver_replies", "send_digests"]

log = logging.getLogger(__name__)

DIGEST_EVERY = timedelta(hours=1)
# A new record belongs in a digest when it ranks among the best hits of the whole index for the topic.
_TOP = 10
_PER_TOPIC = 5
# A reply Telegram refused this often (blocked bot, deleted chat) stays in the outbox for staff to see.
MAX_ATTEMPTS = 5
# bot_data key: monotonic time before which the outbox waits, as Telegram asked with a 429 (retry_after)
_OUTBOX_PAUSED_UNTIL = "ttc_outbox_paused_until"


async def send_digests(context: Context) -> None:
    """For each chat due a digest: new records that rank in the top hits of its topics, in one digest."""
    state = deps(context).state
    by_chat: dict[int, list[Subscription]] = defaultdict(list)
    for subscription in state.subscriptions():
        by_chat[subscription.chat_id].append(subscription)
    now = datetime.now(UTC)
    for chat_id, subscriptions in by_chat.items():
        last = state.last_digest(chat_id)
        if last and now - datetime.strptime(last, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) < DIGEST_EVERY:
            continue
        sections: list[tuple[Subscription, list[tuple[Record, str]]]] = []
        advanced: list[tuple[Subscription, str]] = []
        for subscription in subscriptions:
            found, newest = await _new_for(context, subscription)
            if newest:
                advanced.append((subscription, newest))
            if found:
                sections.append((subscription, found))
        if sections and not await _send_digest(context, chat_id, sections):
            continue
        if sections:
            state.digest_sent(chat_id, now)
        for subscription, newest in advanced:
            state.advance(chat_id, subscription.topic, newest)


async def _new_for(context: Context, subscription: Subscription) -> tuple[list[tuple[Record, str]], str | None]:
    """(new records relevant to the topic, stamp of the newest record written since the last look)."""
    records = deps(context).services.records
    written = await call(context, records.changed_since, subscription.since)
    if not written:
        return [], None
    fresh = {record.id for _, record in written}
    hits = await call(context, records.search, subscription.topic, _TOP)
    found = [(hit.record, hit.snippet) for hit in hits if hit.record.id in fresh][:_PER_TOPIC]
    return found, written[-1][0]


async def _send_digest(context: Context, chat_id: int,
                       sections: list[tuple[Subscription, list[tuple[Record, str]]]]) -> bool:
    """Send one digest; False when it could not be delivered and should be retried."""
    state = deps(context).state
    # In a private chat the chat id is the user id: follow a language chosen after subscribing.
    lang = state.language(chat_id) or sections[0][0].language
    blocks: list[str] = []
    buttons: list[list[InlineKeyboardButton]] = []
    for subscription, found in sections:
        blocks.append(f"<b>{escape(bot_text('digest', lang, topic=subscription.topic))}</b>")
        for record, snippet in found:
            blocks.append(hit_html(record, snippet, len(buttons) + 1, lang))
            label = f"{len(buttons) + 1}. {bot_text('btn_details', lang)}: {record.title}"[:60]
            buttons.append([InlineKeyboardButton(label, callback_data=encode(state, "details", record.id))])
    try:
        await send_html(context.bot, chat_id, blocks, InlineKeyboardMarkup(buttons))
    except Forbidden:
        log.info("chat %s blocked the bot; its subscriptions are removed", chat_id)
        state.unsubscribe(chat_id)
        return False
    except TelegramError as exc:
        log.warning("digest to chat %s failed, will retry: %s", chat_id, exc)
        return False
    return True


async def deliver_replies(context: Context) -> None:
    """The outbox: messages the bot could not send in time, then staff replies, each sent once Telegram accepts it.

    This job is the retry loop for what waits here, so its calls go to Telegram once each (`single_attempt`).
    """
    if time.monotonic() < context.bot_data.get(_OUTBOX_PAUSED_UNTIL, 0.0):
        return
    with single_attempt():
        if await _send_queued(context):
            await _send_staff_replies(context)


async def _send_queued(context: Context) -> bool:
    """Send the bot's queued messages, oldest first; False when Telegram is still failing."""
    state = deps(context).state
    for item in state.queued():
        try:
            await _resend(context, item)
        except TelegramError as exc:
            if resendable(exc):
                _defer(context, exc, f"queued {item.method} {item.id} to chat {item.chat_id}")
                return False
            # Refused (blocked bot, bad request), or timed out after Telegram had it: sending again won't help.
            log.warning("queued %s %s to chat %s dropped: %s", item.method, item.id, item.chat_id, exc)
        state.dequeue(item.id)
    return True


async def _resend(context: Context, item: Queued) -> None:
    params = json.loads(item.params)
    if item.method == "editMessageText":
        await context.bot.edit_message_text(params.pop("text"), api_kwargs=params)
    else:
        await context.bot.send_message(params.pop("chat_id"), params.pop("text"), api_kwargs=params)


async def _send_staff_replies(context: Context) -> None:
    """Send staff replies waiting in the inquiry outbox, and mark each delivered once Telegram accepted it."""
    inquiries = deps(context).services.inquiries
    for delivery in await call(context, inquiries.pending_deliveries, "telegram"):
        if delivery.attempts >= MAX_ATTEMPTS or not (delivery.chat_id or "").lstrip("-").isdigit():
            continue
        lang = delivery.language if delivery.language in LANGUAGES else "en"
        blocks = [f"<b>{escape(bot_text('staff_reply', lang))}</b>", escape(delivery.text)]
        try:
            await send_html(context.bot, int(delivery.chat_id or 0), blocks)
        except TelegramError as exc:
            if transient(exc):
                # Flood control, 5xx, network: the reply stays pending without using up an attempt.
                _defer(context, exc, f"staff reply {delivery.id} to chat {delivery.chat_id}")
                return
            log.warning("staff reply %s to chat %s not delivered: %s", delivery.id, delivery.chat_id, exc)
            await call(context, inquiries.mark_failed, delivery.id, str(exc))
            continue
        await call(context, inquiries.mark_delivered, delivery.id)


def _defer(context: Context, exc: TelegramError, what: str) -> None:
    """Leave the rest of the outbox for a later run: as long as Telegram asked (429), else the job's next run."""
    log.warning("%s deferred: %s", what, exc)
    if isinstance(exc, RetryAfter):
        context.bot_data[_OUTBOX_PAUSED_UNTIL] = time.monotonic() + retry_after_seconds(exc)
