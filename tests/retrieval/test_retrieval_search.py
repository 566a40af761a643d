"""Hybrid search keeps its in-memory vectors in step with the catalog, and filters every candidate source."""

from __future__ import annotations

from dataclasses import replace

from assistant.services import Services
from retrieval.catalog import Filters
from retrieval.embedder import make_embeddings
from retrieval.index import Index
from retrieval.ingest import ingest_rows
from retrieval.reader import Row


def _row(record_id: str, title: str, description: str, **extra: object) -> Row:
    data = {"id": record_id, "kind": "achievement", "title": title, "description": description, "language": "en"}
    return Row("test", 1, {**data, **extra})


def _second_index(services: Services) -> Index:
    """Another process's view of the same data directory (e.g. `ttc ingest` while `ttc serve` runs)."""
    config = replace(services.index.config, freshness_seconds=0.0)
    return Index(config, make_embeddings(config.embedder_name))


def test_record_ingested_by_another_process_is_found(loaded_services: Services) -> None:
    reader = _second_index(loaded_services)
    try:
        assert "new-1" not in [h.record.id for h in reader.search("zyxwvut quasicrystal", k=5)]

        ingest_rows(loaded_services.index, [_row("new-1", "Zyxwvut quasicrystal", "A zyxwvut quasicrystal lattice.")])

        hits = reader.search("zyxwvut quasicrystal", k=5)
        assert hits[0].record.id == "new-1"
        assert "dense" in hits[0].sources
    finally:
        reader.close()


def test_record_updated_by_another_process_is_rescored(loaded_services: Services) -> None:
    ingest_rows(loaded_services.index, [_row("upd-1", "Quartz oscillator", "A quartz oscillator.")])
    reader = _second_index(loaded_services)
    try:
        reader.search("quartz oscillator", k=3)

        ingest_rows(loaded_services.index, [_row("upd-1", "Graphene membrane", "A graphene desalination membrane.")])

        hits = reader.search("graphene desalination membrane", k=3)
        assert hits[0].record.id == "upd-1"
        assert hits[0].record.title == "Graphene membrane"
    finally:
        reader.close()


def test_record_without_a_vector_is_found_lexically(loaded_services: Services) -> None:
    ingest_rows(loaded_services.index, [_row("lex-1", "Xylophonic dampers", "Xylophonic dampers.", country="BR")],
                embed=False)

    hits = loaded_services.index.search("xylophonic dampers", k=5, filters=Filters(country="BR"))

    assert [h.record.id for h in hits] == ["lex-1"]
    assert hits[0].sources == {"lexical": 1}


def test_filters_apply_to_records_found_only_lexically(loaded_services: Services) -> None:
    ingest_rows(loaded_services.index, [_row("lex-2", "Xylophonic dampers", "Xylophonic dampers.", country="BR")],
                embed=False)

    hits = loaded_services.index.search("xylophonic dampers", k=20, filters=Filters(country="US"))

    assert hits and all(h.record.country == "US" for h in hits)


def test_search_covers_every_language_of_the_corpus(loaded_services: Services) -> None:
    snapshot = loaded_services.index.snapshot()

    hits = loaded_services.index.search("technology research system", k=50)

    assert snapshot.calibration.languages == ["en", "zh"]
    assert {h.record.language for h in hits} == {"en", "zh"}


def test_scores_are_best_first_and_sources_are_ranks(loaded_services: Services) -> None:
    hits = loaded_services.index.search("satellite space situational awareness", k=10)

    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(set(h.sources) <= {"dense", "lexical"} and all(r >= 1 for r in h.sources.values()) for h in hits)
