"""Near-duplicate questions grouped together: the same normalized text, or close meaning in the embedder's space."""

from __future__ import annotations

import difflib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

__all__ = ["Asked", "Group", "group_questions"]

log = logging.getLogger(__name__)

MAX_GROUPS = 300
"""Distinct texts compared pairwise (the most asked ones); the rest stay grouped by exact normalized text."""


_MIN_TEXT = 12


@dataclass(frozen=True)
class Asked:
    """One asked question as the grouping sees it."""

    question: str
    normalized: str
    language: str
    asked_at: datetime


@dataclass
class Group:
    """Questions that ask the same thing: the most recent wording stands for them."""

    question: str
    language: str
    count: int
    last_asked: datetime
    key: str = ""
    variants: list[str] = field(default_factory=list)
    languages: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form; `language` is the group's most common language."""
        return {"question": self.question, "language": self.language, "count": self.count,
                "last_asked": self.last_asked.isoformat(), "variants": self.variants[:5],
                "languages": dict(self.languages)}


def _exact_groups(items: Sequence[Asked]) -> list[Group]:
    groups: dict[str, Group] = {}
    for item in sorted(items, key=lambda a: a.asked_at, reverse=True):
        key = item.normalized or item.question.strip().lower()
        group = groups.get(key)
        if group is None:
            groups[key] = Group(question=item.question, language=item.language, count=1, last_asked=item.asked_at,
                                key=key, variants=[item.question], languages=Counter({item.language: 1}))
        else:
            group.count += 1
            group.languages[item.language] += 1
    return list(groups.values())


def _similar_text(a: str, b: str, threshold: float) -> bool:
    """Typos and small rewordings; very short texts differ in meaning by one character ("model a2" / "a3")."""
    if min(len(a), len(b)) < _MIN_TEXT:
        return False
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold \
        and matcher.ratio() >= threshold


def _close_pairs(texts: list[str], embed: Callable[[str], list[float]] | None, threshold: float,
                 text_threshold: float) -> list[tuple[int, int]]:
    vectors = None
    if embed is not None:
        try:
            matrix = np.asarray([embed(t) for t in texts], dtype=np.float32)
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
            vectors = matrix @ matrix.T
        except Exception as exc:  # an embedder failure costs the grouping its meaning, never the insights
            log.warning("insights: grouping by text only (embedder failed: %s)", exc.__class__.__name__)
    pairs = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if (vectors is not None and vectors[i, j] >= threshold) or _similar_text(texts[i], texts[j],
                                                                                     text_threshold):
                pairs.append((i, j))
    return pairs


def group_questions(items: Sequence[Asked], embed: Callable[[str], list[float]] | None = None, *,
                    threshold: float = 0.92, text_threshold: float = 0.9) -> list[Group]:
    """Groups of near-duplicate questions, most asked first (then most recent).

    Questions with the same normalized text always share a group; among the most asked distinct texts, two whose
    query vectors have a cosine of at least `threshold`, or whose texts are `text_threshold` alike (typos,
    word order), are merged too."""
    groups = sorted(_exact_groups(items), key=lambda g: (g.count, g.last_asked), reverse=True)
    head, tail = groups[:MAX_GROUPS], groups[MAX_GROUPS:]
    parent = list(range(len(head)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = [g.key for g in head]
    for i, j in _close_pairs(keys, embed, threshold, text_threshold):
        parent[root(j)] = root(i)
    merged: dict[int, Group] = {}
    for i, group in enumerate(head):
        into = merged.get(root(i))
        if into is None:
            merged[root(i)] = group
            continue
        into.count += group.count
        into.languages.update(group.languages)
        into.variants.extend(group.variants)
        if group.last_asked > into.last_asked:
            into.question, into.last_asked = group.question, group.last_asked
    result = list(merged.values()) + tail
    for group in result:
        group.language = group.languages.most_common(1)[0][0]
    return sorted(result, key=lambda g: (g.count, g.last_asked), reverse=True)
