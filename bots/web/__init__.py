"""The web adapter: FastAPI app factory."""

from bots.web.app import create_app

__all__ = ["create_app"]
