"""Score fusion of calibrated dense scores with normalised BM25."""

from __future__ import annotations

import pytest

from retrieval.ranking import confident_bm25, fuse_scores


def test_without_lexical_matches_the_dense_order_stays() -> None:
    fused = fuse_scores({"a": 3.0, "b": 2.0, "c": 1.0}, [])

    assert [doc for doc, _ in fused] == ["a", "b", "c"]


def test_lexical_bonus_is_bounded_by_its_weight() -> None:
    fused = dict(fuse_scores({"a": 3.0, "b": 2.5}, [("b", 12.0), ("a", 3.0)], lexical_weight=1.0))

    assert fused["b"] == pytest.approx(3.5)
    assert fused["a"] == pytest.approx(3.25)


def test_lexical_breaks_near_ties_but_not_clear_dense_wins() -> None:
    near = fuse_scores({"a": 3.0, "b": 2.9}, [("b", 5.0)], lexical_weight=0.5)
    clear = fuse_scores({"a": 5.0, "b": 2.9}, [("b", 5.0)], lexical_weight=0.5)

    assert near[0][0] == "b"
    assert clear[0][0] == "a"


def test_lexical_only_candidates_start_from_the_dense_floor() -> None:
    fused = dict(fuse_scores({"a": 3.0, "b": 1.0}, [("x", 8.0), ("y", 4.0)], lexical_weight=1.0))

    assert fused["x"] == pytest.approx(1.0 + 1.0)
    assert fused["y"] == pytest.approx(1.0 + 0.5)


def test_an_explicit_floor_and_zero_weight() -> None:
    fused = dict(fuse_scores({"a": 1.0}, [("x", 2.0)], lexical_weight=0.0, missing_dense=-1.0))

    assert fused == {"a": 1.0, "x": -1.0}


def test_weak_lexical_matches_give_a_small_bonus() -> None:
    fused = dict(fuse_scores({"a": 1.0, "b": 1.0}, [("b", 0.5)], lexical_weight=1.0, confident=5.0))

    assert fused["b"] == pytest.approx(1.1)


def test_confident_bm25_grows_with_the_corpus() -> None:
    assert confident_bm25(10) < confident_bm25(10_000)
    assert confident_bm25(0) > 0
