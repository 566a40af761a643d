"""A fake Telegram Bot API on 127.0.0.1 (real HTTP) that records calls, checks what Telegram would check, and
fails on request the way Telegram does (429 with retry_after, 400, 502, a connection closed without an answer).

Used by every test_telegram_* module; tests/test_telegram_fake_api.py pins the checks themselves.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 777, "is_bot": True, "first_name": "TTC", "username": "ttc_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
_RAW_PARAMS = {"text", "parse_mode", "callback_query_id", "url", "secret_token", "language_code", "caption",
               "action"}
_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
         "tg-spoiler", "tg-emoji", "span"}
_HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z\-]+)(?:\s[^<>]*)?>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);|[<>&]|[^<>&]+")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}


class BadRequest(Exception):
    """What the real API answers with 400."""


class Blocked(Exception):
    """What the real API answers with 403 when the user blocked the bot."""


def parse_html(text: str) -> str:
    """The plain text Telegram would show for parse_mode=HTML; BadRequest where Telegram would refuse."""
    plain: list[str] = []
    stack: list[str] = []
    for match in _HTML_TOKEN.finditer(text):
        token, closing, name = match.group(0), match.group(1), match.group(2)
        if name:
            if name not in _TAGS:
                raise BadRequest(f"can't parse entities: unsupported start tag \"{name}\"")
            if closing:
                if not stack or stack.pop() != name:
                    raise BadRequest(f"can't parse entities: unexpected end tag \"{name}\"")
            else:
                stack.append(name)
        elif token in ("<", ">", "&"):
            raise BadRequest(f"can't parse entities: unescaped {token!r}")
        elif token.startswith("&"):
            plain.append(_ENTITIES.get(token) or chr(int(token[2:-1], 16 if token[2] == "x" else 10)))
        else:
            plain.append(token)
    if stack:
        raise BadRequest(f"can't parse entities: unclosed tag \"{stack[-1]}\"")
    return "".join(plain)


def utf16_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


class FakeBotApi:
    """Answers the Bot API methods the bot uses; `calls` holds (method, params) in arrival order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.slow: dict[str, float] = {}
        self.blocked: set[int] = set()
        # Faults, served instead of an answer to calls of the `faulty` methods: "429:<seconds>", "400", "502" or
        # "drop" (the connection closed without a status line). `faults` go one per call, `outage` to every call.
        self.faulty: set[str] = {"sendMessage"}
        self.faults: list[str] = []
        self.outage: str | None = None
        self.served_faults: list[str] = []
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll interval: `stop` waits for it, once per test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what tests read ------------------------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """sendMessage and editMessageText calls (params plus `plain`: the text as the user sees it)."""
        with self._lock:
            calls = [(m, dict(p)) for m, p in self.calls if m in ("sendMessage", "editMessageText")]
        out = []
        for method, params in calls:
            if chat_id is not None and int(params.get("chat_id", 0)) != chat_id:
                continue
            params["method"] = method
            params["plain"] = parse_html(params["text"]) if params.get("parse_mode") == "HTML" else params["text"]
            out.append(params)
        return out

    def methods(self) -> list[str]:
        with self._lock:
            return [m for m, _ in self.calls]

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self.updates.append(update)
            self._lock.notify_all()
            return int(update["update_id"])

    def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:
        """Block until predicate(self) holds (used while a bot runs in another process)."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {self.methods()}")
            time.sleep(0.05)

    # -- the API ------------------------------------------------------------------------------------------
    def _fault(self, method: str) -> str | None:
        """The fault this call gets instead of an answer, if any (recorded in `served_faults`)."""
        with self._lock:
            if method not in self.faulty or not (self.faults or self.outage):
                return None
            fault = self.faults.pop(0) if self.faults else self.outage
            assert fault is not None
            self.served_faults.append(fault)
            return fault

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        with self._lock:
            self.calls.append((method, {**params, "at": time.monotonic()}))
        if method in self.slow:
            time.sleep(self.slow[method])
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._get_updates(params)
        if method in ("sendMessage", "editMessageText"):
            return self._message(params)
        if method == "editMessageReplyMarkup":
            return {"message_id": params.get("message_id", 1), "date": int(time.time()),
                    "chat": {"id": params.get("chat_id", 1), "type": "private"}, "from": BOT_USER, "text": "…"}
        if method in ("answerCallbackQuery", "setMyCommands", "deleteWebhook", "setWebhook", "sendChatAction",
                      "close", "logOut"):
            return True
        raise LookupError(method)

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        if int(params.get("chat_id", 0)) in self.blocked:
            raise Blocked("Forbidden: bot was blocked by the user")
        text = params.get("text", "")
        plain = parse_html(text) if params.get("parse_mode") == "HTML" else text
        if not plain.strip():
            raise BadRequest("message text is empty")
        if utf16_length(plain) > 4096:
            raise BadRequest("message is too long")
        message: dict[str, Any] = {"message_id": params.get("message_id") or next(self._ids),
                                   "date": int(time.time()), "from": BOT_USER, "text": plain,
                                   "chat": {"id": params.get("chat_id"), "type": "private"}}
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]  # as Telegram: a message keeps inline keyboards only
        return message

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 0.5)
        with self._lock:
            while True:
                pending = [u for u in self.updates if u["update_id"] >= offset]
                if pending or time.monotonic() >= deadline:
                    return pending
                self._lock.wait(max(0.0, deadline - time.monotonic()))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                prefix = f"/bot{TOKEN}/"
                if not self.path.startswith(prefix):
                    self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                fault = api._fault(self.path[len(prefix):])
                if fault is not None:
                    self._fail(fault)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                try:
                    result = api._answer(self.path[len(prefix):], _params(body, self.headers.get("Content-Type")))
                except BadRequest as exc:
                    self._reply(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"})
                except Blocked as exc:
                    self._reply(403, {"ok": False, "error_code": 403, "description": str(exc)})
                except LookupError:
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                else:
                    self._reply(200, {"ok": True, "result": result})

            do_GET = do_POST  # noqa: N815 (the name http.server looks up)

            def _fail(self, fault: str) -> None:
                if fault == "drop":
                    self.close_connection = True  # no status line at all: a network error for the client
                elif fault == "400":
                    self._reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
                elif fault == "502":
                    self._reply(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
                else:
                    seconds = int(fault.split(":")[1])
                    self._reply(429, {"ok": False, "error_code": 429, "parameters": {"retry_after": seconds},
                                      "description": f"Too Many Requests: retry after {seconds}"})

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _params(body: str, content_type: str | None) -> dict[str, Any]:
    if not body:
        return {}
    if (content_type or "").startswith("application/json"):
        return dict(json.loads(body))
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        if key in _RAW_PARAMS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


@contextmanager
def running_fake_api() -> Iterator[FakeBotApi]:
    """A started fake Bot API, stopped on exit."""
    api = FakeBotApi().start()
    try:
        yield api
    finally:
        api.stop()
