"""The fields a question (or an inquiry) is about, read from the records retrieved for its topic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from retrieval.index import Hit

__all__ = ["TextFields", "fields_from_hits"]


class TextFields(Protocol):
    """Reads the field a text names by its own words (the inquiry classifier's rules and labelled examples)."""

    def field_of(self, text: str) -> str:
        """A field of the catalogue, or "other"."""
        ...


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
