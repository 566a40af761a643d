"""Records in PostgreSQL (`retrieval.shared.records`) and a node's replica following them
(`retrieval.shared.replica`), on a real PostgreSQL server; vectors from a stand-in source or an embedded Chroma."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine

from retrieval.catalog import Catalog, Filters
from retrieval.errors import Unavailable
from retrieval.record import Record, content_hash, parse_record
from retrieval.shared import replica as replica_module
from retrieval.shared.records import SharedRecords
from retrieval.shared.replica import Replica
from retrieval.shared.schema import VERSION_TABLE, metadata
from retrieval.shared.vectors import read_vectors
from tests.support.paths import RECORDS
from tests.support.servers import PostgresServer, postgres_missing

pytestmark = pytest.mark.slow
if (_why := postgres_missing()) is not None:
    pytest.skip(_why, allow_module_level=True)

MODEL = "hash-64"
_names = itertools.count()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def engine(postgres: PostgresServer) -> Iterator[Engine]:
    """A new database of its own for each test."""
    built = create_engine(postgres.create_database(f"records_{next(_names)}"), pool_pre_ping=True)
    yield built
    built.dispose()


@pytest.fixture
def shared(engine: Engine) -> SharedRecords:
    return SharedRecords.open(engine)


@pytest.fixture(scope="module")
def sample() -> list[Record]:
    return [parse_record(json.loads(line)) for line in RECORDS.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _items(records: Sequence[Record]) -> list[tuple[Record, str]]:
    return [(r, content_hash(r)) for r in records]


def _text_hash(record: Record) -> str:
    return "t" + content_hash(record)


def _vector(record: Record) -> np.ndarray:
    seed = int(content_hash(record)[:8], 16)
    return np.random.default_rng(seed).standard_normal(64).astype(np.float32)


def _publish(shared: SharedRecords, records: Sequence[Record], embedded: bool = True) -> None:
    shared.upsert(_items(records), [_text_hash(r) for r in records])
    if embedded:
        shared.mark_embedded([(r.id, content_hash(r)) for r in records])


class Vectors:
    """A stand-in for the Chroma server: the vectors of the records given, or Unavailable while `down`."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.known = {r.id: (_text_hash(r), _vector(r)) for r in records}
        self.down = False
        self.asked = 0

    def vectors(self, ids: Sequence[str]) -> dict[str, tuple[str | None, np.ndarray]]:
        self.asked += len(ids)
        if self.down:
            raise Unavailable("Chroma server at test failed")
        return {i: self.known[i] for i in ids if i in self.known}


def _replica(shared: SharedRecords, vectors: Vectors | None, data_dir: Path) -> Replica:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Replica(shared, vectors, Catalog(data_dir / "catalog.sqlite"), MODEL, data_dir / "replica.lock",
                   page=25)


def test_the_migration_creates_exactly_the_declared_tables(shared: SharedRecords) -> None:
    with shared.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, metadata) == []
    assert SharedRecords.open(shared.engine).feed() == shared.feed()  # migrating again changes nothing


def test_writes_move_the_generation_and_deletes_leave_tombstones(shared: SharedRecords,
                                                                 sample: list[Record]) -> None:
    first, second = sample[:3], sample[3:5]
    assert shared.upsert(_items(first), ["a", "b", "c"]) == 1
    assert shared.upsert(_items(second), ["d", "e"]) == 2
    assert shared.delete(first[0].id) and not shared.delete(first[0].id)
    assert shared.get(first[0].id) is None and shared.count() == 4
    assert shared.generation() == 4  # the second delete found nothing but still took a generation
    new = [c.id for page in shared.changes(0, 4) for c in page]
    assert sorted(new) == sorted(r.id for r in first[1:] + second)  # a new replica needs no tombstones
    since_two = [(c.id, c.record is None) for page in shared.changes(2, 4) for c in page]
    assert since_two == [(first[0].id, True)]
    stored = shared.get(second[0].id)
    assert stored is not None and stored.record == second[0] and not stored.embedded


def test_pending_until_marked_embedded(shared: SharedRecords, sample: list[Record]) -> None:
    shared.upsert(_items(sample[:4]), ["a", "b", "c", "d"])
    shared.mark_embedded([(sample[0].id, content_hash(sample[0])), (sample[1].id, "stale-hash")])
    assert shared.count_pending() == 3
    assert {r.id for r, _ in shared.pending(10)} == {r.id for r in sample[1:4]}
    changed = sample[0].model_copy(update={"title": sample[0].title + " (revised)"})
    shared.upsert(_items([changed]), ["a2"])
    assert shared.count_pending() == 4  # a new text needs a new vector


def test_changed_since_returns_each_write_once(shared: SharedRecords, sample: list[Record]) -> None:
    shared.upsert(_items(sample[:2]), ["a", "b"])
    written = shared.changed_since("")
    assert {r.id for _, r in written} == {sample[0].id, sample[1].id}
    assert shared.changed_since(written[-1][0]) == []


def test_concurrent_writers_lose_and_duplicate_nothing_and_a_follower_misses_nothing(
        shared: SharedRecords, sample: list[Record]) -> None:
    copies = [r.model_copy(update={"id": f"{r.id}-{n}"}) for n in range(4) for r in sample[:25]]
    seen: dict[str, int] = {}
    done = threading.Event()

    def follow() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            _, target = shared.feed()
            for page in shared.changes(cursor, target, page=7):
                seen.update({c.id: c.seq for c in page})
            cursor = target
            if finished:
                return

    def write(part: list[Record]) -> None:
        for start in range(0, len(part), 5):  # the same first batch from every writer: the same ids at once
            _publish(shared, part[start:start + 5], embedded=False)
            _publish(shared, copies[:5], embedded=False)

    follower = threading.Thread(target=follow)
    follower.start()
    writers = [threading.Thread(target=write, args=(copies[n::4],)) for n in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    follower.join()
    assert shared.count() == 100 and set(seen) == {r.id for r in copies}
    assert shared.generation() == 4 * 25 * 2 // 5


def test_an_empty_node_warms_from_the_shared_store_and_follows_writes(tmp_path: Path, shared: SharedRecords,
                                                                      sample: list[Record]) -> None:
    _publish(shared, sample[:100])
    vectors = Vectors(sample)
    replica = _replica(shared, vectors, tmp_path / "node")
    assert replica.warming
    steps: list[tuple[str, int, int]] = []
    assert replica.sync(lambda *step: steps.append(step)) == 100
    assert steps[-1] == ("records", 100, 100) and not replica.warming
    catalog = replica.catalog
    assert catalog.count() == 100 and catalog.count_pending() == 0
    ids, _, matrix = catalog.vector_table(MODEL)
    assert len(ids) == 100 and np.allclose(matrix[ids.index(sample[7].id)], _vector(sample[7]))

    _publish(shared, sample[100:101])
    assert shared.delete(sample[0].id)
    assert replica.sync() == 2  # the new record (written, then marked embedded: one row) and the tombstone
    assert catalog.get(sample[0].id) is None and catalog.get(sample[100].id) is not None
    assert catalog.lexical_search(sample[100].title, 5, Filters())[0][0] == sample[100].id
    assert replica.status()["state"] == "ready" and replica.sync() == 0


def test_vectors_that_cannot_be_fetched_are_fetched_later(tmp_path: Path, shared: SharedRecords,
                                                           sample: list[Record],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica_module, "_RETRY_SECONDS", 0.0)
    _publish(shared, sample[:30])
    vectors = Vectors(sample)
    vectors.down = True
    replica = _replica(shared, vectors, tmp_path / "node")
    replica.sync()
    assert replica.catalog.count() == 30 and replica.catalog.count_pending() == 30  # lexically searchable
    assert "Chroma" in replica.status()["error"]
    vectors.down = False
    replica.sync()
    assert replica.catalog.count_pending() == 0


def test_a_restarted_node_fetches_the_vectors_it_still_lacks(tmp_path: Path, shared: SharedRecords,
                                                             sample: list[Record]) -> None:
    _publish(shared, sample[:10])
    vectors = Vectors(sample)
    vectors.down = True
    first = _replica(shared, vectors, tmp_path / "node")
    first.sync()
    first.stop()
    vectors.down = False
    again = _replica(shared, vectors, tmp_path / "node")
    assert not again.warming and again.sync() == 0
    assert again.catalog.count_pending() == 0


def test_a_replaced_database_starts_the_replica_over(tmp_path: Path, postgres: PostgresServer,
                                                      shared: SharedRecords, sample: list[Record]) -> None:
    _publish(shared, sample[:10])
    replica = _replica(shared, Vectors(sample), tmp_path / "node")
    replica.sync()
    other = SharedRecords.open(create_engine(postgres.create_database(f"records_{next(_names)}")))
    _publish(other, sample[50:53])
    replica.shared = other
    replica.sync()
    assert {r.id for r in replica.catalog.iter_records()} == {r.id for r in sample[50:53]}
    other.engine.dispose()


def test_one_process_follows_per_data_dir(tmp_path: Path, shared: SharedRecords, sample: list[Record]) -> None:
    _publish(shared, sample[:5])
    leader = _replica(shared, Vectors(sample), tmp_path / "node")
    second = _replica(shared, Vectors(sample), tmp_path / "node")
    assert leader.sync() == 5 and second.sync() == 0
    assert second.status() == {"state": "ready", "generation": 2, "follower": "another process"}
    leader.stop()
    _publish(shared, sample[5:6])
    assert second.sync() == 1  # it took over: what the leader applied is not applied again


def test_an_embedded_chroma_collection_is_a_vector_source(tmp_path: Path, sample: list[Record]) -> None:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"), settings=Settings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("records-test", metadata={"hnsw:space": "cosine"})
    collection.upsert(ids=[r.id for r in sample[:3]], embeddings=[_vector(r).tolist() for r in sample[:3]],
                      metadatas=[{"text_hash": _text_hash(sample[0])}, {"kind": "x"}, {"kind": "y"}])
    found = read_vectors(collection, [sample[0].id, sample[1].id, "no-such-id"])
    assert set(found) == {sample[0].id, sample[1].id}
    assert found[sample[0].id][0] == _text_hash(sample[0]) and found[sample[1].id][0] is None
    assert np.allclose(found[sample[1].id][1], _vector(sample[1]), atol=1e-5)


def test_the_database_going_away_leaves_the_replica_answering_and_it_recovers(
        tmp_path: Path, sample: list[Record]) -> None:
    server = PostgresServer()
    server.start()
    engine = create_engine(server.url, pool_pre_ping=True)
    try:
        shared = SharedRecords.open(engine)
        _publish(shared, sample[:10])
        replica = _replica(shared, Vectors(sample), tmp_path / "node")
        replica.sync()
        server.stop()
        with pytest.raises(Unavailable, match="record database unavailable"):
            replica.sync()
        with pytest.raises(Unavailable):
            shared.upsert(_items(sample[10:11]), ["x"])
        assert replica.status()["state"] == "stale" and replica.catalog.count() == 10
        server.start()
        _publish(shared, sample[10:12])
        replica.sync()
        assert replica.status()["state"] == "ready" and replica.catalog.count() == 12
    finally:
        engine.dispose()
        server.remove()
