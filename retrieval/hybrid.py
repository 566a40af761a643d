"""Hybrid ranking of one query vector and one lexical query: calibrated dense candidates of every language plus
BM25, fused by score (`retrieval.ranking`), optionally with a bonus per record kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.catalog import Filters
from retrieval.ranking import confident_bm25, fuse_scores
from retrieval.record import Record
from retrieval.snippet import make_snippet

if TYPE_CHECKING:
    from retrieval.searchable import Searchable

__all__ = ["Hit", "rank_hybrid"]


@dataclass(frozen=True)
class Hit:
    """One search result."""

    record: Record
    score: float
    snippet: str
    sources: dict[str, int] = field(default_factory=dict)
    evidence: float | None = None
    """How well the question itself matches, on the scale of `score`, where `score` also carries what ranking
    added on top (`retrieval.need`'s feedback); None when the two are the same."""

    @property
    def strength(self) -> float:
        """The score to judge the match by: the evidence when there is one, else the score."""
        return self.score if self.evidence is None else self.evidence

    def as_dict(self) -> dict[str, Any]:
        r = self.record
        return {"id": r.id, "kind": r.kind, "title": r.title, "organization": r.organization,
                "country": r.country, "field": r.field, "score": round(self.score, 6), "snippet": self.snippet}


def rank_hybrid(index: Searchable, vector: np.ndarray, lexical_query: str, k: int, filters: Filters, *,
                snippet_query: str | None = None, kind_bonus: Mapping[str, float] | None = None,
                field_bonus: Mapping[str, float] | None = None,
                opinion: Callable[[Sequence[str]], Mapping[str, float]] | None = None) -> list[Hit]:
    """The `k` best records for a query vector and a lexical query (see `Index.search`).

    `kind_bonus` and `field_bonus` add to the fused score of records of a kind or field (a preference, where a
    filter would exclude); `opinion` maps candidate ids to a further addition (`retrieval.need`'s second embedder),
    for the candidates it knows.
    """
    limit = max(index.config.candidates, k)
    snapshot = index.snapshot()
    dense = snapshot.calibrated(vector, limit, filters)
    if not len(snapshot):
        dense = dict(index.store.query(vector.tolist(), limit, filters))
    lexical = index.lexical(lexical_query, limit, filters) if lexical_query.strip() else []
    unseen = snapshot.score(vector, [i for i, _ in lexical if i not in dense])
    # A record without a vector yet (a backfill in progress) stands in for the dense candidate of its lexical
    # rank: lexical search's r-th best counts as dense search's r-th best. Taking it for a typical candidate
    # (the median) ranked it below the embedded ones, and search while a quarter of the corpus had vectors
    # was worse than lexical search alone (benchmarks/embedding_choices.py).
    ladder = sorted(dense.values(), reverse=True)
    pending = {doc_id: ladder[min(rank, len(ladder) - 1)] for rank, (doc_id, _) in enumerate(lexical)
               if ladder and doc_id not in dense and doc_id not in unseen}
    fused = fuse_scores({**dense, **unseen, **pending}, lexical, lexical_weight=index.config.lexical_weight,
                        missing_dense=0.0, confident=confident_bm25(len(snapshot)))
    if opinion is not None:
        extra = opinion([i for i, _ in fused])
        fused = sorted(((i, s + extra.get(i, 0.0)) for i, s in fused), key=lambda item: -item[1])
    if kind_bonus or field_bonus:
        kinds, fields = kind_bonus or {}, field_bonus or {}
        records = index.catalog.get_many([i for i, _ in fused])
        fused = sorted(((i, s + kinds.get(records[i].kind, 0.0) + fields.get(records[i].field or "", 0.0)
                         if i in records else s) for i, s in fused), key=lambda item: -item[1])
        top = fused[: k * 2]
    else:
        top = fused[: k * 2]
        records = index.catalog.get_many([i for i, _ in top])
    dense_rank = {i: n for n, i in enumerate(sorted(dense, key=lambda i: -dense[i]), 1)}
    lexical_rank = {i: n for n, (i, _) in enumerate(lexical, 1)}
    hits = []
    for rid, score in top:
        record = records.get(rid)
        if record is None:
            continue
        sources = {name: rank for name, rank in (("dense", dense_rank.get(rid)), ("lexical", lexical_rank.get(rid)))
                   if rank is not None}
        hits.append(Hit(record, score, make_snippet(record.description, snippet_query or lexical_query), sources))
        if len(hits) == k:
            break
    return hits
