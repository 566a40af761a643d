"""Machine translation of record content, against a fake LibreTranslate and a fake OpenAI-compatible model on
127.0.0.1 (real HTTP, injected through settings; nothing patched)."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.services import Services, build_services
from retrieval.catalog import Catalog
from retrieval.ingest import ingest_paths
from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.fake_llm import FakeModel, model_handler
from tests.support.paths import RECORDS, REPO
from tests.support.settings import make_settings

SOLAR = "Who offers solar photovoltaic module technology?"
ROOT = REPO


@pytest.fixture
def fake() -> Iterator[FakeLibreTranslate]:
    server = FakeLibreTranslate().start()
    yield server
    server.stop()


def _services(data_dir: Path, url: str, **overrides: object) -> Services:
    settings = make_settings(data_dir, translator="libretranslate", translate_url=url, **overrides)
    return build_services(settings)


@pytest.fixture
def translated(tmp_path: Path, fake: FakeLibreTranslate) -> Iterator[Services]:
    """Services over the 110 sample records (84 English, 26 Chinese) with the fake LibreTranslate."""
    services = _services(tmp_path / "data", fake.url)
    ingest_paths(services.index, [RECORDS])
    yield services
    services.close()


def _foreign(answer: Any, language: str) -> list[Any]:
    return [c for c in answer.citations if c.language != language]


@pytest.mark.parametrize(("question", "language"), [
    (SOLAR, "ru"), ("太阳能光伏组件 无人机 飞行器", "zh"), ("飞行器 控制器 aircraft control", "en")])
def test_every_cited_record_of_another_language_comes_translated(
        translated: Services, fake: FakeLibreTranslate, question: str, language: str) -> None:
    answer = translated.assistant.answer(question, language=language)

    foreign = _foreign(answer, language)
    assert foreign, "the question should cite records of another language"
    for citation in foreign:
        assert citation.translation is not None
        assert citation.translation["language"] == language
        assert citation.translation["title"].endswith(citation.title)
        assert citation.translation["title"].startswith(f"[{language}] ")
        assert citation.translation["provider"] == "libretranslate"
    assert all(c.translation is None for c in answer.citations if c.language == language)
    assert fake.bad_requests == 0


def test_composed_answer_shows_the_translated_title_with_the_original(translated: Services) -> None:
    answer = translated.assistant.answer(SOLAR, language="ru")

    first = answer.citations[0]
    assert first.translation is not None
    assert f"1. {first.translation['title']} ({first.title}) [{first.id}]" in answer.answer
    body = answer.as_dict()["citations"][0]
    assert body["title"] == first.title and body["translation"]["title"] == first.translation["title"]


def test_asking_again_sends_nothing_new_to_the_translator(translated: Services, fake: FakeLibreTranslate) -> None:
    translated.assistant.answer(SOLAR, language="ru")
    sent = len(fake.translate_requests)

    again = translated.assistant.answer(SOLAR, language="ru")

    assert sent > 0
    assert len(fake.translate_requests) == sent
    assert all(c.translation for c in _foreign(again, "ru"))


def test_the_cache_outlives_the_process_and_a_changed_record_is_translated_again(
        tmp_path: Path, fake: FakeLibreTranslate) -> None:
    first = _services(tmp_path / "data", fake.url)
    ingest_paths(first.index, [RECORDS])
    record = first.index.get("nasa-code-arc-14672-1")
    assert record is not None and first.assistant.translate_record(record, "ru") is not None
    first.close()
    sent = fake.texts_sent

    second = _services(tmp_path / "data", fake.url)
    assert second.assistant.translate_record(record, "ru") is not None
    assert fake.texts_sent == sent
    changed = record.model_copy(update={"title": record.title + " v2"})
    translation = second.assistant.translate_record(changed, "ru")
    second.close()

    assert translation is not None and translation.title == f"[ru] {record.title} v2"
    assert fake.texts_sent == sent + 1  # only the changed title; the description was cached


def test_a_pair_the_server_lacks_goes_through_english(translated: Services, fake: FakeLibreTranslate) -> None:
    chinese = translated.index.get("csl-cb877a842d09")
    assert chinese is not None

    translation = translated.assistant.translate_record(chinese, "ru")

    assert translation is not None and translation.title == f"[ru] [en] {chinese.title}"
    assert {(r["source"], r["target"]) for r in fake.translate_requests} == {("zh", "en"), ("en", "ru")}
    assert fake.bad_requests == 0


def test_a_language_the_server_does_not_offer_sends_no_request(
        translated: Services, fake: FakeLibreTranslate) -> None:
    answer = translated.assistant.answer("Ai cung cấp công nghệ pin mặt trời? solar photovoltaic", language="vi")

    assert answer.language == "vi" and answer.citations
    assert all(c.translation is None for c in answer.citations)
    assert fake.translate_requests == [] and fake.bad_requests == 0


def test_the_api_key_goes_in_the_body_and_a_refusal_keeps_the_originals_and_logs_no_secret(
        tmp_path: Path, fake: FakeLibreTranslate, caplog: pytest.LogCaptureFixture) -> None:
    fake.api_key = "right-key"
    services = _services(tmp_path / "data", fake.url, translate_api_key="wrong-secret-key")
    ingest_paths(services.index, [RECORDS])
    caplog.set_level(logging.INFO)

    answer = services.assistant.answer(SOLAR, language="ru")
    services.close()

    assert answer.citations and all(c.translation is None for c in answer.citations)
    assert fake.translate_requests[0]["api_key"] == "wrong-secret-key"
    warnings = [r.getMessage() for r in caplog.records if "translator" in r.getMessage()]
    assert len(warnings) == 1 and "http_403" in warnings[0]
    assert "wrong-secret-key" not in caplog.text


def test_with_the_server_gone_answers_come_at_once_with_the_originals(tmp_path: Path) -> None:
    gone = FakeLibreTranslate().start()
    url = gone.url
    gone.stop()
    services = _services(tmp_path / "data", url)
    ingest_paths(services.index, [RECORDS])

    started = time.monotonic()
    answers = [services.assistant.answer(SOLAR, language="ru") for _ in range(3)]
    elapsed = time.monotonic() - started
    counts = dict(services.assistant.translations.counts)
    services.close()

    assert elapsed < 15
    assert all(a.citations and all(c.translation is None for c in a.citations) for a in answers)
    assert counts["failures"] == 1  # then the translator rests instead of being asked per answer


def test_a_text_over_the_servers_limit_stays_original_and_does_not_rest_the_translator(
        translated: Services, fake: FakeLibreTranslate) -> None:
    fake.char_limit = 300
    long = max(translated.index.catalog.iter_records(), key=lambda r: len(r.description))
    assert len(long.description) > 300

    record = translated.assistant.translate_record(long, "ru" if long.language != "ru" else "en")
    answer = translated.assistant.answer(SOLAR, language="ru")

    assert record is None
    assert all(c.translation for c in _foreign(answer, "ru"))
    assert fake.bad_requests == 0  # batches were cut to the server's limit, the long text was never sent
    assert all(sum(len(q) for q in r["q"]) <= 300 for r in fake.translate_requests)


def test_a_slow_server_costs_at_most_the_time_budget(tmp_path: Path, fake: FakeLibreTranslate) -> None:
    services = _services(tmp_path / "data", fake.url, translate_timeout_seconds=0.5)
    ingest_paths(services.index, [RECORDS])
    fake.delay = 3.0

    started = time.monotonic()
    answer = services.assistant.answer(SOLAR, language="ru")
    elapsed = time.monotonic() - started
    services.close()

    assert elapsed < 2.5
    assert answer.citations and all(c.translation is None for c in answer.citations)
    assert answer.metadata["translation"]["translated"] == 0


def test_an_existing_catalog_gains_the_cache_in_place(tmp_path: Path, fake: FakeLibreTranslate) -> None:
    data = tmp_path / "data"
    plain = build_services(make_settings(data))
    ingest_paths(plain.index, [RECORDS])
    plain.close()
    catalog = Catalog(data / "catalog.sqlite")
    generation = catalog.generation()
    catalog.close()

    services = _services(data, fake.url)
    answer = services.assistant.answer(SOLAR, language="ru")
    services.close()

    assert answer.citations[0].translation is not None
    with sqlite3.connect(data / "catalog.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 110
        assert db.execute("SELECT COUNT(*) FROM translations WHERE target = 'ru'").fetchone()[0] > 0
    catalog = Catalog(data / "catalog.sqlite")
    assert catalog.generation() == generation  # translations never make servers reload their snapshot
    catalog.close()


def _ttc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bots.cli", *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.mark.slow
def test_ttc_translate_sends_each_text_once_across_runs(tmp_path: Path, fake: FakeLibreTranslate) -> None:
    env = {**os.environ, "TTC_DATA_DIR": str(tmp_path / "data"), "TTC_EMBEDDER": "hash:64",
           "TTC_TRANSLATOR": "libretranslate", "TTC_TRANSLATE_URL": fake.url}
    assert _ttc(env, "ingest", str(RECORDS), "--json").returncode == 0

    first = _ttc(env, "translate", "--lang", "es", "--limit", "40", "--json")
    after_first = len(fake.translate_requests)
    first_texts = {q for r in fake.translate_requests if r["source"] != "en" or r["target"] == "es" for q in r["q"]}
    second = _ttc(env, "translate", "--lang", "es", "--limit", "40", "--json")
    second_texts = {q for r in fake.translate_requests[after_first:] for q in r["q"]}

    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["translated"] == 40 and report["texts_per_second"] > 0
    assert fake.texts_sent >= 80
    assert second_texts and not second_texts & first_texts  # the second run sent only texts it had not sent
    assert json.loads(second.stdout)["cached"] == 40


@pytest.mark.slow
def test_ttc_translate_refuses_an_unknown_language_and_a_missing_translator(tmp_path: Path) -> None:
    env = {**os.environ, "TTC_DATA_DIR": str(tmp_path / "data"), "TTC_EMBEDDER": "hash:64"}

    unknown = _ttc(env, "translate", "--lang", "xx")
    off = _ttc(env, "translate", "--lang", "ru")

    no_url = _ttc({**env, "TTC_TRANSLATOR": "libretranslate"}, "translate", "--lang", "ru")

    assert unknown.returncode == 2 and "--lang" in unknown.stderr
    assert off.returncode == 1 and "TTC_TRANSLATOR" in off.stderr
    assert no_url.returncode == 1 and "TTC_TRANSLATE_URL" in no_url.stderr.splitlines()[0]


@pytest.fixture
def fake_model() -> Iterator[tuple[FakeModel, str]]:
    model = FakeModel()
    server = ThreadingHTTPServer(("127.0.0.1", 0), model_handler(model))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield model, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _model_translation(request: dict[str, Any]) -> str:
    prompt = request["messages"][-1]["content"]
    texts = json.loads(prompt[prompt.rindex("Input:") + len("Input:"):])
    return json.dumps([f"<ru> {text}" for text in texts], ensure_ascii=False)


def test_the_llm_translator_keeps_ids_and_returns_one_translation_per_text(
        tmp_path: Path, fake_model: tuple[FakeModel, str]) -> None:
    model, url = fake_model
    model.reply = _model_translation
    settings = make_settings(tmp_path / "data", translator="llm", llm_base_url=url, llm_model="fake")
    services = build_services(settings)
    ingest_paths(services.index, [RECORDS])
    record = services.index.get("csl-cb877a842d09")
    assert record is not None

    translation = services.assistant.translate_record(record, "ru")
    services.close()

    assert translation is not None and translation.provider == "llm"
    assert translation.title == f"<ru> {record.title}"
    prompt = model.requests[-1]["messages"][-1]["content"]
    assert "Russian" in prompt and "Chinese" in prompt and "identifiers" in prompt


def test_an_llm_reply_that_is_not_the_list_keeps_the_originals(
        tmp_path: Path, fake_model: tuple[FakeModel, str]) -> None:
    model, url = fake_model
    model.reply = lambda request: "Sure! Here is the translation: Привет"
    services = build_services(make_settings(tmp_path / "data", translator="llm", llm_base_url=url,
                                            llm_model="fake"))
    ingest_paths(services.index, [RECORDS])
    record = services.index.get("csl-cb877a842d09")
    assert record is not None

    translation = services.assistant.translate_record(record, "ru")
    failures = services.assistant.translations.counts["failures"]
    services.close()

    assert translation is None and failures == 1
