"""`ttc serve` and `ttc bot`: the long-running adapters, started with this command's settings."""

from __future__ import annotations

from typing import Annotated

import typer

from bots.cli.deps import load_settings, open_services
from bots.cli.errors import fail
from bots.cli.options import AsJson, DataDir

__all__ = ["bot", "serve"]


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int | None, typer.Option(
        min=1, max=64, help="Worker processes sharing the port (default: TTC_WEB_WORKERS, else 1).")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Run the web chat and HTTP API."""
    from bots.web.server import serve as run_server

    settings = load_settings(data_dir)
    if workers is not None:
        settings = settings.model_copy(update={"web_workers": workers})
    run_server(settings, host, port)


def bot(
    webhook: Annotated[str | None, typer.Option("--webhook", help="Public HTTPS URL for a webhook (default: polling).")]
    = None,
    listen: Annotated[str, typer.Option(help="Interface the webhook server binds.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the webhook server.")] = 8443,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Run the Telegram bot (needs TELEGRAM_BOT_TOKEN; TTC_TELEGRAM_BASE_URL for another Bot API server)."""
    import logging

    from bots.telegram.app import run as run_bot

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token in every URL
    settings = load_settings(data_dir)
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value().strip():
        fail("TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather and export its token)")
    with open_services(settings) as services:
        run_bot(settings, services, webhook=webhook, listen=listen, port=port)
