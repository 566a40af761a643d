"""Whether the records a search found are about one thing, against chance.

A question that fits the corpus lands in a topic: its best records resemble each other. A question with no fitting
record still gets a best score well above chance (records of the question's setting, its material, its country each
match one part of it: "biodegradable packaging for frozen fish" finds a fish-protection prize, a packaging record, a
biodegradable-plastics project), but those records have little in common. On the sample corpus, 28 needs with no
fitting record had best scores as high as fitting needs (median 4.4 against 4.8), so the best score alone called
24 of them clear matches; the resemblance of their records told 22 of the 28 apart, and 27 of 30 fitting needs.

Coherence is the mean pairwise cosine of the records' vectors with each language's mean vector removed (records in
two languages resemble each other less only because of the language), as a z-score against pairs of records drawn
at random from the same pool (demands resemble each other more than achievements do, so each kind is its own pool).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

__all__ = ["COHERENT", "PairMoments", "coherence_z", "language_means"]

COHERENT = 2.0
"""Records this many standard deviations of a random pair's similarity above its mean are about one thing."""

_PAIRS = 20_000
_CHUNK = 4_096


def _centred(vectors: np.ndarray, rows: np.ndarray, languages: np.ndarray, means: np.ndarray) -> np.ndarray:
    """The rows' vectors minus their language's mean vector, unit length."""
    centred = np.asarray(vectors[rows], dtype=np.float32) - means[languages[rows]]
    return np.asarray(centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12), dtype=np.float32)


class PairMoments:
    """Mean and standard deviation of the centred cosine of two random records of a pool (fixed seed: every process
    of a deployment judges alike)."""

    def __init__(self, vectors: np.ndarray, languages: np.ndarray, means: np.ndarray, rows: np.ndarray,
                 pairs: int = _PAIRS) -> None:
        rng = np.random.default_rng(0)
        sims: list[np.ndarray] = []
        if len(rows) >= 2:
            first, second = rng.choice(rows, pairs), rng.choice(rows, pairs)
            keep = first != second
            first, second = first[keep], second[keep]
            for start in range(0, len(first), _CHUNK):  # a few MB at a time, whatever the corpus size
                a = _centred(vectors, first[start:start + _CHUNK], languages, means)
                b = _centred(vectors, second[start:start + _CHUNK], languages, means)
                sims.append(np.einsum("ij,ij->i", a, b))
        values = np.concatenate(sims) if sims else np.zeros(0, dtype=np.float32)
        self.mean = float(values.mean()) if len(values) > 1 else 0.0
        self.std = float(values.std()) if len(values) > 1 else 0.0


def coherence_z(vectors: np.ndarray, languages: np.ndarray, means: np.ndarray, rows: Sequence[int],
                pool: Callable[[], PairMoments]) -> float | None:
    """How far the mean pairwise centred cosine of `rows` lies above a random pair's, in standard deviations of
    `pool`'s; None for fewer than two rows or a pool with no spread."""
    if len(rows) < 2:
        return None
    moments = pool()
    if moments.std <= 0:
        return None
    unit = _centred(vectors, np.asarray(rows, dtype=np.int64), languages, means)
    n = len(rows)
    gram = unit @ unit.T
    mean = (float(gram.sum()) - float(np.trace(gram))) / (n * (n - 1))
    return (mean - moments.mean) / moments.std


def language_means(codes: Sequence[str], stats: Mapping[str, np.ndarray], dim: int) -> np.ndarray:
    """One mean vector per language code, in code order (zeros for a language without statistics)."""
    return np.asarray([stats.get(code, np.zeros(dim, dtype=np.float32)) for code in codes],
                      dtype=np.float32).reshape(len(codes), dim)
