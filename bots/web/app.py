"""FastAPI app factory: builds the services once in the lifespan; routes are thin adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from starlette.concurrency import run_in_threadpool

from assistant.services import Services, build_services
from assistant.settings import Settings
from bots.web.errors import install_error_handlers
from bots.web.ratelimit import RateLimiter
from retrieval.catalog import Filters
from retrieval.errors import NotFound

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The web app; pass `services` to share them (tests), else they are built from `settings`."""
    settings = settings or Settings()
    owned = services is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services or await run_in_threadpool(build_services, settings)
        try:
            yield
        finally:
            if owned:
                app.state.services.close()

    app = FastAPI(title="TTC Assistant", version="0.1.0", lifespan=lifespan)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    install_error_handlers(app)

    def svc(request: Request) -> Services:
        return request.app.state.services  # type: ignore[no-any-return]

    @app.get("/healthz")
    async def healthz(request: Request) -> dict[str, Any]:
        return {"status": "ok", "records": await run_in_threadpool(svc(request).index.catalog.count)}

    @app.get("/v1/search")
    async def search(
        request: Request,
        q: Annotated[str, Query(min_length=1, max_length=2000)],
        kind: Literal["achievement", "demand"] | None = None,
        field: Annotated[str | None, Query(max_length=40)] = None,
        country: Annotated[str | None, Query(max_length=2)] = None,
        k: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        filters = Filters(kind=kind, field=field, country=country.upper() if country else None)
        hits = await run_in_threadpool(svc(request).index.search, q, k, filters)
        return {"query": q, "results": [h.as_dict() for h in hits]}

    @app.get("/v1/records/{record_id}")
    async def get_record(request: Request, record_id: str) -> dict[str, Any]:
        record = await run_in_threadpool(svc(request).index.get, record_id)
        if record is None:
            raise NotFound(f"no record with id {record_id!r}")
        return record.model_dump()

    return app
