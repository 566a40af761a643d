"""Runs the web app under uvicorn (the `ttc serve` entry point)."""

from __future__ import annotations

import logging

import uvicorn

from assistant.settings import Settings
from bots.web.app import create_app

__all__ = ["serve"]


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the chat page and the HTTP API until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)
