"""Answer feedback and staff insights over real HTTP: answer ids, ratings, the insights document, the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.services import build_services
from assistant.settings import Settings
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow  # a live uvicorn server

KEY = "staff-key-for-insights"
STAFF = {"Authorization": f"Bearer {KEY}"}
ON_TOPIC = [("Which technologies are offered for solar cells?", "en"),
            ("Какие есть технологии для аккумуляторов?", "ru"),
            ("哪些机构提供无人机技术？", "zh")]
OFF_TOPIC = [("Cuéntame un chiste, por favor", "es"), ("Raconte-moi une blague sur les chats", "fr")]


def _settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", staff_api_keys=KEY, rate_limit_per_minute=0)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("insights")
    services = build_services(_settings(root))
    ingest_paths(services.index, [RECORDS])
    services.close()
    return root


@pytest.fixture
def base(data_dir: Path, tmp_path: Path) -> Iterator[str]:
    """A live server over a copy of the indexed data dir (each test starts with no questions)."""
    import shutil

    shutil.copytree(data_dir / "data", tmp_path / "data")
    settings = _settings(tmp_path)
    with live_server(create_app(settings)) as url:
        yield url


def _ask(client: httpx.Client, question: str, language: str) -> dict[str, object]:
    response = client.post("/v1/chat", json={"message": question, "language": language})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def test_every_answer_has_a_distinct_answer_id(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        ids = [_ask(client, q, lang)["answer_id"] for q, lang in ON_TOPIC]
    assert all(isinstance(i, str) and len(i) == 32 for i in ids) and len(set(ids)) == 3


def test_stream_done_event_carries_the_answer_id_and_it_can_be_rated(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        with client.stream("POST", "/v1/chat/stream", json={"message": ON_TOPIC[0][0]}) as response:
            text = "".join(response.iter_text())
        done = text.split("event: done", 1)[1]
        answer_id = done.split('"answer_id": "', 1)[1][:32]
        rated = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "up"})
    assert rated.status_code == 201 and rated.json()["rating"] == "up"


def test_feedback_statuses(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        answer_id = _ask(client, *ON_TOPIC[0])["answer_id"]
        assert client.post("/v1/feedback", json={"answer_id": "0" * 32, "rating": "up"}).status_code == 404
        assert client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "meh"}).status_code == 422
        too_long = {"answer_id": answer_id, "rating": "down", "comment": "x" * 2001}
        assert client.post("/v1/feedback", json=too_long).status_code == 422
        assert client.post("/v1/feedback", json={"rating": "up"}).status_code == 422
        response = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "old"})
        assert response.status_code == 201
        assert response.json() == {"answer_id": answer_id, "rating": "down", "comment": "old"}


def test_latest_rating_wins(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        answer_id = _ask(client, *ON_TOPIC[0])["answer_id"]
        client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "missing"})
        client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "up"})
        summary = client.get("/v1/insights", headers=STAFF).json()
    assert summary["feedback"] == {"up": 1, "down": 0} and summary["down_rated"] == []


def test_insights_need_the_staff_key(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in ("/v1/insights", "/v1/insights/questions.csv"):
            assert client.get(path).status_code == 401
            assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert client.get("/v1/insights?days=0", headers=STAFF).status_code == 422
        assert client.get("/v1/insights?days=x", headers=STAFF).status_code == 422


def test_insights_count_questions_ratings_languages_and_list_only_unanswered(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        answers = [_ask(client, q, lang) for q, lang in ON_TOPIC + OFF_TOPIC]
        client.post("/v1/feedback", json={"answer_id": answers[0]["answer_id"], "rating": "up"})
        client.post("/v1/feedback", json={"answer_id": answers[3]["answer_id"], "rating": "down",
                                          "comment": "I wanted a joke"})
        summary = client.get("/v1/insights?days=7", headers=STAFF).json()
    assert summary["questions"] == 5 and summary["answered"] == 3
    assert summary["feedback"] == {"up": 1, "down": 1}
    assert summary["languages"] == {"en": 1, "ru": 1, "zh": 1, "es": 1, "fr": 1}
    assert sorted(g["question"] for g in summary["unanswered"]) == sorted(q for q, _ in OFF_TOPIC)
    assert {g["language"] for g in summary["unanswered"]} == {"es", "fr"}
    assert all(g["count"] == 1 and g["last_asked"] for g in summary["unanswered"])
    assert [d["comment"] for d in summary["down_rated"]] == ["I wanted a joke"]
    assert sum(day["questions"] for day in summary["per_day"]) == 5 and len(summary["per_day"]) == 7
    assert summary["fields"] and all(n >= 1 for n in summary["fields"].values())


def test_repeated_unanswered_questions_are_grouped(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for question in ("Tell me a joke!", "tell me a joke", "Tell me a  JOKE?", "Tel me a joke"):
            _ask(client, question, "en")
        _ask(client, "What is your horoscope for Leo?", "en")
        summary = client.get("/v1/insights", headers=STAFF).json()
    counts = sorted(g["count"] for g in summary["unanswered"])
    assert counts == [1, 4]


def test_csv_export_has_the_header_and_one_row_per_question(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = _ask(client, *ON_TOPIC[1])
        _ask(client, "=HYPERLINK(\"http://evil\") tell me a joke", "en")
        client.post("/v1/feedback", json={"answer_id": answer["answer_id"], "rating": "down", "comment": "a, \"b\""})
        response = client.get("/v1/insights/questions.csv?days=30", headers=STAFF)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["question", "language", "channel", "asked_at", "answered", "cited", "rating", "comment"]
    assert len(rows) == 2
    rated = next(r for r in rows if r["question"] == ON_TOPIC[1][0])
    assert rated["rating"] == "down" and rated["comment"] == 'a, "b"' and rated["answered"] == "true"
    assert rated["cited"].split(";") == [c["id"] for c in answer["citations"]]  # type: ignore[union-attr]
    assert next(r for r in rows if r is not rated)["question"].startswith("'=")


def test_questions_and_ratings_survive_a_restart(data_dir: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(data_dir / "data", tmp_path / "data")
    settings = _settings(tmp_path)
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
        answer_id = _ask(client, *OFF_TOPIC[0])["answer_id"]
        assert client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "down"}).status_code == 201
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
        summary = client.get("/v1/insights", headers=STAFF).json()
        rerated = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "up"})
    assert summary["questions"] == 1 and summary["feedback"]["down"] == 1
    assert summary["unanswered"][0]["question"] == OFF_TOPIC[0][0]
    assert rerated.status_code == 201


def test_feedback_is_rate_limited_like_other_public_posts(data_dir: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(data_dir / "data", tmp_path / "data")
    settings = make_settings(tmp_path / "data", staff_api_keys=KEY, rate_limit_per_minute=3)
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
        answer_id = _ask(client, *ON_TOPIC[0])["answer_id"]
        statuses = [client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "up"}).status_code
                    for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_odd_answer_ids_are_unknown_not_errors(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for odd in ("\u0000", "'; DROP TABLE insight_questions; --", "ü" * 64, " "):
            response = client.post("/v1/feedback", json={"answer_id": odd, "rating": "up"})
            assert response.status_code in (404, 422) and response.json()["error"]["code"]
