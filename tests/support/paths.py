"""Where the repository, the test data and the test artifacts are."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
RECORDS = DATA / "records.jsonl"
ARTIFACTS = REPO / "test-artifacts"
BENCHMARKS = REPO / "benchmarks"
