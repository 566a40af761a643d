"""Ingestion into a real index (SQLite catalog + embedded Chroma): upserts, skips, bad rows, --strict."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.services import Services
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS


def _write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def _record(rid: str, **extra: object) -> dict[str, object]:
    return {"id": rid, "kind": "achievement", "title": f"Title {rid}", "description": f"About {rid}.", **extra}


def test_sample_ingests_and_reingest_is_unchanged(services: Services) -> None:
    first = ingest_paths(services.index, [RECORDS])
    second = ingest_paths(services.index, [RECORDS])
    assert (first.added, first.rejected, first.embedded) == (110, 0, 110)
    assert (second.added, second.updated, second.unchanged, second.embedded) == (0, 0, 110, 0)
    assert services.index.store.count() == 110 == services.index.catalog.count()


def test_changed_record_is_updated_in_catalog_and_vectors(services: Services, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [_record("a"), _record("b")])
    ingest_paths(services.index, [path])
    _write_jsonl(path, [_record("a", description="A brand new description about graphene."), _record("b")])
    report = ingest_paths(services.index, [path])
    assert (report.added, report.updated, report.unchanged, report.embedded) == (0, 1, 1, 1)
    record = services.index.get("a")
    assert record is not None and "graphene" in record.description
    assert services.index.search("graphene", k=1)[0].record.id == "a"


def test_bad_rows_are_reported_and_good_rows_kept(services: Services, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "mixed.jsonl", [
        _record("good-1"),
        "{broken json",
        _record("bad-trl", trl=42),
        {"id": "no-title", "kind": "demand", "description": "x"},
        _record("good-2", country="br"),
        _record("good-1", title="duplicate in the same file"),
    ])
    report = ingest_paths(services.index, [path])
    assert (report.added, report.rejected) == (2, 4)
    assert [(e["line"], e["file"]) for e in report.errors] == [(n, str(path)) for n in (2, 3, 4, 6)]
    assert "trl" in report.errors[1]["error"] and "title" in report.errors[2]["error"]
    assert "duplicate id" in report.errors[3]["error"]
    assert services.index.get("good-2") is not None and services.index.get("bad-trl") is None
    first = services.index.get("good-1")
    assert first is not None and first.title == "Title good-1"


def test_strict_writes_nothing_when_any_row_is_bad(services: Services, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [_record("a"), _record("b", kind="nope")])
    report = ingest_paths(services.index, [path], strict=True)
    assert not report.written and report.rejected == 1
    assert services.index.catalog.count() == 0 and services.index.store.count() == 0


def test_kind_option_fills_missing_kinds(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "needs.csv"
    path.write_text("id,title,description,keywords\nd1,Need drones,Inspect rails,drone;rail\n", encoding="utf-8")
    report = ingest_paths(services.index, [path], kind="demand")
    record = services.index.get("d1")
    assert report.added == 1 and record is not None
    assert record.kind == "demand" and record.keywords == ["drone", "rail"]


def test_language_is_detected_when_absent(services: Services, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [
        _record("zh", title="高效钙钛矿太阳能电池", description="本研究提出了一种新的钙钛矿太阳能电池制备方法。"),
        _record("ru", title="Беспилотник для осмотра путей", description="Система осмотра железнодорожных путей."),
    ])
    ingest_paths(services.index, [path])
    zh, ru = services.index.get("zh"), services.index.get("ru")
    assert zh is not None and zh.language == "zh"
    assert ru is not None and ru.language == "ru"


def test_interrupted_embedding_is_resumed(services: Services, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [_record(f"r{i}") for i in range(10)])
    index = services.index
    records = [index.prepare(r) for r in _parsed(path)]
    changed, *_ = index.classify(records)
    index.write(changed)  # the process "dies" here: records are written, vectors are not
    assert index.catalog.count_pending() == 10 and index.store.count() == 0
    report = ingest_paths(index, [path])
    assert (report.unchanged, report.embedded) == (10, 10)
    assert index.catalog.count_pending() == 0 and index.store.count() == 10


def _parsed(path: Path) -> list:  # type: ignore[type-arg]
    from retrieval.reader import read_rows
    from retrieval.record import parse_record

    return [parse_record(row.data) for row in read_rows(path)]


def test_vector_cache_avoids_reembedding_identical_text(services: Services, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [_record("a")])
    ingest_paths(services.index, [path])
    services.index.delete("a")
    assert services.index.catalog.count() == 0 and services.index.store.count() == 0
    calls: list[int] = []
    original = services.index.embeddings.embed_documents
    services.index.embeddings.embed_documents = lambda texts: calls.append(len(texts)) or original(texts)  # type: ignore[method-assign]
    ingest_paths(services.index, [path])
    assert calls == [] and services.index.store.count() == 1


def test_seed_vector_file_beside_the_data_is_used(services: Services, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [_record("a"), _record("b")])
    ingest_paths(services.index, [path])
    seed = tmp_path / services.index.seed_name
    assert services.index.export_vectors(seed) == 2
    other = tmp_path / "copy"
    other.mkdir()
    from assistant.services import build_services
    from tests.support.settings import make_settings

    fresh = build_services(make_settings(tmp_path / "data2"))
    try:
        (other / services.index.seed_name).write_bytes(seed.read_bytes())
        copy = other / "a.jsonl"
        copy.write_bytes(path.read_bytes())
        fresh.index.embeddings.embed_documents = lambda texts: (_ for _ in ()).throw(  # type: ignore[method-assign]
            AssertionError("seeded vectors must not be recomputed"))
        report = ingest_paths(fresh.index, [copy])
        assert report.embedded == 2
    finally:
        fresh.close()
