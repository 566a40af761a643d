"""Searching an index: a query checked, embedded and ranked by the hybrid ranking (`retrieval.hybrid`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from retrieval.catalog import Filters
from retrieval.errors import InvalidInput
from retrieval.hybrid import Hit, rank_hybrid

if TYPE_CHECKING:
    from retrieval.searchable import Searchable

__all__ = ["search"]


def search(index: Searchable, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
    """Hybrid search: calibrated dense candidates of every language plus BM25, fused by score.

    Dense candidates are the best records of each language, their cosines turned into z-scores within
    their language (`retrieval.calibration`), which removes the embedder's preference for the query's
    own language, then measured against each record's usual z-scores, which keeps records that score
    high for any query (one-line entries, hubs) from the top; BM25 adds a bounded bonus
    (`retrieval.ranking`). Both sources apply `filters`.
    """
    query = query.strip()
    if not query:
        raise InvalidInput("the query is empty")
    if not 1 <= k <= 100:
        raise InvalidInput("k must be between 1 and 100")
    vector = np.asarray(index.embeddings.embed_query(query), dtype=np.float32)
    return rank_hybrid(index, vector, query, k, filters or Filters())
