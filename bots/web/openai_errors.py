"""OpenAI's error shape for the OpenAI-compatible routes, and their API keys.

`{"error": {"message", "type", "param", "code"}}` with the status the official SDKs turn into their exception
classes (400 BadRequestError, 401 AuthenticationError, 404 NotFoundError, 429 RateLimitError, ...). Only the routes
built with `OpenAIRoute` answer in this shape; the rest of the API keeps `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from bots.web.errors import UNAVAILABLE_RETRY_AFTER
from retrieval.errors import Forbidden, NotFound, TTCError, Unauthorized, Unavailable

__all__ = ["OpenAIError", "OpenAIRoute", "openai_error", "require_api_key"]

log = logging.getLogger(__name__)

_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 403: "invalid_request_error",
          404: "invalid_request_error", 413: "invalid_request_error", 422: "invalid_request_error",
          429: "rate_limit_exceeded", 503: "server_error"}
# invalid input of any other kind (e.g. a message over the length limit) is a 400, as OpenAI reports it
_STATUS: list[tuple[type[TTCError], int]] = [(NotFound, 404), (Unauthorized, 401), (Forbidden, 403),
                                             (Unavailable, 503)]
_CODES = {401: "invalid_api_key", 404: "not_found", 405: "method_not_allowed", 413: "request_too_large",
          429: "rate_limit_exceeded", 503: "service_unavailable"}


_TYPE_NAMES = frozenset({"str", "int", "float", "bool", "list", "dict", "none"})


class OpenAIError(Exception):
    """An error to report in OpenAI's shape."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code or _CODES.get(status)
        self.headers = headers or {}


def openai_error(error: OpenAIError) -> JSONResponse:
    """The JSON response of an error."""
    body = {"error": {"message": error.message, "type": _TYPES.get(error.status, "server_error"),
                      "param": error.param, "code": error.code}}
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def _from_validation(exc: RequestValidationError) -> OpenAIError:
    errors = exc.errors()
    if any(item.get("type") == "json_invalid" for item in errors):
        return OpenAIError(400, "the request body is not valid JSON", code="invalid_json")
    first = errors[0] if errors else {}
    where: list[str] = []
    for part in first.get("loc", ()):
        if not (isinstance(part, int) or str(part).isidentifier()) or str(part) in _TYPE_NAMES:
            break  # the rest names a branch of a union type, not a parameter
        if part != "body":
            where.append(str(part))
    param = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in where).lstrip(".") or None
    problems = "; ".join(f"{'.'.join(str(p) for p in item.get('loc', ()) if p != 'body') or 'body'}: "
                         f"{item.get('msg', 'invalid')}" for item in errors[:5])
    return OpenAIError(400, problems or "invalid request", param=param, code="invalid_type")


def _from_exception(exc: Exception) -> OpenAIError:
    if isinstance(exc, OpenAIError):
        return exc
    if isinstance(exc, RequestValidationError):
        return _from_validation(exc)
    if isinstance(exc, HTTPException):
        return OpenAIError(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
    if isinstance(exc, TTCError):
        status = next((status for cls, status in _STATUS if isinstance(exc, cls)), 400)
        headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)} if status == 503 else {}
        return OpenAIError(status, str(exc), code=exc.code, headers=headers)
    log.exception("unhandled error in the OpenAI-compatible API", exc_info=exc)
    return OpenAIError(500, "internal error", code="internal_error")


class OpenAIRoute(APIRoute):
    """A route whose every error, from body validation to rate limiting, answers in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                return openai_error(_from_exception(exc))

        return route


def require_api_key(request: Request) -> None:
    """With TTC_API_KEYS set, `Authorization: Bearer <key>` must carry one of them (or a staff key); else 401."""
    settings = request.app.state.services.settings
    keys = settings.client_keys()
    if not keys:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    accepted = False
    if scheme.lower() == "bearer" and token:
        for key in keys + settings.staff_keys():
            accepted |= hmac.compare_digest(token.encode("utf-8"), key.encode("utf-8"))
    if not accepted:
        raise OpenAIError(401, "send Authorization: Bearer <key> with one of the server's API keys",
                          code="invalid_api_key")
