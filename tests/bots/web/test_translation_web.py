"""Translations through the HTTP API, on a real server (uvicorn on 127.0.0.1) with a fake LibreTranslate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.services import Services, build_services
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.paths import RECORDS
from tests.support.responses import parse_sse
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow  # a live uvicorn server

SOLAR = "Who offers solar photovoltaic module technology?"
CHINESE_ID = "csl-cb877a842d09"


@pytest.fixture
def fake() -> Iterator[FakeLibreTranslate]:
    server = FakeLibreTranslate().start()
    yield server
    server.stop()


@pytest.fixture
def web(tmp_path: Path, fake: FakeLibreTranslate) -> Iterator[tuple[httpx.Client, Services]]:
    settings = make_settings(tmp_path / "data", rate_limit_per_minute=0, translator="libretranslate",
                             translate_url=fake.url)
    services = build_services(settings)
    ingest_paths(services.index, [RECORDS])
    with live_server(create_app(settings, services)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client, services
    services.close()


def test_chat_citations_carry_translations_and_keep_their_originals(web: tuple[httpx.Client, Services]) -> None:
    client, _ = web

    body = client.post("/v1/chat", json={"message": SOLAR, "language": "ru"}).json()

    foreign = [c for c in body["citations"] if c["language"] != "ru"]
    assert foreign and all(c["translation"]["language"] == "ru" for c in foreign)
    assert all(c["translation"]["title"] == f"[ru] {c['title']}" for c in foreign)
    assert all(c["translation"]["snippet"] == f"[ru] {c['snippet']}" for c in foreign)
    assert f"{foreign[0]['translation']['title']} ({foreign[0]['title']})" in body["answer"]


def test_stream_citations_and_done_carry_translations(web: tuple[httpx.Client, Services]) -> None:
    client, _ = web

    with client.stream("POST", "/v1/chat/stream", json={"message": SOLAR, "language": "zh"}) as response:
        events = dict(parse_sse("".join(response.iter_text())))

    assert all(c["translation"]["title"].startswith("[zh] ") for c in events["citations"] if c["language"] == "en")
    assert events["done"]["citations"] == events["citations"]


def test_english_reader_sees_no_translation_of_english_records(web: tuple[httpx.Client, Services]) -> None:
    client, _ = web

    body = client.post("/v1/chat", json={"message": SOLAR, "language": "en"}).json()

    assert body["citations"]
    assert all(c["translation"] is None for c in body["citations"] if c["language"] == "en")


def test_record_with_lang_translates_title_and_description(web: tuple[httpx.Client, Services]) -> None:
    client, services = web
    record = services.index.get(CHINESE_ID)
    assert record is not None

    body = client.get(f"/v1/records/{CHINESE_ID}", params={"lang": "ru"}).json()
    plain = client.get(f"/v1/records/{CHINESE_ID}").json()

    assert body["title"] == record.title and body["description"] == record.description
    assert body["translation"] == {"language": "ru", "title": f"[ru] [en] {record.title}",
                                   "description": f"[ru] [en] {record.description}", "provider": "libretranslate"}
    assert "translation" not in plain


def test_record_in_the_readers_language_has_no_translation(web: tuple[httpx.Client, Services]) -> None:
    client, _ = web

    assert client.get(f"/v1/records/{CHINESE_ID}", params={"lang": "zh"}).json()["translation"] is None


def test_an_unknown_reader_language_is_a_clear_422(web: tuple[httpx.Client, Services]) -> None:
    client, _ = web

    response = client.get(f"/v1/records/{CHINESE_ID}", params={"lang": "xx"})

    assert response.status_code == 422 and response.json()["error"]["code"]


def test_search_with_lang_translates_results(web: tuple[httpx.Client, Services]) -> None:
    client, _ = web

    results = client.get("/v1/search", params={"q": "solar photovoltaic", "lang": "es"}).json()["results"]

    assert results and all(r["translation"]["title"] == f"[es] {r['title']}" for r in results
                           if not r["id"].startswith("csl-"))


def test_metrics_count_translations_cache_hits_and_failures(
        web: tuple[httpx.Client, Services], fake: FakeLibreTranslate) -> None:
    client, _ = web
    client.post("/v1/chat", json={"message": SOLAR, "language": "ru"})
    client.post("/v1/chat", json={"message": SOLAR, "language": "ru"})
    fake.status = 503
    client.get(f"/v1/records/{CHINESE_ID}", params={"lang": "fr"})

    metrics = client.get("/metrics").text

    assert 'ttc_translated_texts_total{source="translator"}' in metrics
    assert 'ttc_translated_texts_total{source="cache"}' in metrics
    assert 'ttc_translation_failures_total{reason="http_503"} 1.0' in metrics
