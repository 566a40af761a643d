"""How an index is set up (`IndexConfig`) and how its long operations report progress (`Progress`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrieval.ranking import LEXICAL_WEIGHT

__all__ = ["IndexConfig", "Progress"]

Progress = Callable[[str, int, int], None]
"""progress(phase, done, total)"""


@dataclass(frozen=True)
class IndexConfig:
    """Where the index lives and how records are embedded."""

    data_dir: Path
    embedder_name: str
    chroma_url: str | None = None
    lead_chars: int = 400
    embed_batch: int = 64
    candidates: int = 50
    lexical_weight: float = LEXICAL_WEIGHT
    freshness_seconds: float = 1.0
