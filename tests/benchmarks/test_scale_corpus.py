"""The synthetic benchmark corpus (benchmarks/corpus.py): deterministic, valid records, seed vectors keyed right."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks.corpus import generate, load_sample, write_corpus
from retrieval.record import FIELDS, parse_record

N = 2000


def test_generation_is_deterministic_and_seed_dependent() -> None:
    rows = load_sample()
    first = [r for r, _ in generate(N, 0, rows)]
    again = [r for r, _ in generate(N, 0, rows)]
    other = [r for r, _ in generate(N, 1, rows)]
    assert first == again
    assert first != other


def test_records_are_valid_marked_synthetic_and_spread_over_kinds_fields_languages() -> None:
    records = [parse_record(r) for r, _ in generate(N)]
    assert len({r.id for r in records}) == N
    assert all(r.id.startswith("synth-") and r.source == "synthetic" for r in records)
    kinds = Counter(r.kind for r in records)
    assert kinds == {"achievement": N - N // 3, "demand": N // 3}
    assert {r.field for r in records} <= set(FIELDS)
    assert len({r.field for r in records}) >= 11
    assert {r.language for r in records} == {"en", "zh"}
    assert len({r.country for r in records}) >= 20
    assert all(r.title and r.description for r in records)
    assert sum(bool(r.organization) for r in records) > 0.5 * N


def test_written_files_are_byte_identical_and_seed_vectors_match_embedding_texts(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", 300, vectors=True)
    second = write_corpus(tmp_path / "b", 300, vectors=True)
    assert first.read_bytes() == second.read_bytes()
    with np.load(tmp_path / "a" / "vectors.e5.npz") as data:
        hashes = [str(h) for h in data["hashes"]]
        vectors = np.asarray(data["vectors"], dtype=np.float32)
    records = [parse_record(json.loads(line)) for line in first.read_text(encoding="utf-8").splitlines()]
    expected = [hashlib.sha256(r.embedding_text(400).encode()).hexdigest()[:32] for r in records]
    assert hashes == expected
    assert vectors.shape == (300, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-2)
