"""Every client error is a JSON `{"error":{"code","message"}}` with a 4xx: never a 500, never a stack trace."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from tests.support.responses import assert_error
from tests.support.settings import make_settings
from tests.support.web import live_server

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", staff_api_keys="staff-key", rate_limit_per_minute=3)


@pytest.fixture
def client(loaded_services: Services) -> Iterator[TestClient]:
    app = create_app(loaded_services.settings, loaded_services)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_malformed_json_is_400(client: TestClient) -> None:
    assert_error(client.post("/v1/chat", content=b'{"message": ', headers=JSON), 400, "invalid_json")


def test_invalid_utf8_is_400(client: TestClient) -> None:
    assert_error(client.post("/v1/match", content=b'{"text": "\xff\xfe"}', headers=JSON), 400)


@pytest.mark.parametrize("body", [
    {"message": 5},
    {"message": ["a"]},
    {"message": "hi", "session_id": 7},
    {"message": "hi", "unexpected": True},
    {"message": "   "},
    {"message": "x" * 4001},
    [],
    "just a string",
])
def test_wrong_chat_bodies_are_422(client: TestClient, body: object) -> None:
    assert_error(client.post("/v1/chat", json=body), 422, "validation_error")


@pytest.mark.parametrize("body", [{}, {"record_id": "a", "text": "b"}, {"text": "b", "k": 0},
                                  {"text": "b", "kind": "x"},
                                  {"text": "b", "k": "many"}])
def test_wrong_match_bodies_are_422(client: TestClient, body: object) -> None:
    assert_error(client.post("/v1/match", json=body), 422, "validation_error")


@pytest.mark.parametrize("query", ["", "?q=", "?q=x&k=0", "?q=x&k=101", "?q=x&k=ten", "?q=x&kind=idea",
                                   "?q=x&field=space_magic", "?q=x&country=CHN"])
def test_wrong_search_parameters_are_422(client: TestClient, query: str) -> None:
    assert_error(client.get(f"/v1/search{query}"), 422)


def test_body_over_64_kib_is_413(client: TestClient) -> None:
    body = b'{"message": "' + b"x" * 70_000 + b'"}'

    assert_error(client.post("/v1/chat", content=body, headers=JSON), 413, "too_large")


def test_chunked_body_over_64_kib_is_413_without_content_length(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"message": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    assert_error(client.post("/v1/chat", content=chunks(), headers=JSON), 413, "too_large")


def test_body_just_under_the_limit_is_read(client: TestClient) -> None:
    body = b'{"message": "' + b"x" * 60_000 + b'"}'

    assert_error(client.post("/v1/chat", content=body, headers=JSON), 422, "validation_error")


def _send_chunks_until_answered(sock: socket.socket, chunks: list[bytes]) -> str:
    """Send the chunks, stopping early once the server answers (it may refuse before the end and close)."""
    answered = select.poll()  # poll, not select: the suite's process may hold file descriptors over 1024
    answered.register(sock, select.POLLIN)
    for chunk in chunks:
        if answered.poll(0):
            break
        try:
            sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            break
    return sock.recv(4096).decode("latin-1")


@pytest.mark.slow
def test_chunked_oversized_body_over_real_http_is_413(loaded_services: Services) -> None:
    app = create_app(loaded_services.settings, loaded_services)
    with live_server(app) as base:
        url = urlsplit(base)
        with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
            sock.sendall(b"POST /v1/chat HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            reply = _send_chunks_until_answered(sock, [b"400\r\n" + b"x" * 1024 + b"\r\n"] * 70
                                                + [b"0\r\n\r\n"])

    assert reply.startswith("HTTP/1.1 413")
    assert '"too_large"' in reply


def test_unknown_record_is_404(client: TestClient) -> None:
    assert_error(client.get("/v1/records/no-such-record"), 404, "not_found")


def test_unknown_record_to_match_is_404(client: TestClient) -> None:
    assert_error(client.post("/v1/match", json={"record_id": "no-such-record"}), 404, "not_found")


def test_unknown_route_is_404(client: TestClient) -> None:
    assert_error(client.get("/v2/nothing/here"), 404, "not_found")


def test_wrong_method_is_405(client: TestClient) -> None:
    assert_error(client.put("/v1/chat", json={"message": "hi"}), 405, "method_not_allowed")


def test_405_allows_every_method_of_a_path_served_by_several_routes(client: TestClient) -> None:
    response = client.put("/v1/records/some-id", json={})

    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "DELETE, GET"


def test_staff_routes_need_a_key(client: TestClient) -> None:
    assert_error(client.post("/v1/records", json=[{"id": "a"}]), 401, "unauthorized")
    assert_error(client.delete("/v1/records/a"), 401, "unauthorized")
    assert_error(client.delete("/v1/records/a", headers={"Authorization": "Basic abc"}), 401, "unauthorized")


def test_staff_routes_refuse_a_wrong_key(client: TestClient) -> None:
    assert_error(client.post("/v1/records", json=[{"id": "a"}], headers={"Authorization": "Bearer nope"}), 403,
                 "forbidden")


def test_staff_delete_of_unknown_record_is_404(client: TestClient) -> None:
    assert_error(client.delete("/v1/records/never-was", headers={"Authorization": "Bearer staff-key"}), 404)


@pytest.mark.parametrize("body", [{}, [], "x"])
def test_staff_post_records_needs_a_non_empty_list(client: TestClient, body: object) -> None:
    assert_error(client.post("/v1/records", json=body, headers={"Authorization": "Bearer staff-key"}), 422)


def test_chat_is_rate_limited_per_client_with_retry_after(client: TestClient) -> None:
    for _ in range(3):
        assert client.post("/v1/chat", json={"message": "solar"}).status_code == 200

    response = client.post("/v1/chat/stream", json={"message": "solar"})

    assert_error(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) >= 1


def test_rate_limit_does_not_apply_to_search(client: TestClient) -> None:
    for _ in range(5):
        assert client.get("/v1/search", params={"q": "solar"}).status_code == 200


KEYS = ["message", "session_id", "language", "record_id", "text", "kind", "k", "id", "title", "description"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture
def unlimited_client(loaded_services: Services) -> Iterator[TestClient]:
    settings = loaded_services.settings.model_copy(update={"rate_limit_per_minute": 0})
    with TestClient(create_app(settings, loaded_services), raise_server_exceptions=False) as test_client:
        yield test_client


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON_VALUES, path=st.sampled_from(["/v1/chat", "/v1/chat/stream", "/v1/match", "/v1/records"]))
def test_no_json_body_ever_causes_a_server_error(unlimited_client: TestClient, body: object, path: str) -> None:
    response = unlimited_client.post(path, json=body, headers={"Authorization": "Bearer staff-key"})

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message"}
