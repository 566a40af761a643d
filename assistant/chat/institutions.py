"""Transfer institutions of the routing directory that can help with a need ("who can help?")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.inquiries.directory import Directory
from assistant.inquiries.routing import LANGUAGE_COUNTRY
from assistant.locale.countries import country_name
from assistant.locale.texts import localize, term_label

__all__ = ["transfer_institutions"]


def transfer_institutions(directory: Directory, *, fields: Sequence[tuple[str, float]], countries: Sequence[str],
                          language: str, limit: int = 3) -> list[dict[str, Any]]:
    """The institutions whose specialities cover the need's fields (weighted as understood) or that sit in a
    country the need names, as triage routing picks them; the closest office for the user's language breaks
    ties. Each as `{id, name, country, reason, example}`; the general desk only when nothing more specific fits."""
    weights = dict(fields)
    ranked = []
    for n, inst in enumerate(directory.institutions):
        if inst.id == directory.hub.id:
            continue
        shared = [f for f in inst.fields if f in weights]
        in_country = inst.country in countries
        if not shared and not in_country:
            continue
        score = sum(weights[f] for f in shared) * 3 + (2.0 if in_country else 0.0)
        score += 0.5 if LANGUAGE_COUNTRY.get(language) == inst.country else 0.0
        score += 0.5 if language in inst.languages else 0.0
        reasons = [localize("match_same_field", language, field=term_label("field", f, language)) for f in shared[:2]]
        if in_country:
            reasons.append(localize("match_same_country", language, country=country_name(inst.country, language)))
        ranked.append((-score, n, {"id": inst.id, "name": inst.name, "country": inst.country,
                                   "reason": "; ".join(reasons), "example": inst.example}))
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [item for _, _, item in ranked[:limit]]
