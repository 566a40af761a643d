"""A fake LibreTranslate server on 127.0.0.1 that follows its public API (real HTTP), for tests and benchmarks.

`GET /languages` → [{"code","name","targets"}]; `POST /translate` (JSON or form) with `q` (string or list),
`source`, `target`, `format`, `api_key` → {"translatedText": ...}, or 400 for a pair it does not offer, 403 for a
wrong key. The "translation" is deterministic: the text's entry in `known` (exact translations a test or benchmark
supplies) when there is one, else "[<target>] <text>". Every request is recorded, so a test can assert that asking
again sends nothing.

Run alone (benchmarks, the page screenshot): `python -m tests.fake_libretranslate --port 5055`.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

# English to and from everything; other languages only to English (so zh→ru goes through English); no Vietnamese
DEFAULT_LANGUAGES = ("en", "zh", "ru", "es", "fr", "ar", "pt")


def default_pairs(codes: tuple[str, ...] = DEFAULT_LANGUAGES) -> dict[str, list[str]]:
    return {code: [c for c in codes if c != code] if code == "en" else ["en"] for code in codes}


@dataclass
class FakeLibreTranslate:
    """The server's behaviour; tests change it between calls."""

    pairs: dict[str, list[str]] = field(default_factory=default_pairs)
    api_key: str | None = None
    delay: float = 0.0
    status: int = 200
    char_limit: int | None = None
    known: dict[str, str] = field(default_factory=dict)
    """Exact translations by source text (any pair)."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    @property
    def translate_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == "/translate"]

    @property
    def texts_sent(self) -> int:
        """How many texts /translate was asked for, bad requests included."""
        return sum(len(r["q"]) if isinstance(r["q"], list) else 1 for r in self.translate_requests)

    @property
    def bad_requests(self) -> int:
        return sum(1 for r in self.requests if r["status"] == 400)

    def start(self, port: int = 0) -> FakeLibreTranslate:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-libretranslate").start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """(status, JSON body) of one request, as LibreTranslate would answer it."""
        if self.status != 200:
            return self.status, {"error": "Service unavailable"}
        if path == "/frontend/settings":
            return 200, {"charLimit": self.char_limit or -1, "frontendTimeout": 500,
                         "apiKeys": self.api_key is not None}
        if path == "/languages":
            return 200, [{"code": c, "name": c.upper(), "targets": list(t)} for c, t in self.pairs.items()]
        if path != "/translate":
            return 404, {"error": "Not Found"}
        if self.api_key is not None and body.get("api_key") != self.api_key:
            return 403, {"error": "Invalid API key"}
        q, source, target = body.get("q"), body.get("source"), body.get("target")
        if q is None or not isinstance(q, (str, list)):
            return 400, {"error": "Invalid request: missing q parameter"}
        if source not in self.pairs:
            return 400, {"error": f"{source} is not supported"}
        if target not in self.pairs[source]:
            return 400, {"error": f"{target} is not supported"}
        if body.get("format", "text") not in ("text", "html"):
            return 400, {"error": "Invalid format"}
        texts = q if isinstance(q, list) else [q]
        size = sum(len(text) for text in texts)
        if self.char_limit is not None and size > self.char_limit:
            return 400, {"error": f"Invalid request: request ({size}) exceeds text limit ({self.char_limit})"}
        translated = [self.known.get(text, f"[{target}] {text}") for text in texts]
        return 200, {"translatedText": translated if isinstance(q, list) else translated[0]}


def _handler(fake: FakeLibreTranslate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._reply(self.path.split("?")[0], {})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                body = json.loads(raw or "{}")
            else:
                form = parse_qs(raw)
                body = {k: v if k == "q" and len(v) > 1 else v[0] for k, v in form.items()}
            self._reply(self.path, body)

        def _reply(self, path: str, body: dict[str, Any]) -> None:
            time.sleep(fake.delay)
            status, payload = fake.answer(path, body)
            fake.requests.append({"path": path, "status": status, "q": body.get("q"), "source": body.get("source"),
                                  "target": body.get("target"), "api_key": body.get("api_key")})
            data = json.dumps(payload, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (a timeout test)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeLibreTranslate(delay=args.delay).start(args.port)
    print(f"fake LibreTranslate at {fake.url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
