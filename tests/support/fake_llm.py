"""A fake OpenAI-compatible chat model on 127.0.0.1 (real HTTP): what it answers is set by the test."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], str]


@dataclass
class FakeModel:
    """What the fake endpoint does; tests change it between calls."""

    reply: Reply = lambda request: "Nothing."
    status: int = 200
    delay: float = 0.0
    fail_after_chunks: int | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)


def _chunk(text: str | None, finish: str | None = None) -> bytes:
    delta = {"content": text} if text is not None else {}
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


def model_handler(model: FakeModel) -> type[BaseHTTPRequestHandler]:
    """The request handler of a fake endpoint that does what `model` says."""
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            model.requests.append(request)
            time.sleep(model.delay)
            if self.path != "/v1/chat/completions" or model.status != 200:
                self._json(model.status if model.status != 200 else 404, {"error": {"message": "down"}})
                return
            text = model.reply(request)
            if not request.get("stream"):
                self._json(200, {"id": "c1", "object": "chat.completion", "created": 0, "model": "fake",
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": text}}]})
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for number, piece in enumerate(re.findall(r"\S+\s*", text)):
                if model.fail_after_chunks is not None and number == model.fail_after_chunks:
                    self.wfile.write(b"data: {not json\n\n")
                    return
                self.wfile.write(_chunk(piece))
            self.wfile.write(_chunk(None, "stop") + b"data: [DONE]\n\n")

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def running_fake_model() -> Iterator[tuple[FakeModel, str]]:
    """A fake model served until the block ends; yields it and its base URL (…/v1)."""
    model = FakeModel()
    server = ThreadingHTTPServer(("127.0.0.1", 0), model_handler(model))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield model, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
