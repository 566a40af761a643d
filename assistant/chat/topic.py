"""The topic gate: is a question for a technology-transfer center at all?

Retrieval scores cannot tell: the best of a hundred records always looks somewhat similar to any
question. A zero-shot check with the same multilingual embedder can, from two readings of the question
against prototype phrases (prompts/topics.json):

- its subject: closer to some domain phrase than to every off-topic phrase by `margin`. On the sample
  corpus this separates 20 off-topic questions in 14 languages (best margin 0.002) from 34 on-topic
  ones in all 17 languages (worst margin 0.014);
- how it is asked: an organization's need (a partner to produce something, a supplier, a licence,
  customers for a product) or a personal request (where to buy, what to cook or watch). The subject
  alone refuses real needs of food, textile or hospitality companies, which sit next to cooking,
  clothes shopping and travel; asked as an organization's need, a question is the center's business
  whatever its subject, and the records then judge whether anything fits.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from importlib.resources import files
from typing import Literal

import numpy as np
from langchain_core.embeddings import Embeddings

__all__ = ["TopicGate", "TopicReading"]

# the asker's margin is the mean of the `NEAREST` closest prototypes of each side, like the kind sought's
NEAREST = 3


@dataclass(frozen=True)
class TopicReading:
    """`subject`: best domain minus best off-topic similarity; `asker`: how much more the question reads as an
    organization's need than as a personal request; `margin`: the gate's."""

    subject: float
    asker: float
    margin: float

    @property
    def verdict(self) -> Literal["on", "doubtful", "off"]:
        """"on" the topic; "off" it; "doubtful" within the margin, where the records decide."""
        if self.asker > 0 or self.subject >= self.margin:
            return "on"
        return "off" if self.subject < 0 else "doubtful"


class TopicGate:
    """Compares a question with domain and off-topic prototype phrases, and with an organization's and a
    person's way of asking."""

    def __init__(self, embeddings: Embeddings, margin: float = 0.01) -> None:
        self.embeddings = embeddings
        self.margin = margin
        self._prototypes: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, np.ndarray]:
        with self._lock:
            if self._prototypes is None:
                data = json.loads(files("prompts").joinpath("topics.json").read_text(encoding="utf-8"))
                self._prototypes = {name: _unit(np.asarray(self.embeddings.embed_documents(data[name]),
                                                           dtype=np.float32))
                                    for name in ("domain", "off_topic", "organization", "personal")}
            return self._prototypes

    def read(self, question: str) -> TopicReading:
        """Both readings of one question."""
        prototypes = self._load()
        vector = _unit(np.asarray(self.embeddings.embed_query(question), dtype=np.float32)[None, :])[0]
        subject = float((prototypes["domain"] @ vector).max() - (prototypes["off_topic"] @ vector).max())
        asker = float(np.sort(prototypes["organization"] @ vector)[-NEAREST:].mean()
                      - np.sort(prototypes["personal"] @ vector)[-NEAREST:].mean())
        return TopicReading(subject=subject, asker=asker, margin=self.margin)

    def score(self, question: str) -> float:
        """Best domain similarity minus best off-topic similarity."""
        return self.read(question).subject

    def on_topic(self, question: str) -> bool:
        """True when the question is about technologies, needs or partners, or asked as an organization's need."""
        return self.read(question).verdict == "on"


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.asarray(vectors / norms, dtype=np.float32)
