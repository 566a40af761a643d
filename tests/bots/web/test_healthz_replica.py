"""/healthz of a node over shared stores: a warming node answers 503 so that a load balancer sends it nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from bots.web.app import create_app

WARMING = {"state": "warming", "generation": 0, "shared_generation": 12, "seconds_since_sync": None,
           "progress": {"phase": "records", "done": 2000, "total": 4197}}
STALE = {"state": "stale", "generation": 12, "shared_generation": 12, "seconds_since_sync": 31.0,
         "error": "record database unavailable: OperationalError"}


def _health(services: Services, replica: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[int, Any]:
    monkeypatch.setattr(services.records, "replication", lambda: replica)
    with TestClient(create_app(services.settings, services)) as client:
        response = client.get("/healthz")
    return response.status_code, response.json()


def test_a_warming_node_answers_503_with_its_progress(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    status, body = _health(services, WARMING, monkeypatch)

    assert status == 503
    assert body["status"] == "warming" and body["replica"]["progress"] == WARMING["progress"]


def test_a_node_cut_off_from_the_database_is_healthy_but_says_it_is_stale(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    status, body = _health(services, STALE, monkeypatch)

    assert status == 200
    assert body["status"] == "ok" and body["replica"]["state"] == "stale"
