"""Partner suggestions: retrieved records grouped by organization and country, never invented."""

from __future__ import annotations

from assistant.lexicon import contains_phrase
from assistant.messages import localize
from assistant.results import Partner
from retrieval.index import Hit

__all__ = ["partner_kind", "suggest_partners"]

_MORE_EVIDENCE = 0.02


def partner_kind(question: str) -> str:
    """The record kind whose organizations can help: demands when the user offers a technology
    ("we have a technology, who needs it?"), achievements (offers) otherwise."""
    return "demand" if contains_phrase(question, "offer") else "achievement"


def suggest_partners(hits: list[Hit], *, kind: str, language: str, limit: int = 5) -> list[Partner]:
    """Organizations named by hits of `kind`, ranked by the relevance of their records.

    Only the `organization` and `country` fields of retrieved records are used, so every partner
    exists in the corpus and carries the ids of the records that name it as evidence.
    """
    candidates = [h for h in hits if h.record.kind == kind and h.record.organization]
    if not candidates:
        return []
    top = max(h.score for h in hits) or 1.0
    groups: dict[tuple[str, str | None], list[Hit]] = {}
    for hit in candidates:
        organization = hit.record.organization or ""
        key = (" ".join(organization.casefold().split()), hit.record.country)
        groups.setdefault(key, []).append(hit)
    partners = []
    for group in groups.values():
        best = group[0]
        reason_key = "reason_offers" if kind == "achievement" else "reason_needs"
        # Ranked by the best record; more records only break near-ties, so many weak hits never
        # outrank one strong one.
        partners.append(Partner(
            organization=best.record.organization or "",
            country=best.record.country,
            score=round(best.score / top + _MORE_EVIDENCE * (len(group) - 1), 4),
            evidence=[h.record.id for h in group],
            reason=localize(reason_key, language, title=best.record.title),
        ))
    partners.sort(key=lambda p: (-p.score, p.organization))
    return partners[:limit]
