"""The inquiry database locked by another connection (a real SQLite exclusive lock, held by another connection).

A short lock is waited out (busy timeout) and the inquiry is stored; a lock longer than the busy timeout is a clear
503 with Retry-After, nothing half-written, and the client's retry stores the inquiry exactly once.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from tests.support.responses import assert_error
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow

STAFF = {"Authorization": "Bearer staff-key"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", staff_api_keys="staff-key", rate_limit_per_minute=0)


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services), raise_server_exceptions=False) as test_client:
        yield test_client


@contextmanager
def exclusive_lock(database: Path, seconds: float) -> Iterator[None]:
    """Another connection holds an exclusive write lock on `database` for `seconds`, then commits."""
    connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN EXCLUSIVE")
    timer = threading.Timer(seconds, connection.commit)
    timer.start()
    try:
        yield
    finally:
        timer.join()
        connection.close()


def _queue(client: TestClient) -> list[dict[str, object]]:
    return client.get("/v1/inquiries", headers=STAFF).json()["inquiries"]  # type: ignore[no-any-return]


def test_a_short_lock_is_waited_out_and_the_inquiry_stored(client: TestClient, services: Services) -> None:
    database = services.settings.data_dir / "ttc.sqlite"
    with exclusive_lock(database, 1.0):
        start = time.monotonic()
        response = client.post("/v1/inquiries", json={"message": "We look for a partner in solar cells."})
        waited = time.monotonic() - start

    assert response.status_code == 201, response.text
    assert waited >= 0.9
    assert [i["id"] for i in _queue(client)] == [response.json()["id"]]


def test_a_long_lock_is_a_clear_503_and_the_retry_stores_it_once(client: TestClient, services: Services) -> None:
    database = services.settings.data_dir / "ttc.sqlite"
    body = {"message": "Licensing request for the drone inspection patent.", "contact": "ops@example.org"}
    with exclusive_lock(database, 11.0):  # longer than the 10 s busy timeout
        refused = client.post("/v1/inquiries", json=body)

    retried = client.post("/v1/inquiries", json=body)

    assert_error(refused, 503, "unavailable")
    assert "database is locked" in refused.json()["error"]["message"]
    assert int(refused.headers["retry-after"]) >= 1
    assert retried.status_code == 201 and retried.json()["merged"] is False
    assert [i["id"] for i in _queue(client)] == [retried.json()["id"]]
