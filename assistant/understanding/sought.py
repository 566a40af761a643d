"""What a question seeks: technologies and results that others offer (achievements), or organizations that need
something (demands: calls, challenges, buyers, when the asker offers).

The kind is told by the framing, not the topic, and the same words serve both ("looking for" solutions for our
plant, or agencies "looking for" solutions like ours). The multilingual embedder compares the question, and its
framing words alone (`assistant.understanding.framing`), with prototype framings of both kinds
(prompts/sought.json, in several languages; the embedder carries them to the others); the difference of the
mean of the three closest of each kind is the margin. Nouns that only a demand-seeker uses (calls, challenges,
prizes, tenders, buyers) decide outright; a wide margin says the kind explicitly; a narrow one only weighs.
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

__all__ = ["SoughtClassifier", "SoughtReading"]

EXPLICIT_MARGIN = 0.015
OFFER_NUDGE = 0.01


@dataclass(frozen=True)
class SoughtReading:
    """The kind a question seeks, how clearly (margin), whether it says so outright, and whether it asks for
    partners (organizations to work with) rather than for records."""

    kind: str
    margin: float
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
        if cue.endswith("*"):
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

    def __init__(self, embeddings: Embeddings | None) -> None:
        """Without `embeddings` (a test double whose vectors mean nothing) only the cue words decide."""
        self.embeddings = embeddings
        self._prototypes: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._prototypes is None:
                assert self.embeddings is not None
                data = _data()
                self._prototypes = (_unit(np.asarray(self.embeddings.embed_documents(data["demand"]))),
                                    _unit(np.asarray(self.embeddings.embed_documents(data["achievement"]))))
            return self._prototypes

    def _margin(self, text: str) -> float:
        if self.embeddings is None:
            return 0.0
        demand, achievement = self._load()
        vector = _unit(np.asarray(self.embeddings.embed_query(text), dtype=np.float32)[None, :])[0]
        return float(np.sort(demand @ vector)[-3:].mean() - np.sort(achievement @ vector)[-3:].mean())

    def read(self, question: str, words: TopicWords) -> SoughtReading:
        """The reading of one question, given its topic and framing words."""
        framing = " ".join(words.framing)
        margins = [self._margin(question)] + ([self._margin(framing)] if framing.strip() else [])
        margin = float(np.mean(margins))
        if contains_phrase(question, "offer"):
            # "we have developed…", "who needs…" (prompts/lexicon.json): a nudge, not a verdict ("we have a farm")
            margin += OFFER_NUDGE
        if contains_phrase(question, "seek"):
            # "we are looking for…", "our company needs…": the asker seeks for its own use, as much of a nudge the
            # other way (a question with both, "we are looking for users of our technology", is left to the embedder)
            margin -= OFFER_NUDGE
        normalized = [_norm(w) for w in (*words.framing, *words.words)]
        text = _norm(question)
        data = _data()
        cue = _matches(data["demand_cues"], normalized, text)
        kind = "demand" if cue or margin > 0 else "achievement"
        return SoughtReading(kind=kind, margin=margin, explicit=cue or abs(margin) >= EXPLICIT_MARGIN,
                             partners=_matches(data["partner_cues"], normalized, text))


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return np.asarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12), dtype=np.float32)
