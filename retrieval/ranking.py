"""Hybrid ranking: calibrated dense scores plus normalised BM25, fused by score.

Rank fusion (RRF) throws away how sure each source is: with it, BM25's tenth-best same-language record
counts as much as its best, and same-language records crowd out the other-language ones that dense
retrieval found. Here the dense score is a calibrated z-score (see `retrieval.calibration`) and BM25 is
divided by the query's best BM25, so a lexical match adds at most about `lexical_weight` standard deviations:
decisive between near-equal dense candidates (names, codes, numbers), not over a clearly better one.
The divisor is at least `confident`, the BM25 of one rare matching word: when the best match only shares
common words (Chinese 的, 用), the bonus stays small instead of lifting every same-language record.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["LEXICAL_WEIGHT", "confident_bm25", "fuse_scores"]

LEXICAL_WEIGHT = 1.0


def confident_bm25(records: int) -> float:
    """BM25 of one matching word that occurs in a single record of a corpus this size (its IDF, about)."""
    return math.log(max(records, 2))


def fuse_scores(dense: Mapping[str, float], lexical: Sequence[tuple[str, float]], *,
                lexical_weight: float = LEXICAL_WEIGHT, missing_dense: float | None = None,
                confident: float = 0.0) -> list[tuple[str, float]]:
    """(id, fused score) best first; ties keep dense order, then lexical order.

    `dense` maps ids to calibrated dense scores; `lexical` is (id, BM25 score) best first. A lexical
    candidate without a dense score gets `missing_dense` (default: the lowest dense score, since dense
    retrieval ranked it below all of its own candidates). BM25 is divided by max(best BM25, `confident`).
    """
    floor = missing_dense if missing_dense is not None else min(dense.values(), default=0.0)
    best = max(max((score for _, score in lexical), default=0.0), confident)
    bonus = {doc_id: lexical_weight * score / best for doc_id, score in lexical if best > 0 and score > 0}
    fused = {doc_id: score + bonus.get(doc_id, 0.0) for doc_id, score in dense.items()}
    for doc_id, _ in lexical:
        if doc_id not in fused:
            fused[doc_id] = floor + bonus.get(doc_id, 0.0)
    return sorted(fused.items(), key=lambda item: -item[1])
