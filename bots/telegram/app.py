"""The Application factory and the two ways to run it: long polling (default) or a webhook."""

from __future__ import annotations

import logging

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from assistant.locale.languages import LANGUAGES
from assistant.locale.texts import bot_text
from assistant.services import Services
from assistant.settings import Settings
from bots.telegram import chat, demand, general, jobs, search, subscribe
from bots.telegram import feedback as answer_feedback
from bots.telegram.bot_state import BotState
from bots.telegram.context import DEPS_KEY, App, Deps
from bots.telegram.errors import on_error
from bots.telegram.processor import ChatOrderedProcessor
from bots.telegram.retry import Backoff, Retrying
from retrieval.errors import InvalidInput

__all__ = ["App", "build_application", "run"]

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 64


def build_application(settings: Settings, services: Services, *, timeout: float = 30.0,
                      digest_interval: float = 300.0, outbox_interval: float = 5.0,
                      backoff: Backoff | None = None) -> App:
    """The bot over `services`: handlers, error handler, jobs; TELEGRAM_BOT_TOKEN is required.

    `timeout` bounds every service call (seconds); the intervals are those of the digest and outbox jobs;
    `backoff` paces retries of failed Bot API calls (see `bots.telegram.retry`; default: the settings' budget).
    """
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value().strip():
        raise InvalidInput("TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather and export its token)")
    state = BotState(settings.data_dir / "telegram.sqlite")
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value().strip())
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(Retrying(state, backoff or Backoff(budget=settings.telegram_retry_budget_seconds)))
        .concurrent_updates(ChatOrderedProcessor(CONCURRENT_UPDATES))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_base_url:
        base = settings.telegram_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    application: App = builder.build()
    application.bot_data[DEPS_KEY] = Deps(services, state, timeout)
    _add_handlers(application)
    application.add_error_handler(on_error)
    queue = application.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    queue.run_repeating(jobs.send_digests, interval=digest_interval, first=digest_interval, name="digests")
    queue.run_repeating(jobs.deliver_replies, interval=outbox_interval, first=outbox_interval, name="outbox")
    return application


def _add_handlers(application: App) -> None:
    """Order matters: the /demand dialogue sees typed text before the free-text question handler."""
    typed = filters.TEXT & ~filters.COMMAND
    application.add_handlers([
        CommandHandler("start", general.start),
        CommandHandler("language", general.choose_language),
        CommandHandler("help", general.help_command),
        demand.demand_conversation(),
        CommandHandler("cancel", demand.cancel),
        CommandHandler("search", search.search),
        CommandHandler("match", chat.match),
        CommandHandler("subscribe", subscribe.subscribe),
        CommandHandler("unsubscribe", subscribe.unsubscribe),
        CallbackQueryHandler(general.language_chosen, pattern=r"^lang:"),
        CallbackQueryHandler(search.details, pattern=r"^details[:#]"),
        CallbackQueryHandler(search.introduction, pattern=r"^intro[:#]"),
        CallbackQueryHandler(search.record_partners, pattern=r"^partners[:#]"),
        CallbackQueryHandler(chat.partners_for_need, pattern=r"^need:"),
        CallbackQueryHandler(answer_feedback.rate, pattern=answer_feedback.PATTERN),
        MessageHandler(typed & filters.REPLY, answer_feedback.comment),
        MessageHandler(typed, chat.ask),
        MessageHandler(filters.COMMAND, general.unknown_command),
        CallbackQueryHandler(general.stale_button),
    ])


async def _post_init(application: App) -> None:
    """Publish the command menu in every language; a failure here is logged, not fatal."""
    try:
        for code in (None, *LANGUAGES):
            lang = code or "en"
            commands = [BotCommand(name, bot_text(f"cmd_{name}", lang)) for name in general.COMMANDS]
            await application.bot.set_my_commands(commands, language_code=code)
    except TelegramError as exc:
        log.warning("could not publish the command menu: %s", exc)


async def _post_shutdown(application: App) -> None:
    deps_ = application.bot_data.get(DEPS_KEY)
    if isinstance(deps_, Deps):
        deps_.state.close()


def run(settings: Settings, services: Services, *, webhook: str | None = None, listen: str = "127.0.0.1",
        port: int = 8443) -> None:
    """Run until interrupted: long polling, or a webhook at `webhook` served on `listen:port`."""
    application = build_application(settings, services)
    services.start()
    if webhook is None:
        log.info("telegram bot: long polling")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    import asyncio

    from bots.telegram.webhook import serve_webhook

    log.info("telegram bot: webhook %s on %s:%s", webhook, listen, port)
    asyncio.run(serve_webhook(application, webhook, listen, port, _post_init))
