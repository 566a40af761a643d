"""The LLM endpoint broken for real, seen through the HTTP API: a closed port, a slow server, garbage bodies.
Each time /v1/chat answers 200 with the grounded composer's answer within the configured timeout."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.services import build_services
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.ports import free_port
from tests.support.settings import make_settings

TIMEOUT = 1.0
GARBAGE = {
    "html": (200, "text/html", b"<html><body>502 Bad Gateway</body></html>"),
    "truncated-json": (200, "application/json", b'{"id": "c1", "choices": [{"message": {"content": "Sol'),
    "wrong-shape": (200, "application/json", b'{"unexpected": true}'),
    "binary": (200, "application/octet-stream", bytes(range(256)) * 4),
    "sse-garbage": (200, "text/event-stream", b"data: {not json\n\ndata: \xff\xfe\n\n"),
}


class Behaviour:
    mode = "html"


def _handler(behaviour: Behaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if behaviour.mode == "slow":
                time.sleep(TIMEOUT * 4)
                return
            status, content_type, body = GARBAGE[behaviour.mode]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def endpoint() -> Iterator[tuple[Behaviour, str]]:
    behaviour = Behaviour()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(behaviour))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield behaviour, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _client(tmp_path: Path, llm_url: str) -> TestClient:
    settings = make_settings(tmp_path / "data", llm_base_url=llm_url, llm_model="fake", llm_api_key="sk-x",
                             llm_timeout_seconds=TIMEOUT, rate_limit_per_minute=0)
    services = build_services(settings)
    ingest_paths(services.index, [RECORDS])
    services.close()
    return TestClient(create_app(settings))  # builds its own services over the same data dir, and closes them


def _ask(client: TestClient) -> tuple[dict[str, object], float]:
    start = time.monotonic()
    response = client.post("/v1/chat", json={"message": "Who offers solar photovoltaic modules?", "language": "en"})
    assert response.status_code == 200, response.text
    return response.json(), time.monotonic() - start


@pytest.fixture
def closed_port() -> Iterator[int]:
    port = free_port()  # nothing listens there: connections are refused
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    yield port


def test_closed_port_falls_back_at_once(tmp_path: Path, closed_port: int) -> None:
    with _client(tmp_path, f"http://127.0.0.1:{closed_port}/v1") as client:
        answer, seconds = _ask(client)

    assert answer["metadata"]["llm"] == "fallback" and answer["citations"]  # type: ignore[index]
    assert seconds < TIMEOUT + 2


@pytest.mark.parametrize("mode", ["slow", *GARBAGE])
def test_slow_or_garbage_endpoint_falls_back_within_the_timeout(tmp_path: Path, endpoint: tuple[Behaviour, str],
                                                                 mode: str) -> None:
    behaviour, url = endpoint
    behaviour.mode = mode
    with _client(tmp_path, url) as client:
        answer, seconds = _ask(client)

    assert answer["metadata"]["llm"] == "fallback", answer  # type: ignore[index]
    assert answer["citations"] and "Here is what I found" in str(answer["answer"])
    assert seconds < TIMEOUT * 2 + 2  # the answer and the condensation step each wait at most the timeout
