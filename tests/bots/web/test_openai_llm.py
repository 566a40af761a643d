"""The OpenAI-compatible API when a language model writes the answer (a fake OpenAI-compatible model over HTTP)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from assistant.locale.texts import localize
from assistant.services import Services, build_services
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.fake_llm import FakeModel, model_handler
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow

SOLAR = "Who offers solar photovoltaic module technology?"


@pytest.fixture
def model() -> Iterator[tuple[FakeModel, str]]:
    fake = FakeModel()
    server = ThreadingHTTPServer(("127.0.0.1", 0), model_handler(fake))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(model: tuple[FakeModel, str], tmp_path: Path) -> Iterator[openai.OpenAI]:
    settings = make_settings(tmp_path / "data", rate_limit_per_minute=0, llm_base_url=model[1], llm_model="fake",
                             llm_api_key="sk-fake", llm_timeout_seconds=3)
    services: Services = build_services(settings)
    ingest_paths(services.index, [RECORDS])
    try:
        with live_server(create_app(settings, services)) as url:
            yield openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0)
    finally:
        services.close()


def first_record(request: dict[str, Any]) -> str:
    return re.findall(r'<record id="([^"]+)"', request["messages"][-1]["content"])[0]


def test_a_streamed_model_answer_is_annotated_where_the_model_cites(client: openai.OpenAI,
                                                                    model: tuple[FakeModel, str]) -> None:
    fake, _ = model
    fake.reply = lambda r: f"Module durability is studied by SOLAR-TRAIN [{first_record(r)}]. Ask for more."

    chunks = list(client.chat.completions.create(model="ttc-assistant", stream=True,
                                                 messages=[{"role": "user", "content": SOLAR}]))

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    notes = [n["url_citation"] for c in chunks if c.choices
             for n in (c.choices[0].delta.model_extra or {}).get("annotations", [])]
    cited = first_record(fake.requests[-1])
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 3
    assert [n["url"].split("/records/")[1].split("?")[0] for n in notes] == [cited]
    span = text[notes[0]["start_index"]:notes[0]["end_index"]]
    assert span == f"Module durability is studied by SOLAR-TRAIN [{cited}]"


def test_a_failing_model_falls_back_and_annotations_index_the_text_the_client_received(
        client: openai.OpenAI, model: tuple[FakeModel, str]) -> None:
    fake, _ = model
    fake.status = 503

    chunks = list(client.chat.completions.create(model="ttc-assistant", stream=True,
                                                 messages=[{"role": "user", "content": SOLAR}]))

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    notes = [n["url_citation"] for c in chunks if c.choices
             for n in (c.choices[0].delta.model_extra or {}).get("annotations", [])]
    assert text.lstrip().startswith(localize("llm_fallback", "en"))
    assert notes and all(text[n["start_index"]:n["end_index"]].startswith(n["title"]) for n in notes)


def test_the_models_judgement_reaches_the_chat_api_and_the_stream(client: openai.OpenAI,
                                                                  model: tuple[FakeModel, str]) -> None:
    fake, _ = model
    solar = "cordis-h2020-721452"

    def reply(request: dict[str, Any]) -> str:
        content = request["messages"][-1]["content"]
        ids = re.findall(r'<record id="([^"]+)"', content)
        if "<records>" in content and "<request>" in content:  # the judgement (prompts/judge.txt)
            return json.dumps({"records": [{"id": i, "fit": 2 if i == solar else 0,
                                            "reason": "Forecasts module lifetime." if i == solar else ""}
                                           for i in ids]})
        if "<request>" in content:  # the rewrite
            return '{"query": "solar photovoltaic module technology"}'
        return f"SOLAR-TRAIN [{ids[0]}]." if ids else "Nothing."
    fake.reply = reply
    base = str(client.base_url).rstrip("/")

    body = httpx.post(f"{base}/chat", json={"message": SOLAR, "language": "en"}, timeout=30).json()
    assert [c["id"] for c in body["citations"]] == [solar]
    assert body["citations"][0]["why"] == "Forecasts module lifetime."
    assert body["metadata"]["rerank"]["answers"] == 1 and body["metadata"]["match"] == "strong"

    with httpx.stream("POST", f"{base}/chat/stream", json={"message": SOLAR, "language": "en"}, timeout=30) as events:
        text = "".join(events.iter_text())
    assert '"why": "Forecasts module lifetime."' in text or '"why":"Forecasts module lifetime."' in text
