"""FastAPI app factory: builds the services once in the lifespan; routes are thin adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from assistant.services import Services, build_services
from assistant.settings import Settings
from bots.web import chat, demands, openai_api, ops, record_page, records, search, site
from bots.web.docs import install_docs
from bots.web.errors import ERROR_RESPONSES, install_error_handlers
from bots.web.feedback import router as feedback_router
from bots.web.inquiries import router as inquiries_router
from bots.web.insights import router as insights_router
from bots.web.limits import BodyLimit
from bots.web.metrics import Metrics, MetricsMiddleware
from bots.web.ratelimit import RateLimiter

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The web app; pass `services` to share them (tests), else they are built from `settings`."""
    settings = settings or Settings()
    owned = services is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services or await run_in_threadpool(build_services, settings)
        app.state.services.start()
        app.state.services.translations.listen(app.state.metrics.translation)
        try:
            yield
        finally:
            if owned:
                app.state.services.close()

    app = FastAPI(title="TTC Assistant", version="0.1.0", lifespan=lifespan, responses=ERROR_RESPONSES,
                  description="Multilingual assistant over technology achievements and demands.", docs_url=None)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.metrics = Metrics()
    install_error_handlers(app)
    app.include_router(inquiries_router)
    app.add_middleware(BodyLimit, paths={"/v1/chat/completions": openai_api.MAX_BODY_BYTES})
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)

    for module in (ops, chat, search, records, demands, site):
        app.include_router(module.router)
    app.include_router(openai_api.router)
    app.include_router(record_page.router)
    app.include_router(feedback_router)
    app.include_router(insights_router)
    app.mount("/static", StaticFiles(directory=site.STATIC), name="static")
    install_docs(app)
    return app
