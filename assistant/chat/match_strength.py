"""How well the retrieved records fit the question: strong, weak or none.

`Hit.score` is calibrated (`retrieval.calibration`): a record's dense similarity as a z-score within its
language plus a bounded lexical bonus, the scale of `assistant.chat.relevance`. The best of n standard z-scores is
expected at about sqrt(2 ln n) - (ln ln n + ln 4π) / (2 sqrt(2 ln n)) for ANY question, matching or not (3.5
for the 4,197 sample records, 2.0 for 42), so a clear match must beat that expected maximum by about one
standard deviation; below it the best records are only the closest ones. On the sample, topical questions
("solar desalination", "battery recycling") score 5.6-9; needs with no fitting record 3.6-4.5. n is the number of
records the search could return: a search filtered to demands, or to a country, is judged against those.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from assistant.chat.relevance import RelevanceConfig
from retrieval.calibration import chance_maximum
from retrieval.index import Hit

__all__ = ["STRONG_MARGIN", "Strength", "match_strength", "strong_score"]

Strength = Literal["strong", "weak", "none"]

# Half a standard deviation of the calibrated score above the best a random question gets (judged on the
# question's own evidence, before feedback: realistic needs are long and score lower than keyword queries).
STRONG_MARGIN = 0.5


def strong_score(config: RelevanceConfig | None = None, *, corpus: int = 0, margin: float = STRONG_MARGIN) -> float:
    """The score a record needs to be a clear match in a corpus of `corpus` records."""
    chance = chance_maximum(corpus) if corpus > 2 else 0.0  # the best of `corpus` scores by chance alone
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
    best = max(h.strength for h in hits)
    return "strong" if best >= strong_score(config, corpus=corpus, margin=margin) else "weak"
