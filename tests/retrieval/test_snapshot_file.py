"""The vector snapshot stored on disk per catalog generation, and the bounded cost of lexical queries."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

import retrieval.snapshot_keeper
from retrieval.catalog import Catalog, Filters
from retrieval.embedder import make_embeddings
from retrieval.index import Index, IndexConfig
from retrieval.record import Record

QUERIES = ["solar panels for remote villages", "railway track inspection robot", "光伏组件"]


def make_index(data_dir: Path) -> Index:
    return Index(IndexConfig(data_dir=data_dir, embedder_name="hash:64"), make_embeddings("hash:64"))


def records(count: int, start: int = 0) -> list[Record]:
    topics = ["solar panels", "railway inspection", "battery recycling", "光伏组件 寿命"]
    return [Record(id=f"r{n}", kind="achievement" if n % 3 else "demand", title=f"{topics[n % 4]} project {n}",
                   description=f"Work on {topics[n % 4]} number {n} with field trials and partners.",
                   field="renewable_energy" if n % 2 else "railway_equipment", country="CN" if n % 5 else "DE",
                   language="zh" if n % 4 == 3 else "en")
            for n in range(start, start + count)]


def add(index: Index, items: list[Record]) -> None:
    changed, *_ = index.classify(items)
    index.write(changed)
    index.embed_pending()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    index = make_index(tmp_path)
    add(index, records(120))
    index.snapshot()
    index.close()
    return tmp_path


def stored(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "snapshots").iterdir())


def test_a_later_start_maps_the_stored_snapshot_and_searches_alike(data_dir: Path) -> None:
    built = make_index(data_dir)
    first = built.snapshot()
    reopened = make_index(data_dir)
    loaded = reopened.snapshot()
    assert isinstance(loaded.vectors, np.memmap)  # read from the file, not rebuilt
    assert loaded.ids == first.ids and np.array_equal(np.asarray(loaded.vectors), first.vectors)
    for query in QUERIES:
        for filters in (Filters(), Filters(kind="demand"), Filters(language="zh", country="CN")):
            assert [(h.record.id, h.score) for h in reopened.search(query, 10, filters)] == \
                [(h.record.id, h.score) for h in built.search(query, 10, filters)]
    built.close()
    reopened.close()


def test_a_write_moves_the_generation_and_the_next_start_rebuilds(data_dir: Path) -> None:
    index = make_index(data_dir)
    before = index.catalog.generation()
    add(index, records(5, start=500))
    assert index.catalog.generation() > before
    index.close()
    reopened = make_index(data_dir)
    snapshot = reopened.snapshot()
    assert "r500" in snapshot and len(snapshot) == 125
    assert not isinstance(snapshot.vectors, np.memmap)  # built anew, then stored
    assert stored(data_dir) == [f"snapshot-hash-64-{snapshot.generation}.state.npz",
                                f"snapshot-hash-64-{snapshot.generation}.vectors.npy"]  # the old pair is gone
    reopened.close()


def test_marking_records_embedded_leaves_the_generation_alone(data_dir: Path) -> None:
    index = make_index(data_dir)
    before = index.catalog.generation()
    index.catalog.mark_embedded([("r1", "whatever")])
    assert index.catalog.generation() == before
    index.close()


def test_a_damaged_stored_snapshot_is_rebuilt(data_dir: Path) -> None:
    state = next((data_dir / "snapshots").glob("*.state.npz"))
    state.write_bytes(b"not a zip file")
    index = make_index(data_dir)
    snapshot = index.snapshot()
    assert len(snapshot) == 120 and not isinstance(snapshot.vectors, np.memmap)
    assert len(index.search("solar panels", 5)) == 5
    index.close()


def test_a_snapshot_stored_with_older_document_moments_is_rebuilt(data_dir: Path) -> None:
    state = next((data_dir / "snapshots").glob("*.state.npz"))
    with np.load(state, allow_pickle=False) as stored_arrays:
        arrays = {key: stored_arrays[key] for key in stored_arrays.files if key != "moments_version"}
    with state.open("wb") as handle:  # as a release before moments were versioned wrote it
        np.savez(handle, **arrays)
    index = make_index(data_dir)
    snapshot = index.snapshot()
    assert len(snapshot) == 120 and not isinstance(snapshot.vectors, np.memmap)
    index.close()


def test_lexical_queries_keep_their_rarest_words_within_the_budget(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    items = [Record(id=f"c{n}", kind="achievement", title=f"common widget {n}", description="common words only",
                    language="en") for n in range(40)]
    items.append(Record(id="rare", kind="achievement", title="common widget with a flux capacitor",
                        description="the rare one", language="en"))
    catalog.upsert([(r, f"h{n}") for n, r in enumerate(items)])
    assert catalog.document_frequencies(["common", "capacitor", "absent"]) == {"common": 41, "capacitor": 1}
    unbounded = catalog.lexical_search("common flux capacitor", 100, Filters(), budget=None)
    bounded = catalog.lexical_search("common flux capacitor", 100, Filters(), budget=10)
    assert len(unbounded) == 41 and unbounded[0][0] == "rare"
    assert [doc_id for doc_id, _ in bounded] == ["rare"]  # "common" (41 records) is over the budget
    assert catalog.lexical_search("common", 100, Filters(), budget=10) == []  # nothing informative left
    assert catalog.lexical_search("common flux capacitor", 100, Filters(), budget=1000) == unbounded
    catalog.close()


def test_a_large_mapped_snapshot_reloads_in_the_background(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieval.snapshot_keeper, "_BACKGROUND_RELOAD_RECORDS", 100)  # 120 records count as large
    server = Index(IndexConfig(data_dir=data_dir, embedder_name="hash:64", freshness_seconds=0.0),
                   make_embeddings("hash:64"))
    assert isinstance(server.snapshot().vectors, np.memmap)  # mapped in milliseconds: the load time says "small"
    writer = make_index(data_dir)
    add(writer, records(5, start=900))

    assert len(server.snapshot()) == 120  # the mapped one answers while the next generation is built
    deadline = time.monotonic() + 30
    while len(server.snapshot()) != 125:
        assert time.monotonic() < deadline, "the background reload did not land"
        time.sleep(0.05)
    writer.close()
    server.close()
