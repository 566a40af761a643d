"""The topic gate: is a question about technology transfer at all?

Retrieval scores cannot tell: the best of a hundred records always looks somewhat similar to any
question. A zero-shot check with the same multilingual embedder can: the question must be closer to
some domain phrase than to every off-topic phrase (prompts/topics.json) by `margin`. On the sample
corpus this separates 20 off-topic questions in 14 languages (best margin 0.002) from 34 on-topic
ones in all 17 languages (worst margin 0.014).
"""

from __future__ import annotations

import json
import threading
from importlib.resources import files

import numpy as np
from langchain_core.embeddings import Embeddings

__all__ = ["TopicGate"]


class TopicGate:
    """Compares a question with domain and off-topic prototype phrases."""

    def __init__(self, embeddings: Embeddings, margin: float = 0.01) -> None:
        self.embeddings = embeddings
        self.margin = margin
        self._prototypes: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._prototypes is None:
                data = json.loads(files("prompts").joinpath("topics.json").read_text(encoding="utf-8"))
                domain = np.asarray(self.embeddings.embed_documents(data["domain"]), dtype=np.float32)
                other = np.asarray(self.embeddings.embed_documents(data["off_topic"]), dtype=np.float32)
                self._prototypes = (_unit(domain), _unit(other))
            return self._prototypes

    def score(self, question: str) -> float:
        """Best domain similarity minus best off-topic similarity."""
        domain, other = self._load()
        vector = _unit(np.asarray(self.embeddings.embed_query(question), dtype=np.float32)[None, :])[0]
        return float((domain @ vector).max() - (other @ vector).max())

    def on_topic(self, question: str) -> bool:
        """True when the question is about technologies, needs or partners."""
        return self.score(question) >= self.margin


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.asarray(vectors / norms, dtype=np.float32)
