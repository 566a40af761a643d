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

The query side is not enough on a real corpus: a few records stand out for almost any query. Records with
little text ("pvslib", "georef repository") get atypical vectors, far from their language's centroid, so
their z-score varies several times more from query to query than a typical record's and reaches the top
for many unrelated questions (hubs), cross-language ones especially. `DocumentMoments` also calibrates the
document side, as CSLS does for word translation: each record's z-scores for a sample of pseudo-queries
(other records' vectors, the same number from each language) give its usual level h(d) and spread s(d),
and the ranking score is

    score(q, d) = (z(q, d) - h(d)) / sqrt(s(d))

a z-score of the z-score, with the spread's square root: dividing by the whole spread also flattens
genuine differences between records (on the XQuAD dev set MRR@10 0.909 against 0.911 with the root).
A typical record has h ≈ 0 and s ≈ 0.85, a one-line record up to h ≈ 2, s ≈ 2.6. The sample costs
O(records x sample) once per snapshot; few pseudo-queries (a small corpus) shrink h towards 0 and s
towards 1, a prior of `prior` pseudo-queries.

A pseudo-query in another language that matches a record beyond what chance gives over all record x
pseudo-query pairs (the expected maximum of that many standard z-scores, about 4.9 for 4,500 records and 512
pseudo-queries) is a translation of it, not a sign that the record stands out for unrelated questions: such pairs
are left out of h and s. Without that, a corpus whose languages hold different material (Wikipedia paragraphs in
four languages mixed into English and Chinese tech records: Spanish and Russian then hold only paragraphs, so half
the pseudo-queries are translations or near neighbours of every English paragraph) marked the English paragraphs as
hubs, and plain cosine found the answering paragraph first more often (XQuAD mixed into the sample corpus, MRR@10
0.837 against 0.845; left out: 0.859). Same-language pairs always count: leaving out every pair above the
threshold also truncated the spread of records in a small corpus (110 records: threshold 3.6), which inflated
their scores and judged a need with no fitting record a clear match. On a corpus without translations almost no
pair is that high, and nothing changes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Calibration", "DocumentMoments", "LanguageStats"]

_MIN_STD = 1e-3
MOMENTS_VERSION = 3
"""Stored snapshots with document moments of another version are rebuilt (3: translations left out)."""


def chance_maximum(n: int) -> float:
    """The expected largest of n standard normal scores (Gumbel approximation); 1 for fewer than 3."""
    if n < 3:
        return 1.0
    root = math.sqrt(2 * math.log(n))
    return root - (math.log(math.log(n)) + math.log(4 * math.pi)) / (2 * root)


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
    scatter = np.zeros((vectors.shape[1], vectors.shape[1]), dtype=np.float64)
    for start in range(0, len(vectors), 16384):  # centred in chunks: no copy of all vectors at 150k records
        centred = vectors[start:start + 16384] - mean
        scatter += centred.T @ centred
    return mean, np.asarray(scatter / len(vectors), dtype=vectors.dtype)


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

    def state(self) -> dict[str, np.ndarray]:
        """Arrays that `restore` turns back into this calibration (to store a snapshot on disk)."""
        languages = list(self.stats)
        dim = self._overall.mean.shape[0] if self._overall is not None else 1
        overall = self._overall or LanguageStats(np.zeros(dim, np.float32), np.zeros((dim, dim), np.float32), 0)
        return {
            "languages": np.asarray(languages, dtype=str),
            "means": np.asarray([self.stats[lang].mean for lang in languages], dtype=np.float32).reshape(-1, dim),
            "covs": np.asarray([self.stats[lang].cov for lang in languages], dtype=np.float32).reshape(-1, dim, dim),
            "counts": np.asarray([self.stats[lang].count for lang in languages], dtype=np.int64),
            "overall_mean": overall.mean, "overall_cov": overall.cov,
            "overall_count": np.asarray(overall.count if self._overall is not None else -1),
        }

    @classmethod
    def restore(cls, state: Mapping[str, np.ndarray]) -> Calibration:
        """The calibration whose `state` this is."""
        calibration = cls([], np.zeros((0, 1), dtype=np.float32))
        count = int(state["overall_count"])
        if count >= 0:
            calibration._overall = LanguageStats(state["overall_mean"], state["overall_cov"], count)
        for n, language in enumerate(state["languages"].tolist()):
            calibration.stats[str(language)] = LanguageStats(state["means"][n], state["covs"][n],
                                                             int(state["counts"][n]))
        return calibration

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

    def moments_many(self, queries: np.ndarray, language: str) -> tuple[np.ndarray, np.ndarray]:
        """`moments` of many unit queries (rows) at once: arrays of means and standard deviations."""
        stats = self.stats.get(language, self._overall)
        if stats is None:
            return np.zeros(len(queries)), np.ones(len(queries))
        variance = np.einsum("ij,jk,ik->i", queries, stats.cov, queries)
        return queries @ stats.mean, np.maximum(np.sqrt(np.maximum(variance, 0.0)), _MIN_STD)

    def zscore(self, query: np.ndarray, language: str, scores: Sequence[float]) -> list[float]:
        """Cosine scores of documents of `language` as z-scores against that language, for this query."""
        mean, std = self.moments(query, language)
        return [(s - mean) / std for s in scores]


class DocumentMoments:
    """Each record's usual z-score and spread of z-scores over a sample of pseudo-queries (its hubness).

    `level[n]` and `spread[n]` belong to row n of `vectors`; `adjust` turns query-side z-scores of rows into
    the ranking score (z - level) / sqrt(spread). Pseudo-queries are up to `sample` records, the same number
    from each language, drawn with a fixed seed; a record is never its own pseudo-query, nor is a translation of
    it (another language's pseudo-query above `chance_maximum` of all pairs: see the module docstring).
    """

    def __init__(self, calibration: Calibration, languages: Sequence[str], vectors: np.ndarray, *,
                 sample: int = 512, prior: float = 16.0, seed: int = 0, chunk: int = 8192) -> None:
        matrix = np.asarray(vectors, dtype=np.float32)
        order = np.asarray(list(languages), dtype=object)
        n = len(matrix)
        self.level = np.zeros(n, dtype=np.float32)
        self.spread = np.ones(n, dtype=np.float32)
        if sample <= 0:  # `restored` fills level and spread
            return
        present = [language for language in calibration.languages if np.any(order == language)]
        if n < 2 or not present:
            return
        rng = np.random.default_rng(seed)
        per = max(1, sample // len(present))
        picked = [rng.choice(rows, min(per, len(rows)), replace=False)
                  for rows in (np.flatnonzero(order == language) for language in present)]
        queries_at = np.sort(np.concatenate(picked))
        queries = _unit(matrix[queries_at])
        copy = chance_maximum(len(queries) * n)  # above this, another language's pseudo-query is a translation
        query_languages = order[queries_at]
        moments = {language: calibration.moments_many(queries, language) for language in present}
        total = np.zeros(n)
        squares = np.zeros(n)
        counts = np.zeros(n)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            cosines = queries @ _unit(matrix[start:stop]).T  # pseudo-queries x records
            z = np.zeros_like(cosines)
            for language in present:
                columns = np.flatnonzero(order[start:stop] == language)
                mean, std = moments[language]
                z[:, columns] = (cosines[:, columns] - mean[:, None]) / std[:, None]
            own = np.flatnonzero((queries_at >= start) & (queries_at < stop))
            # a translation: another language's pseudo-query beyond the chance maximum of all pairs
            counted = (z <= copy) | (query_languages[:, None] == order[start:stop][None, :])
            counted[own, queries_at[own] - start] = False  # a record is not its own pseudo-query
            total[start:stop] = np.where(counted, z, 0.0).sum(axis=0)
            squares[start:stop] = np.where(counted, z * z, 0.0).sum(axis=0)
            counts[start:stop] = counted.sum(axis=0)
        counts = np.maximum(counts, 1.0)
        level = total / counts
        variance = np.maximum(squares / counts - level ** 2, 0.0)
        self.level = np.asarray(level * counts / (counts + prior), dtype=np.float32)
        self.spread = np.asarray(np.sqrt((variance * counts + prior) / (counts + prior)), dtype=np.float32)

    @classmethod
    def restore(cls, level: np.ndarray, spread: np.ndarray) -> DocumentMoments:
        """Moments computed before (a snapshot on disk)."""
        moments = cls(Calibration([], np.zeros((0, 1), dtype=np.float32)), [], np.zeros((0, 1)), sample=0)
        moments.level, moments.spread = level, spread
        return moments

    def adjust(self, rows: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The ranking scores of `rows` from their query-side z-scores."""
        return np.asarray((z - self.level[rows]) / np.sqrt(np.maximum(self.spread[rows], _MIN_STD)))
