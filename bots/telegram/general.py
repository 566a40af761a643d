"""/start, /language (and its buttons), /help, unknown commands."""

from __future__ import annotations

from telegram import Update

from assistant.locale.languages import LANGUAGES
from assistant.locale.texts import bot_text
from bots.telegram.context import Context, deps
from bots.telegram.format import escape
from bots.telegram.keyboards import languages_keyboard
from bots.telegram.language import language_of
from bots.telegram.replies import acknowledge

__all__ = ["COMMANDS", "choose_language", "help_command", "language_chosen", "stale_button", "start",
           "unknown_command"]

COMMANDS: tuple[str, ...] = ("start", "language", "search", "match", "demand", "subscribe", "unsubscribe", "help",
                             "cancel")


async def start(update: Update, context: Context) -> None:
    """Welcome in the user's Telegram language, with the language keyboard."""
    assert update.message is not None
    lang = language_of(update, context)
    name = update.effective_user.first_name if update.effective_user else ""
    body = "\n\n".join(escape(bot_text(key, lang, name=name)) for key in ("welcome", "welcome_hint", "choose_language"))
    await update.message.reply_text(body, reply_markup=languages_keyboard())


async def choose_language(update: Update, context: Context) -> None:
    """/language: the 17 languages as buttons."""
    assert update.message is not None
    lang = language_of(update, context)
    await update.message.reply_text(escape(bot_text("choose_language", lang)), reply_markup=languages_keyboard())


async def language_chosen(update: Update, context: Context) -> None:
    """A language button: remember the choice and confirm in that language."""
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.partition(":")[2]
    await acknowledge(update)
    if code not in LANGUAGES:
        return
    deps(context).state.set_language(query.from_user.id, code)
    await query.edit_message_text(escape(bot_text("language_set", code, language=LANGUAGES[code])))
    if update.effective_chat:
        await context.bot.send_message(update.effective_chat.id, _help_html(code))


def _help_html(lang: str) -> str:
    lines = [escape(bot_text("help", lang)), ""]
    lines += [f"/{name} — {escape(bot_text('cmd_' + name, lang))}" for name in COMMANDS]
    return "\n".join(lines)


async def help_command(update: Update, context: Context) -> None:
    """/help: what the bot does, command by command."""
    assert update.message is not None
    await update.message.reply_text(_help_html(language_of(update, context)))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know."""
    assert update.message is not None
    await update.message.reply_text(escape(bot_text("unknown_command", language_of(update, context))))


async def stale_button(update: Update, context: Context) -> None:
    """A button of an old message (its dialogue is over): acknowledge it so the client stops waiting."""
    await acknowledge(update)
