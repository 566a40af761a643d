"""A logistic model of the kind a question seeks, over the multilingual embedder's vector of the question.

Twenty-five prototype framings per kind and a list of seeking phrases read the kind right for 96% of the questions
they were written beside, and for 79% of 285 questions written afterwards in 19 languages: a phrasing the lists
lack ("which organizations in Russia develop composites", "our company needs technical cooperation on robot
vision", a Kazakh need ending in "керек") falls to the embedder's closest prototypes, which often share the setting
rather than the framing. A linear model trained on 1,120 labelled questions (20 topic-paired questions per kind in
27 languages, `benchmarks/data/sought_train.jsonl`) learns the framing direction of the embedder's space instead;
its inputs are the question's vector and the prototype reading (`assistant.understanding.sought`), so it keeps what
the lists know. `python -m benchmarks.sought_kind --train` fits it (L2-regularized, the strength chosen by leaving
one language out at a time) and writes prompts/sought_model.json; the same command without `--train` measures it
against the prototype reading (91% of the 285 right).

The weights belong to the embedder they were trained with: the file keeps that embedder's vector of a probe text,
and a model whose probe the running embedder does not reproduce is not used (the prototype reading decides).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

__all__ = ["MARGIN_SCALE", "SoughtModel", "load_model"]

MARGIN_SCALE = 30.0
"""The prototype margin (a difference of cosines, typically within ±0.05) enters the model multiplied by this."""

_SAME_SPACE = 0.99
"""The least cosine between the stored and the running embedder's vector of the probe text."""


@dataclass(frozen=True)
class SoughtModel:
    """Weights over [unit question vector, prototype margin × `MARGIN_SCALE`, 1]: the log-odds of demand."""

    weights: np.ndarray
    probe: str
    probe_vector: np.ndarray

    def log_odds(self, vector: np.ndarray, prototype_margin: float) -> float:
        """The log-odds that the question whose embedder vector this is seeks demands rather than offers."""
        return float(self.weights @ features(vector, prototype_margin))

    def fits(self, embeddings: Embeddings) -> bool:
        """Whether `embeddings` is the embedder the model was trained with (it reproduces the probe vector)."""
        try:
            vector = _unit(np.asarray(embeddings.embed_query(self.probe), dtype=np.float64))
        except Exception:  # an embedder that cannot embed the probe (a service down) is not the model's
            return False
        return vector.shape == self.probe_vector.shape and float(vector @ self.probe_vector) >= _SAME_SPACE

    def as_dict(self, **facts: Any) -> dict[str, Any]:
        """The JSON form (`load_model` reads it back), with facts about the training."""
        return {"_comment": __doc__.split("\n\n")[0].replace("\n", " ") if __doc__ else "", **facts,
                "probe": self.probe, "probe_vector": [round(float(v), 6) for v in self.probe_vector],
                "weights": [round(float(v), 6) for v in self.weights]}


def features(vector: np.ndarray | Sequence[float], prototype_margin: float) -> np.ndarray:
    """The model's input for a question: its unit vector, the scaled prototype margin and a constant."""
    unit = _unit(np.asarray(vector, dtype=np.float64))
    return np.concatenate([unit, [prototype_margin * MARGIN_SCALE, 1.0]])


def _unit(vector: np.ndarray) -> np.ndarray:
    return np.asarray(vector / max(float(np.linalg.norm(vector)), 1e-12), dtype=np.float64)


@lru_cache(maxsize=1)
def load_model() -> SoughtModel | None:
    """The bundled model (prompts/sought_model.json), or None when there is none."""
    resource = files("prompts").joinpath("sought_model.json")
    if not resource.is_file():
        return None
    raw = json.loads(resource.read_text(encoding="utf-8"))
    return SoughtModel(weights=np.asarray(raw["weights"], dtype=np.float64), probe=str(raw["probe"]),
                       probe_vector=_unit(np.asarray(raw["probe_vector"], dtype=np.float64)))
