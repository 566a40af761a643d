"""What a question asks for, as the understanding step of the chain reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Intent", "Sought"]

Sought = Literal["achievement", "demand", "partner", "any"]


@dataclass(frozen=True)
class Intent:
    """The understood need: what is sought (offers, needs, partners or any), the topic without its framing,
    likely fields and named countries. `explicit_kind` is true when the question says outright which kind it
    wants (then it filters); an inferred kind only weighs. `rewritten`: the need in English that leads retrieval
    (the model's search query, or the topic of the translated question)."""

    sought: Sought = "any"
    topic: str = ""
    fields: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    explicit_kind: bool = False
    confidence: float = 0.0
    margin: float = field(default=0.0, compare=False)
    framing: tuple[str, ...] = field(default=(), compare=False)
    rewritten: str = ""
    """The need as an English search query, written by the language model when one is configured, else the topic of
    the question's machine translation when a translator is configured; "" otherwise."""
    translated: str = ""
    """The question in English by the configured translator (a question in another language, no model rewrite)."""
    glossed: str = ""
    """The topic's words in English by the offline glossary of the question's language (`assistant.understanding.
    glossary`); it joins the search when neither a model nor a translator gave `rewritten`."""
    glossed_share: float = field(default=0.0, compare=False)
    """The share of the topic's words the glossary found (the gloss weighs as much)."""

    @property
    def kind(self) -> str | None:
        """The record kind to prefer: achievements for offers and partners, demands for needs."""
        return {"achievement": "achievement", "partner": "achievement", "demand": "demand"}.get(self.sought)

    def as_dict(self) -> dict[str, Any]:
        """The `intent` of an answer's metadata."""
        out: dict[str, Any] = {"sought": self.sought, "topic": self.topic, "fields": list(self.fields),
                               "countries": list(self.countries), "explicit_kind": self.explicit_kind,
                               "confidence": round(self.confidence, 3)}
        if self.rewritten:
            out["rewritten"] = self.rewritten
        if self.translated:
            out["translated"] = self.translated
        if self.glossed:
            out["glossed"] = self.glossed
        return out
