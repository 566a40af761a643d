"""Webhook mode: a small Starlette endpoint feeds Telegram's POSTs into the Application's update queue.

Built like python-telegram-bot's `customwebhookbot.py` example, on the web stack the project already
ships (Starlette + uvicorn), so no extra dependency is needed.
"""

from __future__ import annotations

import secrets
import signal
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bots.telegram.context import App

__all__ = ["serve_webhook", "webhook_app"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(application: App, path: str, secret: str) -> Starlette:
    """POST `path` with Telegram's secret header → the update queue; GET /healthz → ok."""

    async def receive(request: Request) -> Response:
        if not secrets.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/healthz", healthz)])


async def serve_webhook(application: App, url: str, listen: str, port: int,
                        post_init: Callable[[App], Awaitable[None]]) -> None:
    """Register the webhook with Telegram and serve it until the process is interrupted."""
    secret = secrets.token_urlsafe(32)
    path = urlsplit(url).path or "/"
    server = uvicorn.Server(uvicorn.Config(webhook_app(application, path, secret), host=listen, port=port,
                                           log_level="warning"))
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal into the handler found at
    # start: make that a KeyboardInterrupt caught below (not asyncio.run's, which would cancel the shutdown).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)
    async with application:
        await post_init(application)
        await application.bot.set_webhook(url, allowed_updates=Update.ALL_TYPES, secret_token=secret)
        await application.start()
        try:
            await server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            await application.stop()
            if application.post_shutdown:
                await application.post_shutdown(application)
