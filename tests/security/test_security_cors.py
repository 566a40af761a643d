"""CORS is closed by default: a page on another origin can neither read responses nor pass a preflight."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from bots.web.app import create_app

FOREIGN = "https://evil.example"


@pytest.fixture
def client(loaded_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_services.settings, loaded_services)) as test_client:
        yield test_client


def _cors_headers(headers: object) -> list[str]:
    return [name for name in headers if str(name).lower().startswith("access-control-")]  # type: ignore[attr-defined]


def test_no_cors_headers_for_a_foreign_origin(client: TestClient) -> None:
    origin = {"Origin": FOREIGN}
    responses = [client.get("/v1/search", params={"q": "solar"}, headers=origin),
                 client.post("/v1/chat", json={"message": "solar"}, headers=origin),
                 client.get("/v1/inquiries", headers={**origin, "Authorization": "Bearer x"}),
                 client.get("/v1/config", headers=origin)]

    assert [_cors_headers(r.headers) for r in responses] == [[], [], [], []]


def test_a_preflight_from_a_foreign_origin_is_not_granted(client: TestClient) -> None:
    response = client.options("/v1/chat", headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type, authorization"})

    assert response.status_code == 405
    assert _cors_headers(response.headers) == []
