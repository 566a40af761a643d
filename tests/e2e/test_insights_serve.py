"""The issue's acceptance run against real processes: `ttc serve --workers 2` over a hash-embedded index, five
questions in five languages (two off-topic), ratings, staff insights and the CSV, then a restart of the server and
a `ttc ask` from the command line: everything is still there."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.services import build_services
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.ports import free_port
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow
KEY = "serve-insights-key"
STAFF = {"Authorization": f"Bearer {KEY}"}
QUESTIONS = [("Which technologies are offered for solar cells?", "en"),
             ("Какие есть технологии для аккумуляторов?", "ru"),
             ("Quem oferece tecnologia de compósitos de fibra de carbono?", "pt"),
             ("Cuéntame un chiste, por favor", "es"),
             ("Raconte-moi une blague sur les chats", "fr")]
OFF_TOPIC = {QUESTIONS[3][0], QUESTIONS[4][0]}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serve-insights")
    services = build_services(make_settings(root / "data"))
    try:
        ingest_paths(services.index, [RECORDS])
    finally:
        services.close()
    return root


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TTC_")} | {
        "TTC_EMBEDDER": "hash:64", "TTC_STAFF_API_KEYS": KEY, "TTC_RATE_LIMIT_PER_MINUTE": "0"}


@contextmanager
def _serve(root: Path, workers: int) -> Iterator[str]:
    """`ttc serve` over the data dir until the block ends; SIGTERM then."""
    port = free_port()
    log = root / f"serve-{port}.log"
    with log.open("wb") as sink:  # cwd: the tmp dir, so that no developer's .env is read
        process = subprocess.Popen([sys.executable, "-m", "bots.cli", "serve", "--workers", str(workers), "--port",
                                    str(port), "--data-dir", str(root / "data")], cwd=root, env=_env(), stdout=sink,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while log.read_text(errors="replace").count("Application startup complete") < workers:
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the server did not start in 90 s"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _fresh(method: str, url: str, **options: Any) -> httpx.Response:
    """One request on a connection of its own: with two workers, either may answer it."""
    with httpx.Client(timeout=30) as client:
        return client.request(method, url, **options)


def test_answers_ratings_and_insights_survive_a_restart(root: Path) -> None:
    with _serve(root, 2) as base:
        answers = [_fresh("POST", f"{base}/v1/chat", json={"message": q}).json() for q, _ in QUESTIONS]
        up = _fresh("POST", f"{base}/v1/feedback", json={"answer_id": answers[0]["answer_id"], "rating": "up"})
        down = _fresh("POST", f"{base}/v1/feedback", json={"answer_id": answers[3]["answer_id"], "rating": "down",
                                                            "comment": "I asked for a joke"})
        unknown = _fresh("POST", f"{base}/v1/feedback", json={"answer_id": "f" * 32, "rating": "up"})
        bad = _fresh("POST", f"{base}/v1/feedback", json={"answer_id": answers[1]["answer_id"], "rating": "5 stars"})
        no_key = _fresh("GET", f"{base}/v1/insights")
        wrong_key = _fresh("GET", f"{base}/v1/insights", headers={"Authorization": "Bearer nope"})

    assert all(len(a["answer_id"]) == 32 for a in answers) and len({a["answer_id"] for a in answers}) == 5
    assert [a["language"] for a in answers] == [lang for _, lang in QUESTIONS]
    assert (up.status_code, down.status_code, unknown.status_code, bad.status_code) == (201, 201, 404, 422)
    assert (no_key.status_code, wrong_key.status_code) == (401, 403)

    with _serve(root, 1) as base:
        summary = _fresh("GET", f"{base}/v1/insights?days=1", headers=STAFF).json()
        exported = _fresh("GET", f"{base}/v1/insights/questions.csv?days=1", headers=STAFF)
    ask = subprocess.run([sys.executable, "-m", "bots.cli", "ask", "Who offers drone inspection?", "--json",
                          "--data-dir", str(root / "data")], cwd=root, env=_env(), capture_output=True, timeout=120)
    with _serve(root, 1) as base:
        after_cli = _fresh("GET", f"{base}/v1/insights?days=1", headers=STAFF).json()

    assert summary["questions"] == 5 and summary["answered"] == 3
    assert summary["feedback"] == {"up": 1, "down": 1}
    assert summary["languages"] == {lang: 1 for _, lang in QUESTIONS}
    assert {g["question"] for g in summary["unanswered"]} == OFF_TOPIC
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["question"] for r in rows} == {q for q, _ in QUESTIONS}
    assert ask.returncode == 0 and len(json.loads(ask.stdout)["answer_id"]) == 32
    assert after_cli["questions"] == 6 and after_cli["channels"] == {"api": 5, "cli": 1}
