"""Routing: the partner institution and staff queue best placed to handle an inquiry, with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.inquiries.directory import Directory, Institution

__all__ = ["LANGUAGE_COUNTRY", "Route", "Router"]

# Where speakers of a language most likely are, among the directory's countries.
LANGUAGE_COUNTRY: dict[str, str] = {"zh": "CN", "ru": "RU", "kk": "RU", "uz": "RU", "pt": "BR", "es": "BR",
                                    "hi": "IN", "af": "ZA", "ar": "EG", "fa": "EG", "fr": "EG", "am": "EG",
                                    "th": "TH", "vi": "TH", "id": "TH", "ms": "TH"}


@dataclass(frozen=True)
class Route:
    """Where an inquiry goes and why."""

    institution: Institution
    queue: str
    score: float
    reasons: tuple[str, ...]
    alternatives: tuple[tuple[Institution, float], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The `routed_to` object of an inquiry."""
        return {"institution_id": self.institution.id, "institution": self.institution.name,
                "country": self.institution.country, "city": self.institution.city, "queue": self.queue,
                "example": self.institution.example, "score": round(self.score, 2),
                "reason": "; ".join(self.reasons),
                "alternatives": [{"institution_id": i.id, "institution": i.name, "country": i.country,
                                  "queue": i.queue, "score": round(s, 2)} for i, s in self.alternatives]}


class Router:
    """Scores every institution on field, intent, language and related records' countries."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def route(self, *, intent: str, field: str, language: str, record_countries: Sequence[str] = ()) -> Route:
        """The best institution for an inquiry; spam and support stay in the hub's internal queues."""
        internal = self.directory.internal_queues.get(intent)
        if internal is not None:
            hub = self.directory.hub
            return Route(hub, internal, 0.0, (f"{intent} is handled by the {hub.name} internal queue",))
        ranked = sorted(((self._score(i, intent, field, language, record_countries), n, i)
                         for n, i in enumerate(self.directory.institutions)), key=lambda t: (-t[0][0], t[1]))
        (score, reasons), _, best = ranked[0]
        if score <= 0:
            best, reasons = self.directory.hub, ["no specific match; general desk"]
        alternatives = tuple((i, s[0]) for s, _, i in ranked[1:3] if s[0] > 0 and i.id != best.id)
        return Route(best, best.queue, score, tuple(reasons), alternatives)

    def _score(self, inst: Institution, intent: str, field: str, language: str,
               record_countries: Sequence[str]) -> tuple[float, list[str]]:
        score, reasons = 0.0, []
        if field != "other" and field in inst.fields:
            score += 3.0
            reasons.append(f"field {field} is one of its specialities")
        if intent in inst.intents:
            score += 2.0
            reasons.append(f"handles {intent.replace('_', ' ')}")
        if language != "en" and language in inst.languages:
            score += 2.0
            reasons.append(f"staff speak {language}")
        if LANGUAGE_COUNTRY.get(language) == inst.country:
            score += 1.0
            reasons.append(f"closest office for {language} speakers ({inst.country})")
        if inst.country in record_countries:
            bonus = 2.0 if intent in ("licensing", "technology_request") else 1.0
            score += bonus
            reasons.append(f"related record from {inst.country}")
        if inst.id == self.directory.hub.id:
            score -= 0.5
        return score, reasons
