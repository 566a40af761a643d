"""Search for a need rather than a sentence: the topic weighs most, the asked-for kind is preferred, and the
best first-pass records pull the query toward their part of the corpus.

A need arrives framed ("who can help us bring our medical technologies to practice?"). `NeedQuery` carries the
parts the understanding step separated: texts to embed with weights (the topic, and the whole question, so
nothing the framing filter removed by mistake is lost), the lexical query (the topic words only:
framing words would otherwise decide BM25, most of all in a language the corpus barely holds, where every word
is rare) and a preferred kind.

Pseudo-relevance feedback (Rocchio, in the embedder's space): the centroid of the first pass's best records is
added to the query vector. Records are written in the corpus's own languages and words, so the centroid carries
the topic in the records' language, which a question in another language reaches only weakly. The same records
vote on the need's field (weighted by score): the second pass prefers records of the leading field by at most
`field_weight` standard deviations, which keeps a long question from drifting to its least important clause.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from retrieval.catalog import Filters
from retrieval.companion import Companion
from retrieval.errors import InvalidInput
from retrieval.hybrid import Hit, rank_hybrid
from retrieval.index import Index

__all__ = ["OPINION_WEIGHT", "NeedQuery", "field_votes", "search_need"]

OPINION_WEIGHT = 0.5
"""How much the second embedder's z-score adds to a candidate's score (`retrieval.companion`): half of e5's."""


@dataclass(frozen=True)
class NeedQuery:
    """What to search for: weighted texts to embed, the lexical query, a kind preference and feedback depth."""

    texts: Sequence[tuple[str, float]]
    lexical: str
    kind_bonus: Mapping[str, float] = field(default_factory=dict)
    feedback_records: int = 8
    feedback_weight: float = 1.0
    field_weight: float = 0.5
    snippet: str | None = None
    language: str | None = None
    """The question's language: the second embedder (`retrieval.companion`) speaks only some."""


def _unit(vector: np.ndarray) -> np.ndarray:
    return np.asarray(vector / max(float(np.linalg.norm(vector)), 1e-12), dtype=np.float32)


def query_vector(index: Index, texts: Sequence[tuple[str, float]]) -> np.ndarray:
    """The weighted sum of the texts' unit query vectors, normalized."""
    vectors = [weight * _unit(np.asarray(index.embeddings.embed_query(text), dtype=np.float32))
               for text, weight in texts if text.strip() and weight > 0]
    if not vectors:
        raise InvalidInput("the query is empty")
    return _unit(np.sum(vectors, axis=0))


def field_votes(hits: Sequence[Hit]) -> list[tuple[str, float]]:
    """The fields of `hits`, each with its share of their (positive) scores, largest first."""
    votes: dict[str, float] = {}
    for hit in hits:
        if hit.record.field and hit.record.field != "other":
            votes[hit.record.field] = votes.get(hit.record.field, 0.0) + max(hit.score, 0.0)
    total = sum(votes.values())
    return sorted(((name, weight / total) for name, weight in votes.items()), key=lambda v: -v[1]) if total else []


def _opinion(companion: Companion | None, query: NeedQuery) -> Callable[[Sequence[str]], dict[str, float]] | None:
    """The second embedder's weighted z-scores of candidates, remembered per record; None when it has none."""
    scorer = companion.scorer(query.texts, query.language) if companion is not None else None
    if scorer is None:
        return None
    known: dict[str, float] = {}

    def opinion(ids: Sequence[str]) -> dict[str, float]:
        fresh = [i for i in dict.fromkeys(ids) if i not in known]
        if fresh:
            scores = scorer(fresh)
            known.update({i: OPINION_WEIGHT * scores.get(i, 0.0) for i in fresh})
        return {i: known[i] for i in ids if i in known}

    return opinion


def search_need(index: Index, query: NeedQuery, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """The best `k` records for the need (see the module docstring)."""
    if not 1 <= k <= 100:
        raise InvalidInput("k must be between 1 and 100")
    filters = filters or Filters()
    vector = original = query_vector(index, query.texts)
    snippet = query.snippet or query.lexical
    opinion = _opinion(index.companion, query)
    field_bonus: dict[str, float] = {}
    if query.feedback_records > 0 and query.feedback_weight > 0:
        first = rank_hybrid(index, vector, query.lexical, query.feedback_records, filters,
                            snippet_query=snippet, kind_bonus=query.kind_bonus, opinion=opinion)
        found = index.snapshot().vectors_of([h.record.id for h in first])
        if len(found):
            vector = _unit(vector + query.feedback_weight * _unit(found.mean(axis=0)))
        votes = field_votes(first)
        if votes and query.field_weight > 0 and not filters.field:
            field_bonus = {votes[0][0]: query.field_weight * votes[0][1]}
    hits = rank_hybrid(index, vector, query.lexical, k, filters, snippet_query=snippet, kind_bonus=query.kind_bonus,
                       field_bonus=field_bonus, opinion=opinion)
    if vector is original and opinion is None:
        return hits
    # feedback lifts every score toward its records, and the second embedder's opinion reorders: the evidence is
    # e5's dense score of the question alone
    snapshot = index.snapshot()
    ids = [h.record.id for h in hits]
    before, after = snapshot.score(original, ids), snapshot.score(vector, ids)
    extra = opinion(ids) if opinion is not None else {}
    return [replace(h, evidence=h.score - extra.get(h.record.id, 0.0)
                    + (before[h.record.id] - after[h.record.id] if h.record.id in before else 0.0)) for h in hits]
