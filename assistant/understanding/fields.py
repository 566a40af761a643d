"""The fields a question (or an inquiry) is about: read from the records retrieved for its topic, or, when none fits
clearly, from the catalogue's field nearest to the question itself."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.index import Hit, Index

__all__ = ["fields_from_hits", "nearest_field"]


def nearest_field(index: Index, text: str) -> str | None:
    """The catalogue's field whose records' centroid the text's vector is nearest to (`retrieval.field_centroids`),
    None for an empty index. How a question is understood when no record clearly matches it: the records that came
    closest are about something else ("prosciutto curing" is not renewable energy because a biogas record came
    closest), and the inquiry classifier's rules and examples know a field only in the words they hold."""
    snapshot = index.snapshot()
    if not len(snapshot) or not text.strip():
        return None
    nearest = snapshot.nearest_fields(np.asarray(index.embeddings.embed_query(text), dtype=np.float32))
    return nearest[0][0] if nearest else None


def fields_from_hits(hits: Sequence[Hit], *, floor: float = 0.0) -> list[tuple[str, float]]:
    """The weighted vote of the retrieved records' `field`s: each record votes with its calibrated score above
    `floor`, discounted by its rank (1/(1+rank)) so the best matches count most. Weights sum to 1, highest first;
    records without a field do not vote."""
    votes: dict[str, float] = {}
    for rank, hit in enumerate(hits):
        if not hit.record.field:
            continue
        weight = max(hit.score - floor, 0.0) / (1 + rank)
        if weight > 0:
            votes[hit.record.field] = votes.get(hit.record.field, 0.0) + weight
    total = sum(votes.values())
    if total <= 0:
        return []
    return sorted(((f, w / total) for f, w in votes.items()), key=lambda t: (-t[1], t[0]))
