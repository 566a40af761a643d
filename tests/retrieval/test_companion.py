"""The second embedder's opinion (`retrieval.companion`, real USE over the 110 sample records): vectors filled once and
cached, candidates scored as z-scores, silent outside its languages, and kept out of the evidence the gates judge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.services import Services, build_services
from retrieval.catalog import Filters
from retrieval.companion import Companion
from retrieval.embedder import make_embeddings
from retrieval.ingest import ingest_paths
from retrieval.need import NeedQuery, search_need
from retrieval.record import Record
from tests.support.paths import RECORDS
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow  # the real e5 and USE embedders

BATTERY = "lityum iyon pil geri dönüşümü"  # Turkish: lithium-ion battery recycling


@pytest.fixture(scope="module")
def e5(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    folder: Path = tmp_path_factory.mktemp("companion")
    services = build_services(make_settings(folder / "data", embedder="e5"))
    ingest_paths(services.index, [RECORDS])
    yield services
    services.close()


def _companion(services: Services) -> Companion:
    companion = services.index.companion
    assert companion is not None
    return companion


def test_the_composition_root_adds_it_to_a_meaningful_embedder_only(e5: Services, tmp_path: Path) -> None:
    assert isinstance(e5.index.companion, Companion)
    for settings in (make_settings(tmp_path / "hash"), make_settings(tmp_path / "off", embedder="e5", companion="off")):
        services = build_services(settings)
        try:
            assert services.index.companion is None
        finally:
            services.close()


def test_ingest_filled_every_vector_once(e5: Services) -> None:
    companion = _companion(e5)

    assert companion.prepare() == 0  # the ingest did it; nothing is embedded twice


def test_candidates_on_the_topic_score_above_the_others(e5: Services) -> None:
    scorer = _companion(e5).scorer([(BATTERY, 1.0)], "tr")
    assert scorer is not None
    ids = [r.id for r in e5.index.catalog.iter_records()]
    scores = scorer(ids)

    titles = {rid: (e5.index.get(rid) or Record(id=rid, title="?", description="?")).title for rid in scores}
    best = sorted(scores, key=lambda rid: -scores[rid])[:3]
    assert any("batter" in titles[rid].lower() or "电池" in titles[rid] for rid in best), [titles[r] for r in best]
    assert len(scores) == len(ids)  # every sample record is in English or Chinese, both its languages


def test_no_opinion_outside_its_languages(e5: Services) -> None:
    companion = _companion(e5)

    assert companion.scorer([("बैटरी रीसाइक्लिंग", 1.0)], "hi") is None  # Hindi: not among its languages
    assert companion.scorer([(BATTERY, 1.0)], None) is None


def test_a_record_written_later_is_embedded_when_first_scored(e5: Services) -> None:
    record = e5.index.prepare(Record(id="late-battery", kind="demand", title="Geri dönüşüm için pil sökme robotu",
                                     description="Lityum iyon pil paketlerini güvenle söken bir robot arıyoruz.",
                                     language="tr"))
    changed, *_ = e5.index.classify([record])
    e5.index.write(changed)
    companion = _companion(e5)
    scorer = companion.scorer([(BATTERY, 1.0)], "tr")
    assert scorer is not None
    generation = e5.index.catalog.generation()

    scores = scorer(["late-battery"])

    assert "late-battery" in scores and scores["late-battery"] > 2.0  # about the topic, in the question's language
    assert companion.prepare() == 0  # its vector is cached now
    assert e5.index.catalog.generation() == generation  # and the index's snapshot has no reason to reload


def test_the_opinion_reorders_but_the_evidence_stays_e5s(e5: Services) -> None:
    query = NeedQuery(texts=[(BATTERY, 1.0)], lexical=BATTERY, feedback_records=0, language="tr")
    without = NeedQuery(texts=[(BATTERY, 1.0)], lexical=BATTERY, feedback_records=0, language="hi")

    hits = search_need(e5.index, query, k=10, filters=Filters())
    plain = {h.record.id: h for h in search_need(e5.index, without, k=20, filters=Filters())}

    assert [h.record.id for h in hits] != [h.record.id for h in plain.values()][:10]  # it had a say
    for hit in hits:
        if hit.record.id in plain:  # the gates judge e5's score of the question, whatever the opinion added
            assert hit.strength == pytest.approx(plain[hit.record.id].score, abs=1e-4)


def test_a_failing_model_leaves_search_without_an_opinion(e5: Services) -> None:
    class Broken:
        def embed_query(self, text: str) -> list[float]:
            raise RuntimeError("model gone")

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            raise RuntimeError("model gone")

    companion = Companion(e5.index.config, e5.index.catalog, make_embeddings("use"))
    companion.embeddings = Broken()  # type: ignore[assignment]

    assert companion.scorer([(BATTERY, 1.0)], "tr") is None
