"""Hybrid search over the real sample records: relevance, filters, errors, the LangChain retriever."""

from __future__ import annotations

import pytest

from assistant.services import Services
from retrieval.catalog import Filters
from retrieval.errors import InvalidInput
from retrieval.retriever import HybridRetriever


def test_relevant_record_comes_first(loaded_services: Services) -> None:
    hits = loaded_services.index.search("solar photovoltaic cells", k=5)
    assert hits and hits[0].record.field == "renewable_energy"
    assert all(h.snippet for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_chinese_query_finds_chinese_records(loaded_services: Services) -> None:
    hits = loaded_services.index.search("农业 土壤", k=5)
    assert hits and hits[0].record.language == "zh"


@pytest.mark.parametrize(
    "filters",
    [Filters(kind="demand"), Filters(field="aerospace"), Filters(country="CN"), Filters(language="zh"),
     Filters(kind="achievement", country="US", field="aerospace")],
)
def test_filters_apply_to_every_result(loaded_services: Services, filters: Filters) -> None:
    hits = loaded_services.index.search("technology system research", k=20, filters=filters)
    assert hits
    for hit in hits:
        for name, value in filters.items():
            assert getattr(hit.record, name) == value


EUROPE = {"AT", "BE", "CH", "CZ", "DE", "DK", "ES", "FR", "GB", "GR", "IT", "NL", "NO", "PT"}  # of the test records
EUROPEAN_UNION = EUROPE - {"CH", "GB", "NO"}


@pytest.mark.parametrize(("region", "members"), [("150", EUROPE), ("EU", EUROPEAN_UNION)])
def test_a_region_filters_to_its_countries(loaded_services: Services, region: str, members: set[str]) -> None:
    # dense (the snapshot), lexical (SQL) and fused: every result is from the region, and more than one country
    hits = loaded_services.index.search("technology system research energy", k=20, filters=Filters(country=region))
    countries = {h.record.country for h in hits}

    assert hits and countries <= members and len(countries) > 1
    assert {i for i, _ in loaded_services.index.lexical("energy", 50, Filters(country=region))} <= {
        h.record.id for h in loaded_services.index.search("energy", k=100, filters=Filters(country=region))}
    # Chroma answers dense queries before the snapshot is built: "$in" on the country metadata
    vector = loaded_services.index.embeddings.embed_query("energy")
    stored = loaded_services.index.store.query(vector, 20, Filters(country=region))
    assert stored and {loaded_services.index.get(i).country for i, _ in stored} <= members


def test_filter_with_no_match_returns_nothing(loaded_services: Services) -> None:
    assert loaded_services.index.search("solar", k=5, filters=Filters(country="ZZ")) == []


def test_deleted_record_is_gone_from_search(loaded_services: Services) -> None:
    top = loaded_services.index.search("solar photovoltaic cells", k=1)[0].record.id
    assert loaded_services.index.delete(top)
    assert top not in [h.record.id for h in loaded_services.index.search("solar photovoltaic cells", k=20)]
    assert loaded_services.index.get(top) is None


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_is_a_user_error(loaded_services: Services, query: str) -> None:
    with pytest.raises(InvalidInput):
        loaded_services.index.search(query)


def test_punctuation_only_query_returns_dense_results(loaded_services: Services) -> None:
    assert len(loaded_services.index.search("???", k=3)) == 3


def test_stats_count_by_facet(loaded_services: Services) -> None:
    stats = loaded_services.index.stats()
    assert stats["records"] == 110
    assert stats["by_kind"] == {"achievement": 67, "demand": 43}
    assert sum(stats["by_language"].values()) == 110
    assert stats["index"]["vectors"] == 110 and stats["index"]["pending_vectors"] == 0


def test_retriever_returns_documents_with_record_metadata(loaded_services: Services) -> None:
    retriever = HybridRetriever(index=loaded_services.index, k=4, kind="demand")
    docs = retriever.invoke("satellite space situational awareness")
    assert 0 < len(docs) <= 4
    assert all(d.metadata["kind"] == "demand" and d.metadata["id"] == d.id for d in docs)
    assert len(retriever.invoke("satellite", k=2)) == 2
