"""Scale paths of the index on a small synthetic corpus: bulk and parallel writes, the snapshot's bulk load,
filtered search against exact filtering, `ttc ingest --no-embed` then `ttc embed`, an interrupted backfill."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import retrieval.snapshot_keeper
import retrieval.writer
from benchmarks.corpus import write_corpus
from retrieval.catalog import Filters
from retrieval.embedder import make_embeddings
from retrieval.index import Index, IndexConfig
from retrieval.ingest import ingest_paths
from retrieval.record import Record
from tests.support.ttc import ttc

N = 2000
QUERIES = ["solar cell efficiency", "satellite antenna", "光伏组件", "biomass gasification", "drone inspection"]
FILTERS = [Filters(), Filters(kind="demand"), Filters(field="renewable_energy"), Filters(country="CN"),
           Filters(language="zh"), Filters(kind="achievement", field="aerospace"),
           Filters(kind="achievement", field="environment", language="en"), Filters(kind="demand", country="US"),
           Filters(kind="demand", field="composites")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"), N)


def make_index(data_dir: Path) -> Index:
    return Index(IndexConfig(data_dir=data_dir, embedder_name="hash:64"), make_embeddings("hash:64"))


@pytest.fixture(scope="module")
def index(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    built = make_index(tmp_path_factory.mktemp("index"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(retrieval.writer, "_PARALLEL_FROM", 500)  # exercise the worker processes at this size
        report = ingest_paths(built, [corpus], parallel=True)
    assert report.added == N and report.embedded == N
    yield built
    built.close()


def _column(index: Index, ids: list[str], name: str) -> np.ndarray:
    records = index.catalog.get_many(ids)
    return np.asarray([getattr(records[i], name) or "" for i in ids], dtype=object)


def test_parallel_write_stores_what_a_serial_write_stores(corpus: Path, index: Index, tmp_path: Path) -> None:
    serial = make_index(tmp_path / "serial")
    ingest_paths(serial, [corpus], embed=False)
    query = "SELECT r.id, r.hash, r.text_hash, l.terms FROM records r JOIN lexical l ON l.rowid = r.num ORDER BY r.num"
    parallel_rows = index.catalog._db.execute(query).fetchall()
    serial_rows = serial.catalog._db.execute(query).fetchall()
    serial.close()
    assert len(parallel_rows) == N
    assert parallel_rows == serial_rows


def test_filtered_search_returns_exactly_what_exact_filtering_allows(index: Index) -> None:
    snapshot = index.snapshot()
    assert len(snapshot) == N
    columns = {name: _column(index, snapshot.ids, name) for name in ("kind", "field", "country", "language")}
    embeddings = make_embeddings("hash:64")
    for filters in FILTERS:
        mask = np.ones(N, dtype=bool)
        for name, value in filters.items():
            mask &= columns[name] == value
        assert mask.any(), filters
        for query in QUERIES:
            hits = index.search(query, k=10, filters=filters)
            assert all(getattr(h.record, name) == value for h in hits for name, value in filters.items())
            # dense candidates: the best 50 of each language among the filtered records, by brute force
            q = np.asarray(embeddings.embed_query(query), dtype=np.float32)
            q /= np.linalg.norm(q)
            cosines = snapshot.vectors @ q
            found = snapshot.top_by_language(q, 50, filters)
            for language in set(columns["language"][mask]):
                rows = np.flatnonzero(mask & (columns["language"] == language))
                expected = sorted(cosines[rows], reverse=True)[:50]
                assert np.allclose([c for _, c in found[language]], expected, atol=1e-6)
                assert {snapshot.ids[r] for r in rows} >= {i for i, _ in found[language]}


def test_a_filter_selecting_few_records_returns_all_of_them(index: Index) -> None:
    snapshot = index.snapshot()
    kinds, fields = _column(index, snapshot.ids, "kind"), _column(index, snapshot.ids, "field")
    filters = Filters(kind="demand", field="composites")
    expected = {snapshot.ids[r] for r in np.flatnonzero((kinds == "demand") & (fields == "composites"))}
    assert 0 < len(expected) <= 100
    for query in QUERIES:
        assert {h.record.id for h in index.search(query, k=100, filters=filters)} == expected


def test_snapshot_of_a_catalog_written_before_text_hashes(corpus: Path, index: Index, tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    old = make_index(data_dir)
    ingest_paths(old, [corpus])
    expected = old.snapshot()
    old.catalog._db.execute("UPDATE records SET text_hash = ''")
    old.close()
    reopened = make_index(data_dir)
    loaded = reopened.snapshot()
    assert loaded.ids == expected.ids and np.array_equal(loaded.vectors, expected.vectors)
    assert reopened.catalog.missing_text_hashes(1) == []
    reopened.close()
    # another lead length means other embedding texts: their hashes are recomputed, their vectors are missing
    longer = Index(IndexConfig(data_dir=data_dir, embedder_name="hash:64", lead_chars=800), make_embeddings("hash:64"))
    hashes = dict(longer.catalog._db.execute("SELECT id, text_hash FROM records").fetchall())
    assert set(hashes.values()) == {""}
    longer.close()


def test_an_interrupted_backfill_resumes_where_it_stopped(corpus: Path, tmp_path: Path) -> None:
    index = make_index(tmp_path / "d")
    ingest_paths(index, [corpus], embed=False)
    assert index.catalog.count_pending() == N

    def stop(phase: str, done: int, total: int) -> None:
        if done >= 1000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index.embed_pending(stop, chunk=500)
    assert 0 < index.catalog.count_pending() < N
    index.embed_pending()
    assert index.catalog.count_pending() == 0 and index.store.count() == N and len(index.snapshot()) == N
    index.close()


@pytest.mark.slow
def test_ingest_no_embed_then_embed_converges(corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "d"
    report = json.loads(ttc("ingest", str(corpus), "--no-embed", "--json", data_dir=data).stdout)
    assert report["added"] == N and report["embedded"] == 0
    stats = json.loads(ttc("stats", "--json", data_dir=data).stdout)
    assert stats["index"]["pending_vectors"] == N and stats["index"]["vectors"] == 0
    first = Record.model_validate_json(corpus.read_text(encoding="utf-8").splitlines()[0])
    found = json.loads(ttc("search", first.title, "--json", "-k", "10", data_dir=data).stdout)
    assert first.id in {r["id"] for r in found["results"]}  # lexically searchable before any vector exists

    done = json.loads(ttc("embed", "--json", data_dir=data).stdout)
    assert done["embedded"] == N and done["pending"] == 0
    assert json.loads(ttc("embed", "--json", data_dir=data).stdout)["embedded"] == 0
    stats = json.loads(ttc("stats", "--json", data_dir=data).stdout)
    assert stats["index"]["pending_vectors"] == 0 and stats["index"]["vectors"] == N
    with sqlite3.connect(data / "catalog.sqlite") as db:
        assert db.execute("SELECT count(*) FROM records WHERE embedded_hash != hash").fetchone()[0] == 0


def test_a_slow_snapshot_reloads_in_the_background_while_the_old_one_answers(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "d"
    server, writer = make_index(data_dir), make_index(data_dir)  # as `ttc serve` and `ttc embed`
    lines = corpus.read_text(encoding="utf-8").splitlines()
    (tmp_path / "first.jsonl").write_text("\n".join(lines[:300]) + "\n", encoding="utf-8")
    (tmp_path / "second.jsonl").write_text("\n".join(lines[300:400]) + "\n", encoding="utf-8")
    ingest_paths(writer, [tmp_path / "first.jsonl"])
    monkeypatch.setattr(retrieval.snapshot_keeper, "_BACKGROUND_RELOAD_FROM", -1.0)  # every load counts as slow
    monkeypatch.setattr(server, "config", IndexConfig(data_dir=data_dir, embedder_name="hash:64",
                                                      freshness_seconds=0.0))
    assert len(server.snapshot()) == 300
    ingest_paths(writer, [tmp_path / "second.jsonl"])
    assert len(server.snapshot()) == 300  # the old snapshot answers while the new one is built
    deadline = time.monotonic() + 30
    while len(server.snapshot()) != 400:
        assert time.monotonic() < deadline, "the background reload did not land"
        time.sleep(0.05)
    assert len(server.search("solar cell", k=5)) == 5
    server.close()
    writer.close()
