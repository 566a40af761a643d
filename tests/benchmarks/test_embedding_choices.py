"""The embedding-choices benchmark (benchmarks/embedding_choices.py) end to end, at a tiny scale with hash vectors."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.embedding_choices import FRACTIONS, Choice, run, to_markdown

CHOICE = Choice("hash-200", "hash:64", 200)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out: dict[str, Any] = run([CHOICE], tmp_path_factory.mktemp("choices"), records=8, per_language=1,
                              sample_records=4)
    out["command"] = "pytest"
    return out


def test_throughput_is_measured_and_extrapolated_to_the_platform_size(report: dict[str, Any]) -> None:
    row = report["throughput"][CHOICE.name]

    assert row["records"] == 8
    assert row["records_per_s"] > 0 and row["records_per_cpu_s"] > 0
    assert row["hours_150k"] == pytest.approx(150_000 / row["records_per_s"] / 3600, abs=0.01)


def test_quality_covers_both_eval_sets_with_hybrid_and_dense(report: dict[str, Any]) -> None:
    sets = report["quality"][CHOICE.name]

    assert set(sets) == set(report["eval_sets"]) and len(sets) == 2
    for row in sets.values():
        assert {"hybrid", "dense"} <= set(row)
        assert 0.0 <= row["hybrid"]["scores"]["ALL"]["ndcg"] <= 1.0
    sample = next(row for name, row in sets.items() if name.startswith("sample"))
    assert "cross" in sample["hybrid"]["by_kind"] and "topical_precision@5" in sample["dense"]


def test_a_complete_backfill_scores_as_the_embedded_index(report: dict[str, Any]) -> None:
    for row in report["quality"][CHOICE.name].values():
        assert list(row["backfill"]) == [f"{f:g}" for f in FRACTIONS]
        assert row["backfill"]["1"] == pytest.approx(row["hybrid"]["scores"]["ALL"])


def test_markdown_has_the_throughput_quality_and_backfill_tables(report: dict[str, Any]) -> None:
    text = to_markdown(report)

    assert "## a. Throughput" in text and "| hash-200 |" in text
    assert text.count("## b. Quality") == 2 and "## c. During the backfill" in text
