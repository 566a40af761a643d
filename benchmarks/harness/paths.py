"""Where the benchmarks read and write: the repository, its sample corpus, the results, and ../shared/eval."""

from __future__ import annotations

from pathlib import Path

__all__ = ["RESULTS", "ROOT", "SAMPLE_DIR", "SAMPLE_FILES", "SHARED_EVAL", "shared_eval"]

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_FILES = [SAMPLE_DIR / "achievements.jsonl", SAMPLE_DIR / "demands.jsonl"]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
"""Evaluation sets kept beside the repository; benchmarks read them when present, the product never needs them."""


def shared_eval(*parts: str) -> Path | None:
    """A file or folder under ../shared/eval, or None when it is not there."""
    path = SHARED_EVAL.joinpath(*parts)
    return path if path.exists() else None
