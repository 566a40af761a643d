"""Shared fixtures: real SQLite and Chroma under tmp_path, deterministic hash embeddings by default."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.services import Services, build_services
from assistant.settings import Settings
from retrieval.ingest import ingest_paths

DATA = Path(__file__).parent / "data"
RECORDS = DATA / "records.jsonl"


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and .env."""
    values: dict[str, object] = {"data_dir": data_dir, "embedder": "hash:64"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TTC_DATA_DIR", "TTC_EMBEDDER", "TTC_CHROMA_URL", "TTC_DATABASE_URL", "TTC_LLM_BASE_URL",
                 "TTC_LLM_MODEL", "TTC_LLM_API_KEY", "TTC_STAFF_API_KEYS", "TELEGRAM_BOT_TOKEN",
                 "TTC_TELEGRAM_BASE_URL", "TTC_API_KEYS", "TTC_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


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
