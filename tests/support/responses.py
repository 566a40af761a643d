"""Reading HTTP responses: the JSON error shape and server-sent events."""

from __future__ import annotations

import json
from typing import Any


def assert_error(response: Any, status: int, code: str | None = None) -> None:
    """`response` is the JSON error of the API with this status (and code), without a traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"code", "message"}
    assert "Traceback" not in response.text
    if code:
        assert error["code"] == code


def parse_sse(text: str) -> list[tuple[str, Any]]:
    """(event, JSON data) pairs of an event stream; comments (pings) are skipped."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events
