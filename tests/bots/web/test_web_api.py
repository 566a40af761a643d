"""The HTTP API over the real app, real SQLite and real Chroma: the happy paths of docs/contract.md's HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from retrieval.catalog import countries_in
from retrieval.record import Record
from tests.support.settings import make_settings

STAFF = {"Authorization": "Bearer staff-key-1"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", staff_api_keys="staff-key-1,staff-key-2", rate_limit_per_minute=0)


@pytest.fixture
def client(loaded_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_services.settings, loaded_services)) as test_client:
        yield test_client


def test_healthz_reports_the_record_count(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "records": 110, "pending_vectors": 0}


def test_healthz_and_metrics_show_records_waiting_for_their_vectors(services: Services) -> None:
    records = [Record(id=f"p{n}", kind="achievement", title=f"Pending record {n}", description="Lexical only.")
               for n in range(3)]
    changed, *_ = services.index.classify(records)
    services.index.write(changed)  # as `ttc ingest --no-embed`: searchable lexically, vectors to come

    with TestClient(create_app(services.settings, services)) as test_client:
        health = test_client.get("/healthz").json()
        metrics = test_client.get("/metrics").text

    assert health == {"status": "ok", "records": 3, "pending_vectors": 3}
    assert "ttc_pending_vectors 3.0" in metrics


def test_chat_answers_with_citations_partners_and_a_session(client: TestClient) -> None:
    response = client.post("/v1/chat", json={"message": "Who offers drone technology for remote areas?"})

    assert response.status_code == 200
    body = response.json()
    assert body["answer"].strip()
    assert body["language"] == "en"
    assert body["citations"], "a grounded answer cites records"
    assert set(body["citations"][0]) >= {"id", "title", "kind", "organization", "country", "field", "snippet"}
    assert isinstance(body["partners"], list)
    assert body["session_id"]


def test_chat_keeps_the_session_and_honours_the_requested_language(client: TestClient) -> None:
    first = client.post("/v1/chat", json={"message": "composite materials for wind turbines"}).json()

    second = client.post("/v1/chat", json={"message": "and in China?", "session_id": first["session_id"],
                                           "language": "zh"})

    assert second.status_code == 200
    assert second.json()["session_id"] == first["session_id"]
    assert second.json()["language"] == "zh"


def test_search_filters_by_kind_field_and_country(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "drone", "kind": "achievement", "country": "it", "k": 5})

    assert response.status_code == 200
    results = response.json()["results"]
    assert results
    assert all(r["kind"] == "achievement" and r["country"] == "IT" for r in results)
    assert set(results[0]) == {"id", "kind", "title", "organization", "country", "field", "score", "snippet"}


@pytest.mark.parametrize("region", ["150", "eu"])
def test_search_and_chat_filter_by_a_region(client: TestClient, region: str) -> None:
    results = client.get("/v1/search", params={"q": "energy", "country": region, "k": 20}).json()["results"]
    chat = client.post("/v1/chat", json={"message": "energy", "filters": {"country": region}}).json()

    assert results and all(r["country"] in countries_in(region.upper()) for r in results)
    assert len({r["country"] for r in results}) > 1
    assert all(c["country"] in countries_in(region.upper()) for c in chat["citations"])


def test_search_by_field_returns_only_that_field(client: TestClient) -> None:
    results = client.get("/v1/search", params={"q": "materials", "field": "composites"}).json()["results"]

    assert results
    assert {r["field"] for r in results} == {"composites"}


def test_match_by_text_returns_counterparts(client: TestClient) -> None:
    response = client.post("/v1/match", json={"text": "we need drones to monitor crops", "kind": "demand", "k": 3})

    assert response.status_code == 200
    matches = response.json()["matches"]
    assert 0 < len(matches) <= 3
    assert all(m["kind"] == "achievement" for m in matches)
    assert set(matches[0]) == {"id", "kind", "title", "organization", "score", "reasons"}


def test_match_by_record_id_returns_the_other_kind(client: TestClient, sample_records: list[dict[str, object]]) -> None:
    demand = next(r for r in sample_records if r["kind"] == "demand")

    response = client.post("/v1/match", json={"record_id": demand["id"], "k": 5})

    assert response.status_code == 200
    assert all(m["kind"] == "achievement" for m in response.json()["matches"])


def test_get_record_returns_every_field(client: TestClient, sample_records: list[dict[str, object]]) -> None:
    wanted = sample_records[0]

    response = client.get(f"/v1/records/{wanted['id']}")

    assert response.status_code == 200
    assert response.json()["id"] == wanted["id"]
    assert response.json()["title"] == wanted["title"]


def test_staff_post_records_adds_valid_rows_and_reports_bad_ones(client: TestClient) -> None:
    rows = [
        {"id": "web-1", "kind": "demand", "title": "Hydrogen storage tanks", "description": "We need type IV tanks.",
         "country": "br", "trl": 5},
        "not an object",
        {"id": "web-2", "kind": "achievement", "title": "", "description": "empty title"},
        {"id": "web-3", "kind": "achievement", "title": "Bad TRL", "description": "x", "trl": 12},
    ]

    response = client.post("/v1/records", json=rows, headers=STAFF)

    assert response.status_code == 200
    report = response.json()
    assert (report["added"], report["rejected"]) == (1, 3)
    assert [e["index"] for e in report["errors"]] == [1, 2, 3]
    assert "trl" in report["errors"][2]["error"]
    assert client.get("/v1/records/web-1").json()["country"] == "BR"
    assert client.get("/healthz").json()["records"] == 111


def test_the_published_schema_of_posted_records_admits_the_rows_the_endpoint_reports(client: TestClient) -> None:
    # the endpoint reports an item that is not an object as one bad row (200, above), so the spec may not forbid it:
    # a client generating requests from the spec would otherwise expect such a batch refused as a whole
    body = client.get("/openapi.json").json()["paths"]["/v1/records"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]

    assert schema["type"] == "array" and schema["minItems"] == 1
    assert "type" not in schema.get("items", {})


def test_staff_post_records_updates_and_skips_unchanged(client: TestClient) -> None:
    row = {"id": "web-9", "kind": "demand", "title": "Cold chain sensors", "description": "Low-cost loggers."}
    client.post("/v1/records", json=[row], headers=STAFF)

    again = client.post("/v1/records", json=[row], headers=STAFF).json()
    changed = client.post("/v1/records", json=[{**row, "title": "Cold-chain sensors"}], headers=STAFF).json()

    assert again["unchanged"] == 1
    assert changed["updated"] == 1


def test_staff_post_records_strict_writes_nothing_when_a_row_is_bad(client: TestClient) -> None:
    rows = [{"id": "web-4", "kind": "demand", "title": "ok", "description": "ok"}, {"id": "web-5"}]

    response = client.post("/v1/records", params={"strict": "true"}, json=rows, headers=STAFF)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_record"
    assert response.json()["error"]["errors"][0]["index"] == 1
    assert client.get("/v1/records/web-4").status_code == 404


def test_staff_post_records_kind_fills_rows_without_one(client: TestClient) -> None:
    rows = [{"id": "web-6", "title": "Solar dryers", "description": "For fruit."}]

    report = client.post("/v1/records", params={"kind": "achievement"}, json=rows, headers=STAFF).json()

    assert report["added"] == 1
    assert client.get("/v1/records/web-6").json()["kind"] == "achievement"


def test_staff_delete_removes_a_record_from_search_and_fetch(client: TestClient,
                                                            sample_records: list[dict[str, object]]) -> None:
    victim = str(sample_records[3]["id"])

    response = client.delete(f"/v1/records/{victim}", headers={"Authorization": "Bearer staff-key-2"})

    assert response.status_code == 204
    assert client.get(f"/v1/records/{victim}").status_code == 404
    hits = client.get("/v1/search", params={"q": str(sample_records[3]["title"]), "k": 20}).json()["results"]
    assert victim not in {h["id"] for h in hits}


def test_config_lists_languages_fields_countries_and_features(client: TestClient) -> None:
    config = client.get("/v1/config").json()

    assert len(config["languages"]) == 17
    assert {"code": "ar", "name": "العربية", "rtl": True} in config["languages"]
    assert "composites" in config["fields"]
    assert config["kinds"] == ["achievement", "demand"]
    assert "CN" in config["countries"] and all(len(c) == 2 for c in config["countries"])
    assert config["features"]["inquiries"] is True
    assert config["limits"]["body_bytes"] == 65536


def test_metrics_count_requests_by_route_and_status_and_report_records(client: TestClient) -> None:
    client.get("/v1/search", params={"q": "solar"})
    client.get("/v1/records/no-such-id")

    text = client.get("/metrics").text

    assert 'ttc_http_requests_total{method="GET",route="/v1/search",status="200"} 1.0' in text
    assert 'ttc_http_requests_total{method="GET",route="/v1/records/{record_id}",status="404"} 1.0' in text
    assert 'ttc_http_request_duration_seconds_bucket{le="0.5",method="GET",route="/v1/search"}' in text
    assert "ttc_records 110.0" in text


def test_openapi_documents_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    for path in ("/v1/chat", "/v1/chat/stream", "/v1/search", "/v1/match", "/v1/records", "/v1/records/{record_id}",
                 "/healthz", "/metrics", "/v1/config"):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_page_and_its_assets_are_served_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/i18n.js", "/static/style.css", "/static/icon.svg"):
        assert client.get(asset).status_code == 200, asset


def test_docs_page_serves_swagger_ui_from_the_app_itself(client: TestClient) -> None:
    page = client.get("/docs")

    assert page.status_code == 200
    assert "/openapi.json" in page.text
    assert "cdn" not in page.text.lower()
    asset = client.get("/docs-assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


def test_chat_in_a_language_the_records_do_not_share_words_with_searches_the_glossary_english(
        client: TestClient) -> None:
    response = client.post("/v1/chat", json={"message": "Adakah teknologi ramalan jangka hayat modul fotovoltaik?"})

    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "ms"
    assert "photovoltaic" in body["metadata"]["intent"]["glossed"]
    solar = [c for c in body["citations"] if c["id"] == "cordis-h2020-721452"]  # SOLAR-TRAIN
    assert solar, [c["id"] for c in body["citations"]]
    assert "Photovoltaic" in solar[0]["why"]  # the concept it shares with the need, found through the gloss
