"""A question in another language is searched through its English translation when a translator is configured
(a fake LibreTranslate on 127.0.0.1 that follows the real API; nothing patched)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.services import Services, build_services
from retrieval.ingest import ingest_paths
from tests.support.fake_libretranslate import FakeLibreTranslate, default_pairs
from tests.support.paths import RECORDS
from tests.support.settings import make_settings

MALAY = "Syarikat kami mencari teknologi jangka hayat modul fotovoltaik."
ENGLISH = "We are looking for photovoltaic module lifetime technology."
SOLAR_TRAIN = "cordis-h2020-721452"  # SOLAR-TRAIN: Photovoltaic module life time forecast and evaluation


@pytest.fixture
def fake() -> Iterator[FakeLibreTranslate]:
    server = FakeLibreTranslate(pairs=default_pairs(("en", "ms", "ru", "zh")), known={MALAY: ENGLISH}).start()
    yield server
    server.stop()


def _services(data_dir: Path, url: str) -> Services:
    services = build_services(make_settings(data_dir, translator="libretranslate", translate_url=url))
    ingest_paths(services.index, [RECORDS])
    return services


@pytest.fixture
def translated(tmp_path: Path, fake: FakeLibreTranslate) -> Iterator[Services]:
    services = _services(tmp_path / "data", fake.url)
    yield services
    services.close()


def _question_requests(fake: FakeLibreTranslate) -> list[dict[str, object]]:
    """Requests that carried a question (citations are translated too, some through English)."""
    return [r for r in fake.translate_requests if r["target"] == "en" and any(
        text in (MALAY, ENGLISH) or text.startswith(("Who ", "Syarikat")) for text in
        (r["q"] if isinstance(r["q"], list) else [r["q"]]))]


def test_a_question_the_records_do_not_share_words_with_is_searched_in_english(
        translated: Services, fake: FakeLibreTranslate) -> None:
    answer = translated.assistant.answer(MALAY)

    assert answer.metadata["intent"]["translated"] == ENGLISH
    assert answer.metadata["intent"]["rewritten"] == "photovoltaic module lifetime"
    assert SOLAR_TRAIN in [c.id for c in answer.citations]
    assert answer.language == "ms"
    assert [r["source"] for r in _question_requests(fake)] == ["ms"]


def test_without_a_translator_the_offline_glossary_carries_the_question_to_the_record(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path / "data"))
    ingest_paths(services.index, [RECORDS])
    try:
        answer = services.assistant.answer(MALAY)
    finally:
        services.close()

    intent = answer.metadata["intent"]
    assert "translated" not in intent and "rewritten" not in intent
    assert "photovoltaic" in intent["glossed"]  # jangka hayat modul fotovoltaik: service life module photovoltaic
    assert SOLAR_TRAIN in [c.id for c in answer.citations]


def test_asking_again_sends_nothing_new(translated: Services, fake: FakeLibreTranslate) -> None:
    translated.assistant.answer(MALAY)
    sent = len(_question_requests(fake))

    again = translated.assistant.answer(MALAY)

    assert len(_question_requests(fake)) == sent
    assert again.metadata["intent"]["translated"] == ENGLISH


def test_an_english_question_is_not_sent(translated: Services, fake: FakeLibreTranslate) -> None:
    answer = translated.assistant.answer("Who offers photovoltaic module lifetime forecasting?")

    assert "translated" not in answer.metadata["intent"]
    assert _question_requests(fake) == []


def test_a_slow_translator_costs_at_most_half_the_budget_and_the_offline_reading_answers(
        translated: Services, fake: FakeLibreTranslate) -> None:
    fake.delay = 10.0
    started = time.monotonic()

    answer = translated.assistant.answer(MALAY)

    assert time.monotonic() - started < 8.0  # half the 4 s budget for the question, the rest for the citations
    assert "translated" not in answer.metadata["intent"]
    assert answer.answer


def test_with_the_translator_gone_the_answer_comes_from_the_question_as_typed(tmp_path: Path) -> None:
    server = FakeLibreTranslate(pairs=default_pairs(("en", "ms")), known={MALAY: ENGLISH}).start()
    url = server.url
    server.stop()
    services = _services(tmp_path / "data", url)
    try:
        answer = services.assistant.answer(MALAY)
    finally:
        services.close()

    assert "translated" not in answer.metadata["intent"]
    assert answer.answer and answer.language == "ms"
