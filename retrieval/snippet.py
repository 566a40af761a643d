"""A short excerpt of a record's description, centred on the query's words when they occur."""

from __future__ import annotations

import re

from retrieval.tokenizer import tokenize

__all__ = ["make_snippet"]

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")


def make_snippet(text: str, query: str, width: int = 240) -> str:
    """The sentence sharing most words with the query (or the lead), cut to `width` characters."""
    text = " ".join(text[:6000].split())
    wanted = set(tokenize(query))
    best, best_score = text, 0
    if wanted:
        for sentence in _SENTENCE.split(text):
            score = len(wanted & set(tokenize(sentence)))
            if score > best_score:
                best, best_score = sentence, score
    if len(best) <= width:
        return best
    return best[: width - 1].rstrip() + "…"
