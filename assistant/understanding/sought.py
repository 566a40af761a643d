"""What a question seeks: technologies and results that others offer (achievements), or organizations that need
something (demands: calls, challenges, buyers, when the asker offers).

The kind is told by the framing, not the topic, and the same words serve both ("looking for" solutions for our
plant, or agencies "looking for" solutions like ours). The multilingual embedder compares the question, and its
framing words alone (`assistant.understanding.framing`), with prototype framings of both kinds
(prompts/sought.json, in several languages; the embedder carries them to the others); the difference of the
mean of the three closest of each kind is the prototype margin, nudged by seeking and offering phrases
(prompts/lexicon.json). With the embedder the bundled model was trained for (`assistant.understanding.sought_model`),
a logistic model of the question's vector and that margin gives the log-odds of demand; otherwise the margin,
scaled, stands for them. Nouns that only a demand-seeker uses (calls, challenges, prizes, tenders, buyers) decide
outright; wide odds say the kind explicitly; narrow ones only weigh.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.locale.lexicon import contains_phrase
from assistant.understanding.framing import TopicWords
from assistant.understanding.sought_model import SoughtModel, load_model

__all__ = ["SoughtClassifier", "SoughtReading", "phrase_floor"]

EXPLICIT_LOG_ODDS = 2.0
"""Odds of 7.4 to 1 say the kind outright (it filters): on 285 questions written after the prototypes, 65% are read
so and 98% of those are right, where the prototype margin's 0.015 read 38% so, 95% of them right
(benchmarks/results/sought-kind-e5.md)."""
LOG_ODDS_PER_MARGIN = EXPLICIT_LOG_ODDS / 0.015
"""Without the model, a prototype margin of 0.015 says the kind outright, as it did before the model."""
OFFER_NUDGE = 0.01


@dataclass(frozen=True)
class SoughtReading:
    """The kind a question seeks, how clearly (margin), whether it says so outright, and whether it asks for
    partners (organizations to work with) rather than for records."""

    kind: str
    margin: float
    """The log-odds that the question seeks demands (negative: offers)."""
    explicit: bool
    partners: bool


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=1)
def _data() -> dict[str, list[str]]:
    raw: dict[str, list[str]] = json.loads(files("prompts").joinpath("sought.json").read_text(encoding="utf-8"))
    return raw


def _matches(cues: list[str], words: list[str], text: str) -> bool:
    """True when a cue matches a word (a `*` cue: a word's start) or, for a multi-word or unspaced cue, the text."""
    for cue in cues:
        cue = _norm(cue)
        if cue.endswith("*") and " " in cue:
            if f" {cue[:-1]}" in f" {text}":  # "open call*": open calls, open call for…
                return True
        elif cue.endswith("*"):
            if any(w.startswith(cue[:-1]) for w in words):
                return True
        elif " " in cue or not cue.isascii():
            if cue in text:
                return True
        elif cue in words:
            return True
    return False


class SoughtClassifier:
    """Reads the kind a question seeks (see the module docstring)."""

    def __init__(self, embeddings: Embeddings | None, model: SoughtModel | None = None) -> None:
        """Without `embeddings` (a test double whose vectors mean nothing) only the cue words decide; `model`: the
        bundled one by default, used when it was trained with `embeddings`."""
        self.embeddings = embeddings
        self._prototypes: tuple[np.ndarray, np.ndarray] | None = None
        self._candidate = model
        self._model: SoughtModel | bool | None = False  # False: not checked yet
        self._lock = threading.Lock()

    def _load(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._prototypes is None:
                assert self.embeddings is not None
                data = _data()
                self._prototypes = (_unit(np.asarray(self.embeddings.embed_documents(data["demand"]))),
                                    _unit(np.asarray(self.embeddings.embed_documents(data["achievement"]))))
            return self._prototypes

    def model(self) -> SoughtModel | None:
        """The model, when it was trained with this classifier's embedder (checked once)."""
        with self._lock:
            if self._model is False:
                model = self._candidate or load_model()
                self._model = model if model is not None and self.embeddings is not None \
                    and model.fits(self.embeddings) else None
            return self._model if isinstance(self._model, SoughtModel) else None

    def _vector(self, text: str) -> np.ndarray:
        assert self.embeddings is not None
        return np.asarray(_unit(np.asarray(self.embeddings.embed_query(text), dtype=np.float32)[None, :])[0])

    def _margin(self, vector: np.ndarray) -> float:
        demand, achievement = self._load()
        return float(np.sort(demand @ vector)[-3:].mean() - np.sort(achievement @ vector)[-3:].mean())

    def inputs(self, question: str, words: TopicWords) -> tuple[np.ndarray | None, float]:
        """The question's vector (None without an embedder) and its prototype margin, nudged by seeking and
        offering phrases: what the model reads (`assistant.understanding.sought_model`)."""
        vector = None
        margin = 0.0
        if self.embeddings is not None:
            vector = self._vector(question)
            framing = " ".join(words.framing)
            margins = [self._margin(vector)] + ([self._margin(self._vector(framing))] if framing.strip() else [])
            margin = float(np.mean(margins))
        offers, seeks = _phrases(question)
        if offers:
            # "we have developed…", "who needs…" (prompts/lexicon.json): a nudge, not a verdict ("we have a farm")
            margin += OFFER_NUDGE
        if seeks:
            # "we are looking for…", "our company needs…": the asker seeks for its own use, as much of a nudge the
            # other way (a question with both, "we are looking for users of our technology", is left to the embedder)
            margin -= OFFER_NUDGE
        return vector, margin

    def read(self, question: str, words: TopicWords) -> SoughtReading:
        """The reading of one question, given its topic and framing words."""
        vector, margin = self.inputs(question, words)
        model = self.model() if vector is not None else None
        log_odds = margin * LOG_ODDS_PER_MARGIN
        if model is not None and vector is not None:
            log_odds = phrase_floor(question, model.log_odds(vector, margin))
        normalized = [_norm(w) for w in (*words.framing, *words.words)]
        text = _norm(question)
        data = _data()
        cue = _matches(data["demand_cues"], normalized, text)
        kind = "demand" if cue or log_odds > 0 else "achievement"
        return SoughtReading(kind=kind, margin=log_odds, explicit=cue or abs(log_odds) >= EXPLICIT_LOG_ODDS,
                             partners=_matches(data["partner_cues"], normalized, text))


def phrase_floor(question: str, log_odds: float) -> float:
    """The model's log-odds, held on the side of a phrase that asks for those who offer ("who offers", "companies
    that make") or for those who need ("who needs", "organizations that need") when the question has no phrase of
    the other side: the embedder barely tells "organizations that offer" from "organizations that need" (the model
    read "we are looking for organizations that offer solar technology" as a search for demands). The asker's own
    seeking or offering ("we are looking for", "we have developed") does not hold it: "we make sensors and are looking
    for customers" seeks demands."""
    offering, needing = contains_phrase(question, "offering"), contains_phrase(question, "needing")
    seeks, offers = offering or contains_phrase(question, "seek"), needing or contains_phrase(question, "offer")
    floor = OFFER_NUDGE * LOG_ODDS_PER_MARGIN
    if needing and not seeks:
        return max(log_odds, floor)
    if offering and not offers:
        return min(log_odds, -floor)
    return log_odds


def _phrases(question: str) -> tuple[bool, bool]:
    """Whether the question offers or asks for those who need ("we have developed", "who needs"), and whether it
    seeks or asks for those who offer ("we are looking for", "who offers"), prompts/lexicon.json."""
    return (contains_phrase(question, "offer") or contains_phrase(question, "needing"),
            contains_phrase(question, "seek") or contains_phrase(question, "offering"))


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return np.asarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12), dtype=np.float32)
