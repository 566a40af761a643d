"""The composition root: collaborators built once, schemas created at construction, background work on request."""

from __future__ import annotations

import sqlite3
import threading

from assistant.services import Services, build_services
from assistant.settings import Settings

BACKGROUND = {"inquiry-classifier-warm-up", "insights-writer"}


def test_building_the_services_creates_the_session_tables(services: Services) -> None:
    path = services.settings.data_dir / "sessions.sqlite"

    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    assert "chat_turns" in tables


def test_background_work_starts_only_when_asked(settings: Settings) -> None:
    before = set(threading.enumerate())
    services = build_services(settings)
    try:
        built = {t.name for t in set(threading.enumerate()) - before}
        services.start()
        started = {t.name for t in set(threading.enumerate()) - before}
    finally:
        services.close()

    assert not built & BACKGROUND
    assert "insights-writer" in started


def test_the_adapters_share_the_collaborators_the_root_built(services: Services) -> None:
    assert services.assistant.sessions is services.sessions
    assert services.assistant.translations is services.translations
    assert services.records.index is services.index is services.assistant.index is services.inquiries.index
