"""Chat filters (kind, field, country) narrow what an answer may cite, in the assistant and over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from retrieval.catalog import Filters
from tests.support.settings import make_settings

QUESTION = "Which organizations work on satellites, solar power or drones?"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", rate_limit_per_minute=0)


@pytest.fixture
def client(loaded_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_services.settings, loaded_services)) as test_client:
        yield test_client


def test_answer_cites_only_records_that_pass_the_filters(loaded_services: Services) -> None:
    unfiltered = loaded_services.assistant.answer(QUESTION)
    filtered = loaded_services.assistant.answer(QUESTION, filters=Filters(kind="demand", country="US"))

    assert any(c.kind != "demand" for c in unfiltered.citations)
    assert filtered.citations
    assert all(c.kind == "demand" and c.country == "US" for c in filtered.citations)


def test_stream_applies_the_filters_before_the_citations_event(loaded_services: Services) -> None:
    question = "satellite space situational awareness sensors"
    events = dict(loaded_services.assistant.stream(question, filters=Filters(field="aerospace")))

    assert events["citations"]
    assert all(c["field"] == "aerospace" for c in events["citations"])


def test_http_chat_accepts_filters(client: TestClient) -> None:
    question = "农业 土壤 作物 研究"
    response = client.post("/v1/chat", json={"message": question, "filters": {"kind": "achievement", "country": "cn"}})

    assert response.status_code == 200
    citations = response.json()["citations"]
    assert citations and all(c["kind"] == "achievement" and c["country"] == "CN" for c in citations)


@pytest.mark.parametrize("filters", [{"kind": "offer"}, {"field": "cooking"}, {"country": "Brazil"}, {"x": 1}])
def test_http_chat_refuses_bad_filters_with_422(client: TestClient, filters: dict[str, object]) -> None:
    response = client.post("/v1/chat", json={"message": QUESTION, "filters": filters})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"

