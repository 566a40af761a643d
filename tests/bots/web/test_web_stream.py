"""POST /v1/chat/stream: server-sent events, retrieval first, then the streamed answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from tests.support.responses import parse_sse
from tests.support.settings import make_settings
from tests.support.web import live_server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", rate_limit_per_minute=0)


@pytest.fixture
def client(loaded_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_services.settings, loaded_services)) as test_client:
        yield test_client


def stream(client: TestClient, body: dict[str, Any]) -> tuple[Any, list[tuple[str, Any]]]:
    with client.stream("POST", "/v1/chat/stream", json=body) as response:
        text = "".join(response.iter_text())
    return response, parse_sse(text)


def test_stream_sends_citations_then_partners_then_deltas_then_done(client: TestClient) -> None:
    response, events = stream(client, {"message": "Who offers drone technology for remote areas?"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    names = [name for name, _ in events]
    assert names[:2] == ["citations", "partners"]
    assert names[-1] == "done"
    assert set(names[2:-1]) == {"delta"}
    assert len(names) > 4, "the answer arrives in several pieces"


def test_stream_deltas_add_up_to_the_final_answer(client: TestClient) -> None:
    _, events = stream(client, {"message": "recycled carbon fibre composites"})

    text = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert text.strip()
    assert done["answer"].strip() == text.strip()


def test_stream_citations_are_the_records_the_done_answer_cites(client: TestClient) -> None:
    _, events = stream(client, {"message": "soil monitoring with artificial intelligence"})

    citations = events[0][1]
    done = events[-1][1]
    assert citations and {"id", "title", "kind", "country", "field"} <= set(citations[0])
    assert [c["id"] for c in done["citations"]] == [c["id"] for c in citations]
    assert set(done) >= {"answer", "language", "citations", "partners", "session_id"}


def test_stream_answers_in_the_requested_language(client: TestClient) -> None:
    _, events = stream(client, {"message": "drones", "language": "ru"})

    assert events[-1][1]["language"] == "ru"


def test_stream_rejects_bad_input_before_streaming(client: TestClient) -> None:
    response = client.post("/v1/chat/stream", json={"message": ""})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.slow
def test_stream_over_real_http_arrives_incrementally(loaded_services: Services) -> None:
    app = create_app(loaded_services.settings, loaded_services)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        chunks = []
        with http.stream("POST", "/v1/chat/stream", json={"message": "railway equipment"}) as response:
            for chunk in response.iter_text():
                chunks.append(chunk)

    events = parse_sse("".join(chunks))
    assert response.status_code == 200
    assert events[0][0] == "citations" and events[-1][0] == "done"
    assert len(chunks) > 1
