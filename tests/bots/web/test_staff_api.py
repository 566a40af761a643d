"""HTTP API of the triage queue: public intake, staff endpoints behind the key, web session replies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.services import build_services
from bots.web.app import create_app
from tests.support.settings import make_settings

KEY = "staff-key-for-tests"
STAFF = {"Authorization": f"Bearer {KEY}"}
PT = {"message": "Procuramos um parceiro na China para desenvolver baterias de sódio.", "contact": "joao@example.com"}


def client_for(tmp_path: Path, **overrides: object) -> Iterator[TestClient]:
    settings = make_settings(tmp_path / "data", staff_api_keys=KEY, **overrides)
    services = build_services(settings)
    try:
        with TestClient(create_app(settings, services)) as client:
            yield client
    finally:
        services.close()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from client_for(tmp_path)


def test_public_post_returns_201_classified_and_routed(client: TestClient) -> None:
    response = client.post("/v1/inquiries", json=PT)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "new" and body["merged"] is False
    assert body["classification"]["language"] == "pt"
    assert body["classification"]["intent"] == "partner_search"
    assert set(body["classification"]) == {"intent", "field", "language", "urgency", "confidence"}
    assert body["routed_to"]["queue"] and "contact" not in body


def test_repeated_post_is_merged_with_200(client: TestClient) -> None:
    first = client.post("/v1/inquiries", json=PT).json()
    again = client.post("/v1/inquiries", json=PT)
    assert again.status_code == 200 and again.json()["id"] == first["id"] and again.json()["merged"] is True


@pytest.mark.parametrize("body", [{}, {"message": ""}, {"message": " \r\n"}, {"message": "\x00"},
                                  {"message": "x" * 10_001}, {"message": "hi", "record_ids": "a"},
                                  {"message": "hi", "channel": "telegram"}])
def test_invalid_post_is_422_with_error_shape(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/v1/inquiries", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_staff_endpoints_need_a_bearer_key(client: TestClient) -> None:
    assert client.get("/v1/inquiries").status_code == 401
    assert client.get("/v1/inquiries", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.patch("/v1/inquiries/x", json={"status": "closed"}).status_code == 401
    assert client.get("/v1/inquiries/x", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/v1/inquiries", headers=STAFF).status_code == 200


def test_portuguese_inquiry_appears_in_the_staff_queue_with_filters(client: TestClient) -> None:
    created = client.post("/v1/inquiries", json=PT).json()
    client.post("/v1/inquiries", json={"message": "How do I reset my password? The login page shows an error."})

    queue = client.get("/v1/inquiries", params={"status": "new", "language": "pt"}, headers=STAFF).json()
    assert [i["id"] for i in queue["inquiries"]] == [created["id"]]
    item = queue["inquiries"][0]
    assert item["classification"]["intent"] == "partner_search" and item["routed_to"]["reason"]
    assert item["contact"] == "joao@example.com"
    support = client.get("/v1/inquiries", params={"intent": "support"}, headers=STAFF).json()["inquiries"]
    assert len(support) == 1 and support[0]["routed_to"]["queue"] == "kunming-helpdesk"
    assert client.get("/v1/inquiries", params={"status": "bogus"}, headers=STAFF).status_code == 422


def test_detail_has_audit_trail_and_unknown_id_is_404(client: TestClient) -> None:
    created = client.post("/v1/inquiries", json=PT).json()
    detail = client.get(f"/v1/inquiries/{created['id']}", headers=STAFF).json()
    assert [e["type"] for e in detail["events"]] == ["created", "classified", "routed"]
    assert detail["related_records"] == [] and detail["deliveries"] == []
    missing = client.get("/v1/inquiries/does-not-exist", headers=STAFF)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_patch_reply_queues_a_delivery_and_records_who_did_it(client: TestClient) -> None:
    created = client.post("/v1/inquiries", json={**PT, "session_id": "web-sess-1"}).json()
    response = client.patch(f"/v1/inquiries/{created['id']}", headers=STAFF,
                            json={"assignee": "li.wei", "reply": "Olá João, temos dois parceiros para apresentar."})
    assert response.status_code == 200
    detail = response.json()
    assert detail["status"] == "answered" and detail["assignee"] == "li.wei"
    assert detail["deliveries"][0]["channel"] == "web" and detail["deliveries"][0]["delivered_at"] is None
    reply_event = next(e for e in detail["events"] if e["type"] == "reply")
    assert reply_event["actor"].startswith("staff:") and KEY not in reply_event["actor"]

    replies = client.get("/v1/sessions/web-sess-1/replies").json()["replies"]
    assert [r["text"] for r in replies] == ["Olá João, temos dois parceiros para apresentar."]
    after = client.get(f"/v1/inquiries/{created['id']}", headers=STAFF).json()
    assert after["deliveries"][0]["delivered_at"] is not None


@pytest.mark.parametrize("body", [{}, {"status": "done"}, {"reply": ""}, {"reply": "\r"}, {"reply": " \x00 "},
                                  {"unknown": 1}])
def test_bad_patch_is_422(client: TestClient, body: dict[str, object]) -> None:
    created = client.post("/v1/inquiries", json=PT).json()
    response = client.patch(f"/v1/inquiries/{created['id']}", json=body, headers=STAFF)
    assert response.status_code == 422 and response.json()["error"]["code"] in ("validation_error", "invalid_input")


def test_the_published_schema_says_a_blank_message_or_reply_is_invalid(client: TestClient) -> None:
    # a blank text is refused: the spec says so, so a schema-valid request is never refused (schemathesis found
    # {"reply": "\r"} answered 422 "reply is empty" while the spec allowed it)
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["InquiryIn"]["properties"]["message"]["pattern"]
    assert any(option.get("pattern") for option in schemas["InquiryPatch"]["properties"]["reply"]["anyOf"])


def test_public_post_is_rate_limited_with_retry_after(tmp_path: Path) -> None:
    for client in client_for(tmp_path, rate_limit_per_minute=2):
        assert client.post("/v1/inquiries", json={"message": "first question about solar"}).status_code == 201
        assert client.post("/v1/inquiries", json={"message": "second question about rail"}).status_code == 201
        limited = client.post("/v1/inquiries", json={"message": "third question about drones"})
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limited"


def test_staff_page_and_assets_are_served(client: TestClient) -> None:
    page = client.get("/staff")
    assert page.status_code == 200 and "TTC staff triage" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/staff/staff.js").status_code == 200
    assert client.get("/staff/staff.css").status_code == 200
    assert client.get("/staff/other.js").status_code == 422
