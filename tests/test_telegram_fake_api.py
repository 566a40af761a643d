"""A fake Telegram Bot API on 127.0.0.1 (real HTTP) that records calls and checks what Telegram would check.

Used by every test_telegram_* module; the tests at the bottom pin the checks themselves.
"""

from __future__ import annotations

import asyncio
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

import httpx
import pytest
from telegram import Update

from assistant.services import Services, build_services
from bots.telegram.app import App, build_application
from retrieval.ingest import ingest_paths
from tests.conftest import RECORDS, make_settings

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 777, "is_bot": True, "first_name": "TTC", "username": "ttc_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
_RAW_PARAMS = {"text", "parse_mode", "callback_query_id", "url", "secret_token", "language_code", "caption",
               "action"}
_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
         "tg-spoiler", "tg-emoji", "span"}
_HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z\-]+)(?:\s[^<>]*)?>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);|[<>&]|[^<>&]+")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}
_user_ids = itertools.count(4242)


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
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

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
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
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


class TelegramUser:
    """Builds the Update JSON Telegram sends for one user in a private chat."""

    def __init__(self, language_code: str = "en", first_name: str = "Ana", username: str | None = "",
                 user_id: int | None = None) -> None:
        uid = user_id or next(_user_ids)
        username = f"user{uid}" if username == "" else username
        self.user: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first_name,
                                     "language_code": language_code}
        if username:
            self.user["username"] = username
        self.chat = {"id": uid, "type": "private", "first_name": first_name}
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(500)

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def says(self, text: str) -> dict[str, Any]:
        """A text message; a leading /command gets its bot_command entity, as Telegram adds it."""
        message: dict[str, Any] = {"message_id": next(self._ids), "date": int(time.time()), "chat": self.chat,
                                   "from": self.user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def presses(self, data: str, message_id: int = 1000) -> dict[str, Any]:
        """A press on an inline button of one of the bot's messages."""
        message = {"message_id": message_id, "date": int(time.time()), "chat": self.chat, "from": BOT_USER,
                   "text": "…"}
        query = {"id": str(next(self._update_ids)), "from": self.user, "chat_instance": "ci", "data": data,
                 "message": message}
        return {"update_id": next(self._update_ids), "callback_query": query}


def buttons(sent: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback_data) of the inline keyboard of a recorded message."""
    markup = sent.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def make_bot(services: Services, api: FakeBotApi, **options: Any) -> App:
    """build_application over `services`, pointed at the fake API."""
    settings = make_settings(services.settings.data_dir, TELEGRAM_BOT_TOKEN=TOKEN, telegram_base_url=api.url)
    return build_application(settings, services, **options)


def close_bot(application: App) -> None:
    application.bot_data["ttc"].store.close()


def converse(application: App, *updates: dict[str, Any]) -> None:
    """Initialize the application (getMe) and feed the updates one after another, as polling would."""

    async def go() -> None:
        async with application:
            for update in updates:
                await application.process_update(Update.de_json(update, application.bot))

    asyncio.run(go())


def run_job(application: App, name: str) -> None:
    """Run one of the application's repeating jobs once, now."""

    async def go() -> None:
        async with application:
            assert application.job_queue is not None
            (job,) = application.job_queue.get_jobs_by_name(name)
            await job.run(application)

    asyncio.run(go())


def shared_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services over the 110 sample records, built once per test module (tests use distinct users)."""
    built = build_services(make_settings(tmp_path_factory.mktemp("bot") / "data"))
    ingest_paths(built.index, [RECORDS])
    yield built
    built.close()


@contextmanager
def running_fake_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    with running_fake_api() as api:
        yield api


def test_fake_api_accepts_escaped_html_and_refuses_raw_markup(fake_api: FakeBotApi) -> None:
    url = f"{fake_api.url}/bot{TOKEN}/sendMessage"
    good = httpx.post(url, data={"chat_id": "1", "text": "<b>a_*[]()~&gt;#+-=|{}.!</b> &amp; x", "parse_mode": "HTML"})
    bad = httpx.post(url, data={"chat_id": "1", "text": "a < b", "parse_mode": "HTML"})
    unbalanced = httpx.post(url, data={"chat_id": "1", "text": "<b>x", "parse_mode": "HTML"})

    assert good.json()["result"]["text"] == "a_*[]()~>#+-=|{}.! & x"
    assert bad.status_code == 400 and "can't parse entities" in bad.json()["description"]
    assert unbalanced.status_code == 400


def test_fake_api_refuses_messages_over_4096_characters(fake_api: FakeBotApi) -> None:
    url = f"{fake_api.url}/bot{TOKEN}/sendMessage"
    response = httpx.post(url, data={"chat_id": "1", "text": "x" * 4097})

    assert response.status_code == 400 and "too long" in response.json()["description"]


def test_fake_api_refuses_a_wrong_token(fake_api: FakeBotApi) -> None:
    assert httpx.post(f"{fake_api.url}/botWRONG/getMe").status_code == 401
