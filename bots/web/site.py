"""The chat page and the configuration it reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from assistant.locale.languages import LANGUAGES, RTL
from bots.web.deps import ServicesDep
from bots.web.headers import page_headers
from bots.web.limits import MAX_BODY_BYTES
from retrieval.record import FIELDS, KINDS

__all__ = ["STATIC", "router"]

STATIC = Path(__file__).parent / "static"
router = APIRouter()

_PAGE_HEADERS = page_headers()


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
async def page() -> FileResponse:
    """The web chat."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)


@router.get("/v1/config", tags=["operations"], summary="What the page needs to know")
async def config(services: ServicesDep) -> dict[str, Any]:
    """Languages, record fields and kinds, countries present in the corpus, optional features, limits."""
    countries = await run_in_threadpool(services.records.countries)
    settings = services.settings
    return {
        "languages": [{"code": code, "name": name, "rtl": code in RTL} for code, name in LANGUAGES.items()],
        "kinds": list(KINDS),
        "fields": list(FIELDS),
        "countries": countries,
        "features": {
            "inquiries": getattr(services, "inquiries", None) is not None,
            "llm": bool(settings.llm_base_url and settings.llm_model),
        },
        "limits": {"body_bytes": MAX_BODY_BYTES, "chat_per_minute": settings.rate_limit_per_minute},
    }
