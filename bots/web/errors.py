"""One place that maps the project's errors (and bad requests) to JSON error responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from retrieval.errors import Forbidden, InvalidInput, NotFound, TTCError, Unauthorized, Unavailable

__all__ = ["error_response", "install_error_handlers"]

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[TTCError], int]] = [
    (NotFound, 404),
    (Unauthorized, 401),
    (Forbidden, 403),
    (Unavailable, 503),
    (InvalidInput, 422),
]
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
               415: "unsupported_media_type", 429: "rate_limited"}


def error_response(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    """The one error shape of the API: `{"error": {"code", "message", ...details}}`."""
    return JSONResponse({"error": {"code": code, "message": message, **details}}, status_code=status)


def _status_of(exc: TTCError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def install_error_handlers(app: FastAPI) -> None:
    """Every error a client can cause becomes `{"error": {"code", "message"}}` with a 4xx."""

    async def project_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TTCError)
        return error_response(_status_of(exc), exc.code, str(exc))

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        if any(item.get("type") == "json_invalid" for item in errors):
            return error_response(400, "invalid_json", "the request body is not valid JSON")
        parts = []
        for item in errors[:5]:
            where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
            parts.append(f"{where}: {item.get('msg', 'invalid')}")
        return error_response(422, "validation_error", "; ".join(parts) or "invalid request")

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        response = error_response(exc.status_code, code, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not the client's fault: log the trace, answer without it.
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal error")

    app.add_exception_handler(TTCError, project_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
