"""How well the retrieved records fit the question: strong, weak or none.

`Hit.score` is calibrated (`retrieval.calibration`): a record's dense similarity as a z-score within its
language plus a bounded lexical bonus, the scale of `assistant.chat.relevance`. The best of n standard z-scores is
expected at about sqrt(2 ln n) - (ln ln n + ln 4π) / (2 sqrt(2 ln n)) for ANY question, matching or not (3.5
for the 4,197 sample records, 2.0 for 42). A clear match needs two things beyond chance: its best record beats
that expected maximum, and the records found are about one thing (`retrieval.coherence`: their resemblance, against
two random records of the pool). The best score alone did not tell a need with no fitting record from a fitting
one: realistic needs are long, and a need with no fitting record still finds records that each match one part of
it (on the sample, 24 of 28 such needs cleared the old bar of chance + 0.5; 6 of 28 clear both now, while 27 of 30
dev needs still do). When fewer than two of the records have vectors, the best score decides, with `margin`.
n is the whole corpus (`AnswerChain.retrieve` says why).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from assistant.chat.relevance import RelevanceConfig
from retrieval.calibration import chance_maximum
from retrieval.coherence import COHERENT
from retrieval.index import Hit, Index

__all__ = ["JUDGED", "STRONG_MARGIN", "Strength", "coherence_of", "match_strength", "strong_score"]

Strength = Literal["strong", "weak", "none"]

# Half a standard deviation of the calibrated score above the best a random question gets (judged on the
# question's own evidence, before feedback: realistic needs are long and score lower than keyword queries).
STRONG_MARGIN = 0.5

JUDGED = 5
"""How many of the best distinct records the coherence is judged on: the records an answer shows."""

NEAR_BEST = 2.0
"""Only records within this much of the best are judged together: a record that stands out alone (a small corpus
may hold one record on a topic) is judged by its score."""


def strong_score(config: RelevanceConfig | None = None, *, corpus: int = 0, margin: float = STRONG_MARGIN) -> float:
    """The score a record needs to be a clear match in a corpus of `corpus` records."""
    chance = chance_maximum(corpus) if corpus > 2 else 0.0  # the best of `corpus` scores by chance alone
    return max((config or RelevanceConfig()).min_score, chance) + margin


def coherence_of(index: Index, hits: Sequence[Hit], kind: str | None) -> float | None:
    """The coherence z-score (`retrieval.coherence`) of the best `JUDGED` hits with distinct titles (a series of
    near-identical records is one thing said several times, not evidence of a topic); None without vectors."""
    best = max((h.strength for h in hits), default=0.0)
    distinct: dict[str, Hit] = {}
    for hit in hits:
        if hit.strength >= best - NEAR_BEST:
            distinct.setdefault(" ".join(hit.record.title.casefold().split()) or hit.record.id, hit)
    top = [h.record.id for h in list(distinct.values())[:JUDGED]]
    return index.snapshot().coherence(top, kind=kind) if len(top) >= 2 else None


def match_strength(hits: Sequence[Hit], config: RelevanceConfig | None = None, *, corpus: int = 0,
                   margin: float | None = STRONG_MARGIN, coherence: float | None = None) -> Strength:
    """`none` when nothing was retrieved; `strong` when the best cited hit beats chance and the records cohere
    (`coherence` at least `COHERENT`), or, with no coherence to judge, when the best clears `strong_score`; else
    `weak`. With `margin` None (embeddings without meaning, e.g. the `hash` test double) every retrieved match
    counts as strong."""
    if not hits:
        return "none"
    if margin is None:
        return "strong"
    best = max(h.strength for h in hits)
    if coherence is None:
        return "strong" if best >= strong_score(config, corpus=corpus, margin=margin) else "weak"
    clear = best >= strong_score(config, corpus=corpus, margin=0.0) and coherence >= COHERENT
    return "strong" if clear else "weak"
