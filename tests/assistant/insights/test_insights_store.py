"""The insights store on real SQLite: migration, retention, concurrent writers, a failing database, grouping."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient

from assistant.inquiries.database import VERSION_TABLE, make_engine, migrate
from assistant.inquiries.model import Base
from assistant.insights import InsightsService
from assistant.insights.grouping import Asked, group_questions
from assistant.insights.model import QuestionRow
from assistant.locale.lexicon import normalize
from assistant.services import build_services
from bots.web.app import create_app
from retrieval.errors import InvalidInput, NotFound
from tests.support.settings import make_settings

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _answer(answer_id: str, *, cited: int = 1, reply: str | None = None, language: str = "en",
            match: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"latency_ms": 12.5}
    if reply:
        metadata["reply"] = reply
    if match:
        metadata["match"] = match
    citations = [{"id": f"r{i}", "field": "renewable_energy"} for i in range(cited)]
    return {"answer_id": answer_id, "language": language, "citations": citations, "metadata": metadata}


def _service(tmp_path: Path, clock: Any = lambda: NOW, **options: Any) -> InsightsService:
    engine = make_engine(f"sqlite:///{tmp_path / 'ttc.sqlite'}")
    migrate(engine)
    return InsightsService(engine, clock=clock, **options)


def test_the_migration_creates_exactly_the_model(tmp_path: Path) -> None:
    service = _service(tmp_path)
    with service.store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        assert QuestionRow.__table__ in Base.metadata.sorted_tables
        assert compare_metadata(context, Base.metadata) == []


def test_what_counts_as_answered(tmp_path: Path) -> None:
    service = _service(tmp_path)
    asked = {"a1": "solar cells", "a2": "graphene aerogels for oil spills", "a3": "football scores",
             "a4": "tidal power in Kazakhstan", "a5": "hello", "a6": "quantum dots for displays"}
    for answer in [_answer("a1"), _answer("a2", cited=0, reply="nothing_found"),
                   _answer("a3", cited=0, reply="off_topic"), _answer("a4", match="weak"),
                   _answer("a5", cited=0, reply="greeting"), _answer("a6", cited=0)]:
        service.record(answer, channel="api", question=asked[answer["answer_id"]])
    summary = service.summary(days=1)
    assert summary["questions"] == 6 and summary["answered"] == 1
    listed = sorted(g["question"] for g in summary["unanswered"])
    assert listed == sorted(asked[k] for k in ("a2", "a3", "a4", "a6"))  # a greeting is no demand
    service.close()


def test_intent_fields_are_counted_when_the_understanding_step_gives_them(tmp_path: Path) -> None:
    service = _service(tmp_path)
    answer = _answer("b1")
    answer["metadata"]["intent"] = {"sought": "achievement", "topic": "drones", "fields": ["aerospace", "bogus"],
                                    "countries": ["CN"]}
    service.record(answer, channel="web", question="drones for power lines in China")
    service.record(_answer("b2"), channel="web", question="solar")
    service.flush()
    assert service.summary(days=1)["fields"] == {"renewable_energy": 1, "aerospace": 1}
    (row,) = [r for r in service.store.window(NOW - timedelta(days=1)) if r.id == "b1"]
    assert row.intent is not None and row.intent["topic"] == "drones"
    service.close()


def test_retention_purges_old_questions_when_the_writer_starts(tmp_path: Path) -> None:
    service = _service(tmp_path, retention_days=30)
    old = {"id": "old", "asked_at": NOW - timedelta(days=31), "channel": "web", "language": "en", "question": "q",
           "normalized": "q", "answered": False, "outcome": "nothing_found", "intent": None, "fields": [],
           "cited": [], "latency_ms": None}
    service.store.add([old, {**old, "id": "recent", "asked_at": NOW - timedelta(days=29)}])

    service.start()
    assert service.flush()

    assert [r.id for r in service.store.window(NOW - timedelta(days=365))] == ["recent"]
    service.close()


def test_two_writers_on_one_database_lose_nothing(tmp_path: Path) -> None:
    first, second = _service(tmp_path), _service(tmp_path)

    def write(service: InsightsService, prefix: str) -> None:
        for n in range(150):
            service.record(_answer(f"{prefix}{n}"), channel="web", question=f"{prefix} question {n}")

    threads = [threading.Thread(target=write, args=(s, p)) for s, p in ((first, "x"), (second, "y"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.close()
    second.close()
    assert len(_service(tmp_path).store.window(NOW - timedelta(days=1))) == 300


def test_a_missing_table_loses_the_statistic_but_never_the_answer(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path / "data", rate_limit_per_minute=0)
    services = build_services(settings)
    try:
        with sqlite3.connect(tmp_path / "data" / "ttc.sqlite") as db:
            db.execute("DROP TABLE insight_questions")
        with TestClient(create_app(settings, services)) as client:
            response = client.post("/v1/chat", json={"message": "solar panels"})
            assert response.status_code == 200 and len(response.json()["answer_id"]) == 32
            services.insights.flush()
            rated = client.post("/v1/feedback", json={"answer_id": response.json()["answer_id"], "rating": "up"})
        assert rated.status_code == 503 and rated.json()["error"]["code"]
        assert "not recorded" in caplog.text
    finally:
        services.close()


def test_a_locked_database_does_not_slow_the_answer_and_the_question_lands_later(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", rate_limit_per_minute=0)
    services = build_services(settings)
    try:
        with TestClient(create_app(settings, services)) as client:
            client.post("/v1/chat", json={"message": "warm up"})
            locker = sqlite3.connect(tmp_path / "data" / "ttc.sqlite", isolation_level=None, check_same_thread=False)
            locker.execute("BEGIN EXCLUSIVE")
            release = threading.Timer(3.0, locker.commit)
            release.start()
            started = time.monotonic()
            response = client.post("/v1/chat", json={"message": "wind turbines"})
            elapsed = time.monotonic() - started
            release.join()
            locker.close()
            assert response.status_code == 200 and elapsed < 2.5
            assert services.insights.flush(15)
            assert "wind turbines" in [q["question"] for q in services.insights.questions(days=1)]
    finally:
        services.close()


def test_rating_an_unknown_answer_is_not_found_and_a_bad_rating_is_refused(tmp_path: Path) -> None:
    service = _service(tmp_path)
    service.record(_answer("c1"), channel="api", question="q")
    with pytest.raises(NotFound):
        service.rate("nope", "up")
    with pytest.raises(InvalidInput):
        service.rate("c1", "sideways")
    assert service.rate("c1", "down", " too vague ") == {"answer_id": "c1", "rating": "down", "comment": "too vague"}
    service.close()


@pytest.mark.slow
def test_paraphrases_group_with_the_real_embedder_and_other_questions_do_not() -> None:
    from retrieval.embedder import make_embeddings

    e5 = make_embeddings("e5")
    questions = ["Tell me a joke", "Can you tell me a funny joke?", "Recipe for borscht", "How do I cook borscht?",
                 "What is the weather in Paris tomorrow?", "Weather forecast for Paris tomorrow",
                 "What is the price of bitcoin today?"]
    asked = [Asked(q, normalize(q), "en", NOW - timedelta(minutes=i)) for i, q in enumerate(questions)]

    groups = group_questions(asked, e5.embed_query)

    assert sorted(sorted(g.variants) for g in groups) == sorted([
        sorted(questions[0:2]), sorted(questions[2:4]), sorted(questions[4:6]), [questions[6]]])
