"""Which retrieved records are really about the question (hybrid search always returns something).

`Index.search` scores a record by its dense similarity standardised within the record's language
(a z-score over the corpus, `retrieval.calibration`) plus a bounded BM25 bonus (`retrieval.ranking`).
That makes one threshold meaningful for every language. It cannot tell off-topic questions on its
own (the best of n z-scores is about sqrt(2 ln n) for any question); `assistant.chat.topic` does that
first, and this threshold then drops records that are not close enough to cite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.catalog import Filters
from retrieval.index import Hit, Index
from retrieval.need import NeedQuery, search_need

__all__ = ["RelevanceConfig", "Retrieved", "retrieve", "retrieve_need", "substantive"]


@dataclass(frozen=True)
class RelevanceConfig:
    """Thresholds on `Hit.score`: records close enough to cite, and counterparts worth suggesting
    (partners of an answerable question, matches of a record: a ranking, so a lower floor)."""

    min_score: float = 2.2
    counterpart_score: float = 1.5
    candidates: int = 20
    thin_chars: int = 80


@dataclass(frozen=True)
class Retrieved:
    """Hits above the citation threshold, and the wider set partner suggestions may draw on."""

    hits: list[Hit] = field(default_factory=list)
    partner_hits: list[Hit] = field(default_factory=list)


def retrieve(index: Index, query: str, filters: Filters | None = None,
             config: RelevanceConfig | None = None) -> Retrieved:
    """Hybrid search behind the relevance gate; empty when nothing clears the threshold."""
    config = config or RelevanceConfig()
    if index.catalog.count() == 0:
        return Retrieved()
    return _gate(index.search(query, k=config.candidates, filters=filters or Filters()), config)


def retrieve_need(index: Index, query: NeedQuery, filters: Filters | None = None,
                  config: RelevanceConfig | None = None) -> Retrieved:
    """`retrieve` for an understood need (`retrieval.need`): searched by its topic and kind."""
    config = config or RelevanceConfig()
    if index.catalog.count() == 0:
        return Retrieved()
    return _gate(search_need(index, query, k=config.candidates, filters=filters or Filters()), config)


def _gate(found: list[Hit], config: RelevanceConfig) -> Retrieved:
    hits = [h for h in found if substantive(h, config)]
    cited = [h for h in hits if h.score >= config.min_score]
    if not cited:
        return Retrieved()
    return Retrieved(hits=cited, partner_hits=[h for h in hits if h.score >= config.counterpart_score])


def substantive(hit: Hit, config: RelevanceConfig) -> bool:
    """A record with almost no description ("georef repository") cannot ground an answer, and short
    texts sit close to every question in embedding space; keep it only when its words matched."""
    return len(hit.record.description) >= config.thin_chars or "lexical" in hit.sources
