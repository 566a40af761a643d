"""The Telegram bot: a thin python-telegram-bot adapter over the services (`ttc bot`)."""

from bots.telegram.app import build_application, run

__all__ = ["build_application", "run"]
