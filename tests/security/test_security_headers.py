"""Every HTML page is served with the one definition of the page security headers (bots/web/headers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.services import build_services
from bots.web.app import create_app
from bots.web.headers import page_headers
from tests.support.settings import make_settings

SCRIPTED = {"default-src 'self'", "script-src 'self'", "connect-src 'self'", "object-src 'none'",
            "style-src 'self'", "img-src 'self' data:", "base-uri 'none'", "frame-ancestors 'none'",
            "form-action 'self'"}
SCRIPTLESS = {"default-src 'none'", "style-src 'self'", "img-src 'self' data:", "base-uri 'none'",
              "frame-ancestors 'none'", "form-action 'self'"}


def _directives(policy: str) -> set[str]:
    return {directive.strip() for directive in policy.split(";")}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path / "data", staff_api_keys="headers-test-key")
    services = build_services(settings)
    try:
        with TestClient(create_app(settings, services)) as client:
            yield client
    finally:
        services.close()


@pytest.mark.parametrize(("path", "status", "policy", "referrer", "cache"), [
    ("/", 200, SCRIPTED, "same-origin", "no-cache"),
    ("/staff", 200, SCRIPTED, "no-referrer", "no-store"),
    ("/records/no-such-record", 404, SCRIPTLESS, "same-origin", "no-cache"),
])
def test_each_page_gets_its_policy(client: TestClient, path: str, status: int, policy: set[str], referrer: str,
                                   cache: str) -> None:
    response = client.get(path)

    assert response.status_code == status
    assert _directives(response.headers["content-security-policy"]) == policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == referrer
    assert response.headers["cache-control"] == cache


def test_a_page_without_script_allows_none() -> None:
    policy = _directives(page_headers(script=False)["Content-Security-Policy"])

    assert "default-src 'none'" in policy
    assert not any(d.startswith(("script-src", "connect-src")) for d in policy)


def test_pages_differ_only_where_asked() -> None:
    shared, private = page_headers(), page_headers(private=True)

    assert shared["Content-Security-Policy"] == private["Content-Security-Policy"]
    assert {k for k in shared if shared[k] != private[k]} == {"Referrer-Policy", "Cache-Control"}
