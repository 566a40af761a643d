"""How well the retrieved records fit the question: strong, weak or none.

`Hit.score` is calibrated (`retrieval.calibration`): a record's dense similarity as a z-score within its
language plus a bounded lexical bonus, the scale of `assistant.relevance`. The best of n z-scores is about
sqrt(2 ln n) for ANY question, matching or not (about 4.1 for the 4,197 sample records, 2.8 for 45), so a clear
match must beat that expected maximum by a margin; below it the best records are only the closest ones.
On the sample, topical questions ("solar desalination", "battery recycling") score 5.6-9; needs with no
fitting record 3.6-4.6.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from assistant.relevance import RelevanceConfig
from retrieval.index import Hit

__all__ = ["STRONG_MARGIN", "Strength", "match_strength", "strong_score"]

Strength = Literal["strong", "weak", "none"]

# About one standard deviation of the calibrated score above the best a random question gets.
STRONG_MARGIN = 0.9


def strong_score(config: RelevanceConfig | None = None, *, corpus: int = 0, margin: float = STRONG_MARGIN) -> float:
    """The score a record needs to be a clear match in a corpus of `corpus` records."""
    chance = math.sqrt(2 * math.log(corpus)) if corpus > 1 else 0.0
    return max((config or RelevanceConfig()).min_score, chance) + margin


def match_strength(hits: Sequence[Hit], config: RelevanceConfig | None = None, *, corpus: int = 0,
                   margin: float | None = STRONG_MARGIN) -> Strength:
    """`none` when nothing was retrieved, `strong` when the best cited hit clears `strong_score`, else `weak`.
    With `margin` None (embeddings without meaning, e.g. the `hash` test double) every retrieved match counts
    as strong."""
    if not hits:
        return "none"
    if margin is None:
        return "strong"
    best = max(h.score for h in hits)
    return "strong" if best >= strong_score(config, corpus=corpus, margin=margin) else "weak"
