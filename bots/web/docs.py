"""OpenAPI docs at /docs served from the bundled Swagger UI (the FastAPI default loads it from a CDN,
which an offline install cannot reach)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install_docs"]

_ASSETS = "/docs-assets"


def install_docs(app: FastAPI) -> None:
    """Serve /docs with Swagger UI 5 (OpenAPI 3.1) from the `fastapi-offline` package's static files
    (create the app with docs_url=None)."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{_ASSETS}/favicon.png",
        )

    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
