"""Per-language calibration removes a shared same-language offset from dense scores."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.calibration import Calibration, DocumentMoments, chance_maximum
from retrieval.catalog import Filters
from retrieval.snapshot import VectorSnapshot


def _parallel_corpus(seed: int = 3) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """40 topics written in 'en' and 'zh': topic vector plus a strong language direction (the bias of e5)."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(40, 32))
    language = {"en": rng.normal(size=32) * 2.0, "zh": rng.normal(size=32) * 2.0}
    ids, languages, rows = [], [], []
    for t, topic in enumerate(topics):
        for lang, offset in language.items():
            ids.append(f"t{t}-{lang}")
            languages.append(lang)
            rows.append(topic + offset + rng.normal(size=32) * 0.3)
    query = topics[5] + language["zh"] * 1.0
    return ids, languages, np.asarray(rows), query


def test_raw_cosine_prefers_the_query_language_over_the_relevant_translation() -> None:
    ids, _, vectors, query = _parallel_corpus()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    ranked = [ids[i] for i in np.argsort(-(unit @ query))]

    assert ranked[0] == "t5-zh"
    assert ranked.index("t5-en") > 1  # unrelated zh records come before the English version


def test_calibrated_scores_put_both_language_versions_first() -> None:
    ids, languages, vectors, query = _parallel_corpus()
    snapshot = VectorSnapshot(ids, {"language": languages}, vectors)

    scores = snapshot.calibrated(query, limit=50, filters=Filters())

    assert set(sorted(scores, key=lambda i: -scores[i])[:2]) == {"t5-zh", "t5-en"}


def test_zscore_is_the_standardised_cosine_within_the_language() -> None:
    _, languages, vectors, query = _parallel_corpus()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    q = query / np.linalg.norm(query)
    en = unit[[lang == "en" for lang in languages]]
    cosines = en @ q

    z = Calibration(languages, vectors, prior=0.0).zscore(query, "en", cosines.tolist())

    assert np.mean(z) == pytest.approx(0.0, abs=1e-5)
    assert np.std(z) == pytest.approx(1.0, rel=0.01)


def test_a_rare_language_borrows_the_corpus_statistics() -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(41, 16))
    languages = ["en"] * 40 + ["fr"]
    calibration = Calibration(languages, vectors, prior=4.0)
    everyone = Calibration(["xx"] * 41, vectors, prior=0.0)
    query = rng.normal(size=16)

    fr_mean, _ = calibration.moments(query, "fr")
    all_mean, _ = everyone.moments(query, "xx")
    lone = float(vectors[40] @ query / np.linalg.norm(vectors[40]) / np.linalg.norm(query))

    assert abs(fr_mean - all_mean) < abs(lone - all_mean)
    assert fr_mean == pytest.approx(0.2 * lone + 0.8 * all_mean, abs=1e-5)


def test_empty_calibration_leaves_cosines_unchanged() -> None:
    calibration = Calibration([], np.zeros((0, 8)))

    assert calibration.zscore(np.ones(8), "en", [0.5, 0.25]) == [0.5, 0.25]
    assert calibration.languages == []


def test_snapshot_applies_every_filter_within_each_language() -> None:
    ids, languages, vectors, query = _parallel_corpus()
    kinds = ["demand" if n % 3 == 0 else "achievement" for n in range(len(ids))]
    snapshot = VectorSnapshot(ids, {"language": languages, "kind": kinds}, vectors)

    found = snapshot.top_by_language(query, 50, Filters(kind="demand", language="en"))

    assert list(found) == ["en"]
    assert found["en"] and all(kinds[ids.index(i)] == "demand" and i.endswith("-en") for i, _ in found["en"])


def test_snapshot_scores_only_records_it_holds() -> None:
    ids, languages, vectors, query = _parallel_corpus()
    snapshot = VectorSnapshot(ids, {"language": languages}, vectors)
    best = snapshot.calibrated(query, 50, Filters())

    scores = snapshot.score(query, ["t5-en", "missing"])

    assert list(scores) == ["t5-en"]
    assert scores["t5-en"] == pytest.approx(best["t5-en"], rel=1e-5)


def _brute_force_moments(languages: list[str], vectors: np.ndarray,
                         calibration: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """z of record n for every other record taken as the query: its mean and standard deviation."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    z = np.full((len(unit), len(unit)), np.nan)
    for n, record in enumerate(unit):
        for m, query in enumerate(unit):
            if m != n:
                mean, std = calibration.moments(query, languages[n])
                z[m, n] = (float(query @ record) - mean) / std
    other = np.asarray(languages)[:, None] != np.asarray(languages)[None, :]
    z[other & (z > chance_maximum(len(unit) * len(unit)))] = np.nan  # nor is a translation of it
    return np.nanmean(z, axis=0), np.nanstd(z, axis=0)


def test_document_moments_are_each_records_mean_and_spread_of_z_over_the_other_records() -> None:
    _, languages, vectors, _ = _parallel_corpus()
    calibration = Calibration(languages, vectors)

    moments = DocumentMoments(calibration, languages, vectors, sample=len(vectors), prior=0.0)
    level, spread = _brute_force_moments(languages, vectors, calibration)

    assert moments.level == pytest.approx(level, abs=1e-4)
    assert moments.spread == pytest.approx(spread, abs=1e-4)


def test_adjusted_score_is_the_z_score_relative_to_the_records_usual_scores() -> None:
    _, languages, vectors, _ = _parallel_corpus()
    moments = DocumentMoments(Calibration(languages, vectors), languages, vectors)
    rows = np.array([0, 7])

    adjusted = moments.adjust(rows, np.array([2.0, 2.0]))

    assert adjusted == pytest.approx((2.0 - moments.level[rows]) / np.sqrt(moments.spread[rows]), rel=1e-5)


def test_a_record_far_from_its_language_is_scored_against_its_wider_spread() -> None:
    ids, languages, vectors, _ = _parallel_corpus()
    rng = np.random.default_rng(11)
    odd = vectors[:40:2].mean(axis=0) + rng.normal(size=32) * 6.0  # an 'en' record unlike every other one
    stacked = np.vstack([vectors, odd])
    snapshot = VectorSnapshot([*ids, "odd"], {"language": [*languages, "en"]}, stacked)
    spread = snapshot.documents.spread

    assert spread[-1] > 1.5 * np.median(spread[:-1])


def test_few_records_keep_the_prior_and_one_record_is_left_alone() -> None:
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(3, 8))
    languages = ["en", "en", "zh"]

    few = DocumentMoments(Calibration(languages, vectors), languages, vectors, prior=16.0)
    lone = DocumentMoments(Calibration(["en"], vectors[:1]), ["en"], vectors[:1])

    assert np.all(np.abs(few.level) < 0.3) and np.all(np.abs(few.spread - 1.0) < 0.3)
    assert lone.level.tolist() == [0.0] and lone.spread.tolist() == [1.0]


def test_an_empty_snapshot_finds_nothing() -> None:
    snapshot = VectorSnapshot([], {}, np.zeros((0, 1)))

    assert len(snapshot) == 0
    assert snapshot.calibrated(np.ones(8), 10, Filters()) == {}
    assert snapshot.score(np.ones(8), ["missing"]) == {}


def test_translations_of_a_record_do_not_make_it_a_hub() -> None:
    """Spanish holds three near-copies (translations) of each of the first 20 English records and nothing else,
    so a quarter of the pseudo-queries are copies: they say nothing about how a record scores for unrelated
    questions, and the copied records keep the usual level and spread of the others."""
    rng = np.random.default_rng(7)
    english = rng.normal(size=(300, 32))
    spanish = np.repeat(english[:20], 3, axis=0) + rng.normal(size=(60, 32)) * 0.05
    vectors = np.vstack([english, spanish])
    languages = ["en"] * 300 + ["es"] * 60
    calibration = Calibration(languages, vectors)

    moments = DocumentMoments(calibration, languages, vectors, sample=120)

    copied, others = slice(0, 20), slice(20, 300)
    assert abs(float(moments.level[copied].mean() - moments.level[others].mean())) < 0.1  # 0.18 counting copies
    assert abs(float(moments.spread[copied].mean() - moments.spread[others].mean())) < 0.1  # 0.31 counting them


def test_same_language_neighbours_still_count_however_close() -> None:
    """Only another language's pseudo-query is taken for a translation: close neighbours in the record's own
    language keep counting, so a small corpus keeps the spread its scores are judged by."""
    rng = np.random.default_rng(7)
    english = rng.normal(size=(300, 32))
    copies = np.repeat(english[:10], 6, axis=0) + rng.normal(size=(60, 32)) * 0.05  # near-copies, also English
    vectors = np.vstack([english, copies])
    languages = ["en"] * 360
    moments = DocumentMoments(Calibration(languages, vectors), languages, vectors, sample=360)

    copied, others = slice(0, 10), slice(10, 300)
    assert float(moments.spread[copied].mean() - moments.spread[others].mean()) > 0.1
