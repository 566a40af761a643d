"""The eval metrics match shared/eval/score.py: hand-computed cases, and the scorer itself when present."""

from __future__ import annotations

import importlib.util
import math
import random

import pytest

from retrieval.evaluation import EvalQuery, aggregate, score_ranking
from tests.support.paths import REPO

SCORER = REPO.parent / "shared" / "eval" / "score.py"


def test_first_hit_at_rank_one_and_a_second_at_rank_three() -> None:
    score = score_ranking(["a", "x", "b"], ["a", "b"])

    assert score.recall == 1.0
    assert score.rr == 1.0
    assert score.ndcg == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))


def test_first_relevant_at_rank_three() -> None:
    score = score_ranking(["x", "y", "a", "z"], ["a", "b", "c", "d"])

    assert score.rr == pytest.approx(1 / 3)
    ideal = sum(1 / math.log2(i + 2) for i in range(4))
    assert score.ndcg == pytest.approx(0.5 / ideal)


def test_duplicates_count_once_and_do_not_use_up_the_cutoff() -> None:
    score = score_ranking(["x", "x", "x", "a"], ["a"], k=2)

    assert score.rr == 0.5
    assert score.ndcg == pytest.approx(1 / math.log2(3))


def test_nothing_relevant_within_k_scores_zero() -> None:
    assert score_ranking(["x", "y", "a"], ["a"], k=2) == score_ranking([], ["a"], k=2)
    assert score_ranking([], ["a"]).ndcg == 0.0


def test_ideal_dcg_is_capped_at_k() -> None:
    score = score_ranking(["a", "b"], ["a", "b", "c"], k=2)

    assert score.ndcg == pytest.approx(1.0)


def test_aggregate_means_per_language_micro_and_macro() -> None:
    queries = [EvalQuery("q1", "en", "", ("a",)), EvalQuery("q2", "en", "", ("b",)),
               EvalQuery("q3", "zh", "", ("c",))]
    rankings = {"q1": ["a"], "q2": ["x", "b"]}  # q3 has no ranking: it scores 0

    scores = aggregate(queries, rankings)

    assert scores["en"]["mrr"] == pytest.approx(0.75)
    assert scores["zh"]["mrr"] == 0.0
    assert scores["ALL"]["mrr"] == pytest.approx(1.5 / 3)
    assert scores["macro"]["mrr"] == pytest.approx(0.375)
    assert scores["en"]["recall"] == 1.0 and scores["en"]["n"] == 2


@pytest.mark.skipif(not SCORER.is_file(), reason="shared/eval/score.py is not beside this checkout")
def test_agrees_with_the_reference_scorer_on_random_rankings() -> None:
    spec = importlib.util.spec_from_file_location("reference_score", SCORER)
    assert spec is not None and spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    rng = random.Random(7)
    docs = [f"d{i}" for i in range(30)]
    queries = [EvalQuery(f"q{n}", rng.choice(["en", "zh", "ar"]), "", tuple(rng.sample(docs, rng.randint(1, 12))))
               for n in range(200)]
    rankings = {q.qid: rng.choices(docs, k=rng.randint(0, 15)) for q in queries if rng.random() < 0.9}

    ours = aggregate(queries, rankings)
    theirs = reference.evaluate([{"qid": q.qid, "lang": q.lang, "relevant": list(q.relevant)} for q in queries],
                                rankings, 10)

    for lang, row in theirs.items():
        for metric in ("recall", "mrr", "ndcg"):
            assert ours[lang][metric] == pytest.approx(row[f"{metric}@10"], abs=1e-12)
