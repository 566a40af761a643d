"""Coherence: records about one thing resemble each other beyond chance, across languages; records that each match
a different part of a question do not (synthetic vectors with known structure)."""

from __future__ import annotations

import numpy as np

from retrieval.coherence import COHERENT
from retrieval.snapshot import VectorSnapshot

DIM = 64


def _corpus(seed: int = 1) -> tuple[VectorSnapshot, dict[str, list[str]]]:
    """400 records in two languages (each with its own offset, as multilingual embedders give), 40 topics of 10
    records each, 5 per language; demands all share one extra direction (they resemble each other more)."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(40, DIM))
    offsets = {"en": rng.normal(size=DIM) * 2.0, "zh": rng.normal(size=DIM) * 2.0}
    demand_axis = rng.normal(size=DIM) * 3.0
    ids, languages, kinds, vectors = [], [], [], []
    by_topic: dict[str, list[str]] = {}
    for topic in range(40):
        for n in range(10):
            language = "en" if n % 2 == 0 else "zh"
            kind = "demand" if topic % 4 == 0 else "achievement"
            vector = topics[topic] + offsets[language] + rng.normal(size=DIM) * 0.9
            vector = vector + (demand_axis if kind == "demand" else 0.0)
            record_id = f"t{topic}-{n}"
            ids.append(record_id)
            languages.append(language)
            kinds.append(kind)
            vectors.append(vector)
            by_topic.setdefault(f"t{topic}", []).append(record_id)
    snapshot = VectorSnapshot(ids, {"language": languages, "kind": kinds}, np.asarray(vectors, dtype=np.float32))
    return snapshot, by_topic


def test_records_of_one_topic_cohere_across_languages_and_unrelated_ones_do_not() -> None:
    snapshot, by_topic = _corpus()

    one_topic = by_topic["t1"][:5]  # both languages
    scattered = [by_topic[f"t{n}"][0] for n in (1, 2, 3, 5, 6)]  # the same language, five topics

    assert snapshot.coherence(one_topic, kind="achievement") >= COHERENT  # type: ignore[operator]
    assert snapshot.coherence(scattered, kind="achievement") < COHERENT  # type: ignore[operator]


def test_a_pool_of_alike_records_sets_a_higher_bar() -> None:
    snapshot, by_topic = _corpus()
    scattered_demands = [by_topic[f"t{n}"][0] for n in (0, 4, 8, 12, 16)]

    against_demands = snapshot.coherence(scattered_demands, kind="demand")
    against_everything = snapshot.coherence(scattered_demands, kind=None)

    assert against_demands is not None and against_everything is not None
    assert against_demands < COHERENT <= against_everything  # demands resemble each other: not evidence of a topic


def test_fewer_than_two_known_records_have_no_coherence_and_the_result_is_reproducible() -> None:
    snapshot, by_topic = _corpus()

    assert snapshot.coherence([by_topic["t1"][0]]) is None
    assert snapshot.coherence([by_topic["t1"][0], "no-such-record"]) is None
    assert snapshot.coherence(by_topic["t2"][:5]) == _corpus()[0].coherence(by_topic["t2"][:5])


def test_a_restored_snapshot_judges_alike() -> None:
    snapshot, by_topic = _corpus()
    vectors, arrays = snapshot.state()

    restored = VectorSnapshot.restore(vectors, arrays)

    assert restored.coherence(by_topic["t3"][:5], kind="achievement") == snapshot.coherence(by_topic["t3"][:5],
                                                                                             kind="achievement")


def test_a_snapshot_knows_each_languages_share_of_the_records() -> None:
    snapshot = VectorSnapshot(["a", "b", "c", "d"], {"language": ["en", "zh", "en", "en"]},
                              np.eye(4, dtype=np.float32))

    assert snapshot.language_shares() == {"en": 0.75, "zh": 0.25}
