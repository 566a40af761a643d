"""Request size limits: the query string, and the body as the bytes actually arrive (chunked bodies carry no
Content-Length)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_BODY_BYTES", "MAX_QUERY_BYTES", "BodyLimit"]

MAX_BODY_BYTES = 64 * 1024
# A 2,000-character query (the longest /v1/search takes) percent-encodes to at most 24,000 bytes.
MAX_QUERY_BYTES = 32 * 1024


class BodyLimit:
    """ASGI middleware: 414 for a query string over `MAX_QUERY_BYTES`; buffer the body up to `max_bytes`, answer 413
    beyond it, else replay it to the app."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, paths: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = dict(paths or {})
        """Other limits for some paths (e.g. a chat protocol whose clients resend the whole conversation)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            await _send_error(send, 414, "too_long", f"query string exceeds the limit of {MAX_QUERY_BYTES} bytes")
            return
        limit = self.paths.get(scope.get("path", ""), self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body: bytes = message.get("body", b"")
            size += len(body)
            if size > limit:
                await self._reject(send, limit)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _reject(self, send: Send, limit: int) -> None:
        await _send_error(send, 413, "too_large", f"request body exceeds the limit of {limit} bytes")


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the buffered body over once, then listens to the client again (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
