"""Triage cues: keyword rules in many languages for intent, field and urgency, loaded from cues.json."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["TriageCues", "load_cues", "normalize"]

_PATH = Path(__file__).parent / "cues.json"
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-cased text with collapsed whitespace (what rules and duplicate checks compare)."""
    return _SPACE.sub(" ", text.casefold()).strip()


def _pattern(keyword: str) -> re.Pattern[str]:
    """`=word` matches the whole word; scripts with word breaks match at a word start; others anywhere."""
    whole = keyword.startswith("=")
    word = normalize(keyword.lstrip("="))
    body = re.escape(word).replace(r"\ ", r"\s+")
    if whole:
        return re.compile(rf"(?<![\w'’]){body}(?!\w)")  # French "j'ai" is not the word "ai"
    # Arabic and Persian glue articles and prepositions to words (ال, و, ب), so they match anywhere.
    if re.match(r"[\w]", word, re.ASCII) or re.match(r"[\u00c0-\u04ff\u0900-\u097f]", word):
        return re.compile(rf"(?<!\w){body}")
    return re.compile(body)


@dataclass(frozen=True)
class Rule:
    """One keyword of one label, with its weight."""

    label: str
    keyword: str
    pattern: re.Pattern[str]
    weight: float


class TriageCues:
    """Weighted keyword rules grouped by what they decide (intent, field, urgency)."""

    def __init__(self, groups: dict[str, dict[str, list[str]]]) -> None:
        self.rules: dict[str, list[Rule]] = {}
        for group, labels in groups.items():
            rules = []
            for label, keywords in labels.items():
                for keyword in keywords:
                    weight = 2.0 if keyword.startswith("!") else 1.0
                    keyword = keyword.lstrip("!")
                    rules.append(Rule(label, keyword, _pattern(keyword), weight))
            self.rules[group] = rules

    def scores(self, group: str, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Summed weights per label for the normalized `text`, and the keywords that matched."""
        totals: dict[str, float] = {}
        hits: dict[str, list[str]] = {}
        for rule in self.rules.get(group, []):
            if rule.pattern.search(text):
                totals[rule.label] = totals.get(rule.label, 0.0) + rule.weight
                hits.setdefault(rule.label, []).append(rule.keyword)
        return totals, hits


@lru_cache(maxsize=1)
def load_cues() -> TriageCues:
    """The shipped cues (cached)."""
    return TriageCues(json.loads(_PATH.read_text(encoding="utf-8")))
