"""Offline inquiry classification: multilingual keyword rules plus kNN over labelled examples."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.inquiries.cues import load_cues, normalize
from assistant.inquiries.inquiry import INTENTS
from retrieval.record import FIELDS

__all__ = ["EXAMPLES", "Classification", "Classifier", "Example", "load_examples", "spam_signals"]

EXAMPLES = Path(__file__).parent / "examples.jsonl"
_URL = re.compile(r"^(?:https?://|www\.)|\.(?:ru|xyz|top|biz|click|info|ly)(?:/|$)", re.IGNORECASE)
_SHOUT = re.compile(r"[A-ZА-Я]")
_LETTER = re.compile(r"[^\W\d_]")
_REPEAT = re.compile(r"([!$?€¥₽*])\1{2,}|(\w)\2{5,}")
# How much the retrieved records' fields weigh against the text's own rules and examples (a quarter): on the held-out
# inquiries the records alone are the weaker signal; they settle what the text leaves open.
_VOTE_WEIGHT = 0.25
# The intents about a technology, whose field the retrieved records help to tell.
TOPIC_INTENTS = ("partner_search", "licensing", "technology_request", "investment")
_RULE_WEIGHT = 0.6  # rules carry more weight than kNN: with the test hash embedder kNN is little more than overlap


@dataclass(frozen=True)
class Example:
    """One labelled inquiry."""

    text: str
    intent: str
    field: str
    language: str


@dataclass(frozen=True)
class Classification:
    """The first-pass triage of one inquiry."""

    intent: str
    field: str
    language: str
    urgency: str
    confidence: float
    intent_scores: dict[str, float] = dataclasses.field(default_factory=dict)
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    method: str = "rules+knn"

    def detail(self) -> dict[str, Any]:
        """JSON-ready detail for the audit trail."""
        return {"intent": self.intent, "field": self.field, "language": self.language, "urgency": self.urgency,
                "confidence": round(self.confidence, 3), "method": self.method,
                "intent_scores": {k: round(v, 3) for k, v in self.intent_scores.items() if v > 0},
                "evidence": self.evidence}


def load_examples(path: Path = EXAMPLES) -> list[Example]:
    """Labelled examples from a JSONL file of {"text","intent","field","language"}."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            items.append(Example(data["text"], data["intent"], data.get("field", "other"), data.get("language", "")))
    return items


def spam_signals(text: str) -> list[str]:
    """Structural spam cues (links, shouting, repeated symbols) that need no language."""
    reasons = []
    links = sum(1 for token in text.split() if _URL.search(token.strip(".,;:!?()<>\"'")))
    if links >= 2:
        reasons.append(f"{links} links")
    letters = _LETTER.findall(text)
    if len(letters) >= 20 and sum(1 for c in letters if _SHOUT.match(c)) / len(letters) > 0.6:
        reasons.append("mostly capitals")
    if _REPEAT.search(text):
        reasons.append("repeated symbols")
    if not letters:
        reasons.append("no words")
    return reasons


def _with_votes(own: dict[str, float], votes: Sequence[tuple[str, float]]) -> tuple[str, dict[str, float]]:
    """The field from the rules and examples (`own`, raw scores) combined with the retrieved records' vote (shares
    summing to 1): each source as a share, the records weighing `_VOTE_WEIGHT`; "other" when neither points
    anywhere. The same field understanding as the answers' (the records about the topic say what field it is)."""
    mine = _share({f: v for f, v in own.items() if f != "other"})
    theirs = {f: w for f, w in votes if f != "other" and w > 0}
    weight = _VOTE_WEIGHT if mine else 1.0
    combined = {f: (1 - weight) * mine.get(f, 0.0) + weight * theirs.get(f, 0.0) for f in {*mine, *theirs}}
    if not combined:
        return "other", {}
    best = max(combined, key=lambda f: (combined[f], -FIELDS.index(f)))
    evidence = {f: round(v, 3) for f, v in combined.items()}
    # with nothing from the text itself, the records decide only when most of their vote agrees
    return (best if mine or combined[best] >= 0.5 else "other"), evidence


def _share(scores: dict[str, float]) -> dict[str, float]:
    total = sum(v for v in scores.values() if v > 0)
    return {k: v / total for k, v in scores.items() if v > 0} if total else {}


class Classifier:
    """Rules first, then a similarity-weighted vote of the nearest labelled examples."""

    def __init__(self, embeddings: Embeddings | None, examples: Sequence[Example] | None = None, k: int = 7) -> None:
        self.embeddings = embeddings
        self.examples = list(examples) if examples is not None else load_examples()
        self.k = k
        self.cues = load_cues()
        self._matrix: np.ndarray[Any, Any] | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Embed the labelled examples now (the first inquiry would otherwise wait for it)."""
        self._example_matrix()

    def _example_matrix(self) -> np.ndarray[Any, Any] | None:
        """Unit vectors of the examples, embedded once on first use."""
        if self.embeddings is None or not self.examples:
            return None
        with self._lock:
            if self._matrix is None:
                vectors = np.asarray(self.embeddings.embed_documents([e.text for e in self.examples]),
                                     dtype=np.float32)
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                self._matrix = vectors / np.where(norms == 0, 1.0, norms)
            return self._matrix

    def neighbours(self, text: str) -> list[tuple[Example, float]]:
        """The k most similar labelled examples with their cosine similarity (> 0)."""
        matrix = self._example_matrix()
        if matrix is None or self.embeddings is None:
            return []
        query = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        norm = float(np.linalg.norm(query))
        if norm == 0:
            return []
        sims = matrix @ (query / norm)
        order = np.argsort(-sims)[: self.k]
        return [(self.examples[i], float(sims[i])) for i in order if sims[i] > 0]

    def classify(self, text: str, language: str, *, field_hints: Sequence[str] = (),
                 field_votes: Sequence[tuple[str, float]] = ()) -> Classification:
        """Intent, field, urgency and confidence of `text`; `field_hints` are fields of records the inquiry names,
        `field_votes` the weighted vote of the records retrieved for it (`assistant.understanding.fields`)."""
        normalized = normalize(text)
        rules, hits = self.cues.scores("intent", normalized)
        signals = spam_signals(text)
        if signals:
            rules["spam"] = rules.get("spam", 0.0) + 1.5 * len(signals)
        near = self.neighbours(text)
        knn: dict[str, float] = {}
        for example, sim in near:
            knn[example.intent] = knn.get(example.intent, 0.0) + sim
        rule_share, knn_share = _share(rules), _share(knn)
        weight = _RULE_WEIGHT if rule_share and knn_share else (1.0 if rule_share else 0.0)
        scores = {i: weight * rule_share.get(i, 0.0) + (1 - weight) * knn_share.get(i, 0.0) for i in INTENTS}
        intent = max(INTENTS, key=lambda i: (scores[i], -INTENTS.index(i)))
        if scores[intent] == 0:
            intent = "partner_search"
        confidence = scores[intent] * (1 - math.exp(-(sum(rules.values()) + len(near)) / 3))
        field_, field_evidence = self._field(normalized, near, field_hints)
        # the records say which technology an inquiry is about; one about an event or the website (whose labelled
        # field is "other") is about none, unless its own words name a field: records matched to "the page does not
        # load" or "when is the next fair" lend it a field by chance
        if field_votes and (intent in TOPIC_INTENTS or (intent == "event" and field_ != "other")):
            field_, field_evidence = _with_votes(field_evidence, field_votes)
        urgency = "low" if intent == "spam" else self._urgency(normalized)
        evidence = {"keywords": {k: v[:5] for k, v in hits.items()}, "spam_signals": signals,
                    "neighbours": [{"intent": e.intent, "similarity": round(s, 3)} for e, s in near[:3]],
                    "field": field_evidence}
        return Classification(intent, field_, language, urgency, round(min(confidence, 0.99), 3), scores, evidence)

    def _field(self, normalized: str, near: list[tuple[Example, float]],
               hints: Sequence[str]) -> tuple[str, dict[str, float]]:
        scores, _ = self.cues.scores("field", normalized)
        for hint in hints:
            if hint in FIELDS and hint != "other":
                scores[hint] = scores.get(hint, 0.0) + 1.5
        for example, sim in near[:3]:
            if example.field != "other":
                scores[example.field] = scores.get(example.field, 0.0) + 0.5 * sim
        if not scores:
            return "other", {}
        best = max(scores, key=lambda f: (scores[f], -FIELDS.index(f)))
        return (best if scores[best] >= 0.5 else "other"), {k: round(v, 2) for k, v in scores.items()}

    def _urgency(self, normalized: str) -> str:
        scores, _ = self.cues.scores("urgency", normalized)
        if scores.get("low"):
            return "low"
        return "high" if scores.get("high") else "normal"
