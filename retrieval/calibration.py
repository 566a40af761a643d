"""Per-language calibration of dense similarity: removes the embedder's preference for same-language text.

Multilingual embedders such as e5 give every document in the query's language a bonus: a Chinese question
scores unrelated Chinese records above the English record that answers it. Here each document's cosine is
standardised against the documents of its own language, for this very query:

    z(q, d) = (cos(q, d) - mean_L(q)) / std_L(q),    L = language(d)

mean_L(q) = q · centroid_L and std_L(q)² = qᵀ Σ_L q are exact over the corpus (the centroid and covariance
of language L's vectors), so a query costs one small matrix product per language. The shift a query's
language gives to its own documents cancels out, whatever the query's language is; nothing needs to know
that language. Languages with few records borrow strength from the whole corpus (a prior of `prior`
pseudo-records), so one lone record is judged against the corpus-wide statistics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Calibration", "LanguageStats"]

_MIN_STD = 1e-3


@dataclass(frozen=True)
class LanguageStats:
    """Mean vector and covariance of one language's document vectors, and how many there were."""

    mean: np.ndarray
    cov: np.ndarray
    count: int


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def _moments(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = vectors.mean(axis=0)
    centred = vectors - mean
    return mean, (centred.T @ centred) / len(vectors)


class Calibration:
    """Per-language mean and covariance of unit document vectors, to z-score a document's cosine for a query."""

    def __init__(self, languages: Sequence[str], vectors: np.ndarray, prior: float = 4.0) -> None:
        if len(languages) != len(vectors):
            raise ValueError("one language per vector")
        self.stats: dict[str, LanguageStats] = {}
        self._overall: LanguageStats | None = None
        if not len(languages):
            return
        unit = _unit(np.asarray(vectors, dtype=np.float32))
        order = np.asarray(list(languages), dtype=object)
        counts = sorted(Counter(languages).items(), key=lambda item: (-item[1], item[0]))
        moments = {language: _moments(unit[order == language]) for language, _ in counts}
        overall_mean = unit.mean(axis=0)
        # spread within a language, pooled: the between-language spread is the bias we remove, not noise
        within = np.sum([moments[language][1] * count for language, count in counts], axis=0) / len(unit)
        self._overall = LanguageStats(overall_mean, within, len(unit))
        for language, count in counts:
            mean, cov = moments[language]
            weight = count / (count + prior)
            self.stats[language] = LanguageStats(mean=weight * mean + (1 - weight) * overall_mean,
                                                 cov=weight * cov + (1 - weight) * within, count=count)

    @property
    def languages(self) -> list[str]:
        """Document languages, most frequent first."""
        return list(self.stats)

    def moments(self, query: np.ndarray, language: str) -> tuple[float, float]:
        """Mean and standard deviation of cos(query, d) over the documents d of `language`.

        An unknown language gets the corpus-wide moments; an empty calibration gives (0, 1): raw cosines.
        """
        stats = self.stats.get(language, self._overall)
        if stats is None:
            return 0.0, 1.0
        q = _unit(np.asarray(query, dtype=np.float32))
        variance = float(q @ stats.cov @ q)
        return float(q @ stats.mean), max(max(variance, 0.0) ** 0.5, _MIN_STD)

    def zscore(self, query: np.ndarray, language: str, scores: Sequence[float]) -> list[float]:
        """Cosine scores of documents of `language` as z-scores against that language, for this query."""
        mean, std = self.moments(query, language)
        return [(s - mean) / std for s in scores]
