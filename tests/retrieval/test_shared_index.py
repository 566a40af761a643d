"""An index whose records live in PostgreSQL (`Index(..., shared=...)`): writes go to the shared store and to the
node's own replica, other nodes catch up from the feed, and a node that kept its records locally hands them over."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from retrieval.embedder import make_embeddings
from retrieval.index import Index, IndexConfig
from retrieval.ingest import ingest_paths
from retrieval.shared.records import SharedRecords
from tests.support.paths import RECORDS
from tests.support.servers import PostgresServer, postgres_missing

pytestmark = pytest.mark.slow
if (_why := postgres_missing()) is not None:
    pytest.skip(_why, allow_module_level=True)

_names = itertools.count()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def shared(postgres: PostgresServer) -> Iterator[SharedRecords]:
    engine = create_engine(postgres.create_database(f"index_{next(_names)}"), pool_pre_ping=True)
    yield SharedRecords.open(engine)
    engine.dispose()


def _index(data_dir: Path, shared: SharedRecords | None) -> Index:
    return Index(IndexConfig(data_dir=data_dir, embedder_name="hash:64"), make_embeddings("hash:64"), shared)


def test_a_second_node_without_a_chroma_server_computes_the_vectors_it_lacks(
        tmp_path: Path, shared: SharedRecords) -> None:
    first, second = _index(tmp_path / "a", shared), _index(tmp_path / "b", shared)
    try:
        assert ingest_paths(first, [RECORDS]).added == 110
        second.refresh()
        assert second.catalog.count() == 110 and second.catalog.count_pending() == 0
        hits = second.search("satellite orbit", k=5)
        assert [h.record.id for h in hits] == [h.record.id for h in first.search("satellite orbit", k=5)]
    finally:
        first.close()
        second.close()


def test_writes_through_either_node_reach_the_other(tmp_path: Path, shared: SharedRecords) -> None:
    first, second = _index(tmp_path / "a", shared), _index(tmp_path / "b", shared)
    try:
        ingest_paths(first, [RECORDS])
        second.refresh()
        victim = next(first.catalog.iter_records())
        assert second.delete(victim.id) and second.get(victim.id) is None
        first.refresh()
        assert first.get(victim.id) is None and shared.get(victim.id) is None
        assert not first.delete(victim.id)
    finally:
        first.close()
        second.close()


def test_a_node_that_kept_its_records_locally_hands_them_to_an_empty_shared_store(
        tmp_path: Path, shared: SharedRecords) -> None:
    alone = _index(tmp_path / "a", None)
    ingest_paths(alone, [RECORDS])
    alone.close()
    joined = _index(tmp_path / "a", shared)
    try:
        joined.refresh()
        assert shared.count() == 110 and shared.count_pending() == 0
        assert joined.catalog.count() == 110 and joined.catalog.count_pending() == 0
        assert joined.search("satellite orbit", k=5)
    finally:
        joined.close()
