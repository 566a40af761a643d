"""Shared fixtures: real SQLite and Chroma under tmp_path, deterministic hash embeddings by default, no TTC_*
environment, and the `slow` mark on every test that uses a fixture starting a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.services import Services, build_services
from assistant.settings import Settings
from retrieval.ingest import ingest_paths
from tests.support.fake_llm import FakeModel, running_fake_model
from tests.support.paths import RECORDS
from tests.support.settings import clear_settings_env, make_settings
from tests.support.slow import end_fast_test, start_fast_test

# Fixtures that start a real server or process: a test using one is marked `slow` without saying so.
# (`base_url` is, in every module that defines it, the URL of a live uvicorn server.)
SLOW_FIXTURES = frozenset({"postgres_url", "browser", "chroma_url", "base_url"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks `slow` the tests that use a slow fixture, so a new test cannot forget the mark."""
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test not marked `slow` may not start a process nor load a real embedder (see tests/support/slow.py)."""
    if not item.get_closest_marker("slow"):
        start_fast_test(item.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    end_fast_test(item.nodeid)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's TTC_* environment never reaches a test (the .env file is kept out by `make_settings`)."""
    clear_settings_env(monkeypatch)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def loaded_services(services: Services) -> Services:
    """Services over the 110 real sample records of tests/data/records.jsonl."""
    report = ingest_paths(services.index, [RECORDS])
    assert report.added == 110
    return services


@pytest.fixture(scope="session")
def sample_records() -> list[dict[str, object]]:
    return [json.loads(line) for line in RECORDS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def fake_model() -> Iterator[tuple[FakeModel, str]]:
    """A fake OpenAI-compatible model on 127.0.0.1 and its base URL."""
    with running_fake_model() as served:
        yield served
