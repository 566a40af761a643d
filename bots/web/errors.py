"""One place that maps the project's errors (and bad requests) to JSON error responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import Match

from retrieval.errors import Forbidden, InvalidInput, NotFound, TTCError, Unauthorized, Unavailable

__all__ = ["ERROR_RESPONSES", "STAFF_RESPONSES", "ErrorBody", "error_response", "install_error_handlers"]

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[TTCError], int]] = [
    (NotFound, 404),
    (Unauthorized, 401),
    (Forbidden, 403),
    (Unavailable, 503),
    (InvalidInput, 422),
]
UNAVAILABLE_RETRY_AFTER = 5
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
               414: "too_long", 415: "unsupported_media_type", 429: "rate_limited"}


class ErrorDetail(BaseModel):
    """What went wrong: a stable machine `code` and a human `message` (some errors add details, e.g. `errors`)."""

    code: str
    message: str


class ErrorBody(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


def _documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {400: "Malformed request (e.g. the body is not JSON)", 401: "No staff key",
                    403: "Staff key not accepted", 404: "Unknown id or route", 413: "Body over 64 KiB",
                    414: "Query string too long", 422: "Invalid input", 429: "Rate limited (see Retry-After)",
                    503: "A backing service (Chroma server, database) is unavailable"}
    return {status: {"model": ErrorBody, "description": descriptions[status]} for status in statuses}


# Any route may answer these; declaring them lets clients (and schemathesis) check every response against the spec.
ERROR_RESPONSES = _documented(400, 404, 413, 414, 422, 429, 503)
STAFF_RESPONSES = _documented(401, 403)


def error_response(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    """The one error shape of the API: `{"error": {"code", "message", ...details}}`."""
    return JSONResponse({"error": {"code": code, "message": message, **details}}, status_code=status)


def _status_of(exc: TTCError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    # Starlette names only the first route whose path matched; a path served by several routes allows all of theirs.
    allowed = [method for method in _METHODS
               if any(route.matches({**request.scope, "method": method})[0] is Match.FULL
                      for route in request.app.router.routes)]
    return ", ".join(allowed)


def install_error_handlers(app: FastAPI) -> None:
    """Every error a client can cause becomes `{"error": {"code", "message"}}` with a 4xx."""

    async def project_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TTCError)
        status = _status_of(exc)
        response = error_response(status, exc.code, str(exc))
        if status == 503:
            # the request was not carried out; a client that retries after a short wait loses nothing
            response.headers["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        return response

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

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        response = error_response(exc.status_code, code, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            response.headers["Allow"] = _allowed_methods(request)
        return response

    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not the client's fault: log the trace, answer without it.
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal error")

    app.add_exception_handler(TTCError, project_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
