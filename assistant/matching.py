"""Demand ↔ achievement matching: counterpart records with the reasons they fit."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.chat.relevance import RelevanceConfig, substantive
from assistant.chat.results import Match
from assistant.locale.countries import country_name
from assistant.locale.lexicon import content_terms
from assistant.locale.texts import localize, term_label
from retrieval.catalog import Filters
from retrieval.errors import InvalidInput, NotFound
from retrieval.index import Hit, Index
from retrieval.record import Record

__all__ = ["Matcher"]

_QUERY_CHARS = 1500
_LEAD_CHARS = 400
_COUNTERPART = {"achievement": "demand", "demand": "achievement"}


@dataclass(frozen=True)
class _Source:
    kind: str
    text: str
    record: Record | None = None


def _shared_keywords(terms: set[str], record: Record, limit: int = 5) -> list[str]:
    """The record's keywords that the source text mostly contains (at least half of their words)."""
    shared = []
    for keyword in record.keywords:
        words = content_terms(keyword)
        if words and 2 * len(words & terms) >= len(words):
            shared.append(keyword)
    return list(dict.fromkeys(shared))[:limit]


def _trl_reason(source: Record | None, other: Record, language: str) -> tuple[str | None, bool]:
    offer, need = (source, other) if source is not None and source.kind == "achievement" else (other, source)
    if offer is not None and offer.trl and need is not None and need.trl:
        fits = offer.trl >= need.trl
        key = "match_trl_meets" if fits else "match_trl_below"
        return localize(key, language, offer=str(offer.trl), need=str(need.trl)), fits
    if other.trl:
        return localize("match_trl", language, trl=str(other.trl)), False
    return None, False


class Matcher:
    """Finds counterparts in the index and explains each match."""

    def __init__(self, index: Index, relevance: RelevanceConfig | None = None) -> None:
        self.index = index
        self.relevance = relevance or RelevanceConfig()

    def _source(self, record_id: str | None, text: str | None, kind: str) -> _Source:
        if (record_id is None) == (text is None):
            raise InvalidInput("give a record id or a text (not both)")
        if record_id is not None:
            record = self.index.get(record_id)
            if record is None:
                raise NotFound(f"no record with id {record_id!r}")
            # Title and lead, like the embedded text: a whole description dilutes the query.
            return _Source(record.kind, f"{record.title}\n{record.description[:_LEAD_CHARS]}", record)
        if kind not in _COUNTERPART:
            raise InvalidInput("kind must be achievement or demand")
        if not text or not text.strip():
            raise InvalidInput("the text is empty")
        return _Source(kind, text.strip()[:_QUERY_CHARS])

    def match(self, *, record_id: str | None = None, text: str | None = None, kind: str = "demand",
              k: int = 10, language: str = "en") -> list[Match]:
        """Up to k counterparts (demands for an achievement, achievements for a demand), best first,
        with reasons in `language`."""
        if not 1 <= k <= 100:
            raise InvalidInput("k must be between 1 and 100")
        source = self._source(record_id, text, kind)
        hits = self.index.search(source.text, k=min(100, k + 10), filters=Filters(kind=_COUNTERPART[source.kind]))
        hits = [h for h in hits if h.score >= self.relevance.counterpart_score and substantive(h, self.relevance)
                and (source.record is None or h.record.id != source.record.id)]
        if not hits:
            return []
        top = hits[0].score or 1.0
        terms = content_terms(source.text)
        matches = [self._explain(source, hit, terms, top, language) for hit in hits]
        matches.sort(key=lambda m: -m.score)
        return matches[:k]

    def _explain(self, source: _Source, hit: Hit, terms: set[str], top: float, language: str) -> Match:
        record, mine = hit.record, source.record
        reasons: list[str] = []
        bonus = 0.0
        if mine is not None and mine.field and mine.field == record.field:
            reasons.append(localize("match_same_field", language, field=term_label("field", record.field, language)))
            bonus += 0.15
        keywords = _shared_keywords(terms, record)
        if keywords:
            reasons.append(localize("match_keywords", language, keywords=", ".join(keywords)))
            bonus += 0.05 * min(3, len(keywords))
        if mine is not None and mine.country and mine.country == record.country:
            reasons.append(localize("match_same_country", language, country=country_name(record.country, language)))
            bonus += 0.05
        trl, fits = _trl_reason(mine, record, language)
        if trl:
            reasons.append(trl)
            bonus += 0.05 if fits else 0.0
        cooperation = sorted(set(mine.cooperation) & set(record.cooperation)) if mine is not None else []
        if cooperation:
            types = ", ".join(term_label("coop", c, language) for c in cooperation)
            reasons.append(localize("match_cooperation", language, types=types))
            bonus += 0.05
        if not reasons:
            reasons.append(localize("match_similar", language))
        return Match(id=record.id, kind=record.kind, title=record.title, organization=record.organization,
                     score=round(hit.score / top + bonus, 4), reasons=reasons)
