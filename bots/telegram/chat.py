"""Free text is a question to the assistant; /match and "Find partners" suggest partners for the user's need."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from assistant.locale.texts import bot_text
from bots.telegram.context import Context, call, deps
from bots.telegram.demand import NEXT_DEMAND
from bots.telegram.format import answer_html, escape, partners_html
from bots.telegram.language import chosen_language, language_of
from bots.telegram.rating import feedback_buttons
from bots.telegram.replies import acknowledge, reply_html, show_typing
from bots.telegram.search import intro_buttons

__all__ = ["ask", "match", "partners_for_need"]

PARTNERS = 5
_MAX_QUESTION = 4000
_NEED = "need"


async def ask(update: Update, context: Context) -> None:
    """A question: a grounded answer with numbered sources, in the user's language, and "Find partners"."""
    assert update.message is not None and update.message.text is not None and update.effective_chat is not None
    question = update.message.text[:_MAX_QUESTION].strip()
    if not question:
        return
    await show_typing(update, context)
    answer = await call(context, deps(context).services.assistant.answer, question,
                        language=chosen_language(update, context), session_id=f"telegram:{update.effective_chat.id}")
    deps(context).services.insights.record(answer, channel="telegram")
    if context.user_data is not None:
        context.user_data[_NEED] = question
        context.user_data[NEXT_DEMAND] = answer.next_step["draft"] if answer.next_step else None
    rows = [[InlineKeyboardButton(bot_text("btn_partners", answer.language), callback_data=f"{_NEED}:")]]
    if answer.next_step:  # no clear match: offer to post the question as a demand (/demand, prefilled)
        rows.insert(0, [InlineKeyboardButton(answer.next_step["label"], callback_data="postdemand:")])
    rows.append(feedback_buttons(answer.answer_id))
    keyboard = InlineKeyboardMarkup(rows)
    await reply_html(update, context, answer_html(answer), keyboard)


async def match(update: Update, context: Context) -> None:
    """/match <need>: partner suggestions with evidence; without text, for the last question asked."""
    assert update.message is not None
    need = " ".join(context.args or [])[:_MAX_QUESTION].strip()
    if need and context.user_data is not None:
        context.user_data[_NEED] = need
    await _suggest(update, context, need or _last_need(context))


async def partners_for_need(update: Update, context: Context) -> None:
    """Button "Find partners" under an answer: partner suggestions for that question."""
    await acknowledge(update)
    await _suggest(update, context, _last_need(context))


def _last_need(context: Context) -> str:
    return str((context.user_data or {}).get(_NEED, ""))


async def _suggest(update: Update, context: Context, need: str) -> None:
    lang = language_of(update, context)
    if not need:
        usage = bot_text("match_usage", lang, example=bot_text("example_match", lang))
        await reply_html(update, context, [escape(usage)])
        return
    await show_typing(update, context)
    partners = await call(context, deps(context).services.assistant.partners, need,
                          language=chosen_language(update, context), k=PARTNERS)
    if not partners:
        await reply_html(update, context, [escape(bot_text("no_results", lang))])
        return
    targets = [(p.evidence[0], p.organization) for p in partners if p.evidence]
    await reply_html(update, context, [partners_html(partners, lang)], intro_buttons(context, targets))
