"""Partner suggestions: retrieved records grouped by organization and country, never invented."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.chat.relevance import RelevanceConfig
from assistant.chat.results import Partner
from assistant.locale.lexicon import contains_phrase
from assistant.locale.texts import localize
from retrieval.index import Hit

__all__ = ["evidence_strength", "partner_kind", "suggest_partners"]

# Hits below this calibrated score are not partner evidence (`RelevanceConfig.counterpart_score`).
_FLOOR = RelevanceConfig().counterpart_score


def partner_kind(question: str) -> str:
    """The record kind whose organizations can help: demands when the user offers a technology
    ("we have a technology, who needs it?"), achievements (offers) otherwise."""
    return "demand" if contains_phrase(question, "offer") or contains_phrase(question, "needing") else "achievement"


def suggest_partners(hits: list[Hit], *, kind: str, language: str, limit: int = 5,
                     cited: Sequence[str] = (), floor: float | None = None) -> list[Partner]:
    """Organizations named by hits of `kind`, ranked by the strength of their relevant records.

    Only the `organization` and `country` fields of retrieved records are used, so every partner
    exists in the corpus and carries the ids of the records that name it as evidence. With `floor`, only
    records whose own evidence (`Hit.strength`) reaches it count: fewer partners rather than organizations
    that only have many loosely related records. The reason names the organization's best record the answer
    does not already cite (`cited`), else its best record.
    """
    candidates = [h for h in hits if h.record.kind == kind and h.record.organization
                  and (floor is None or h.strength >= floor)]
    if not candidates:
        return []
    top = max(h.score for h in hits) or 1.0
    groups: dict[tuple[str, str | None], list[Hit]] = {}
    for hit in candidates:
        organization = hit.record.organization or ""
        key = (" ".join(organization.casefold().split()), hit.record.country)
        groups.setdefault(key, []).append(hit)
    shown = set(cited)
    partners = []
    for group in groups.values():
        best = group[0]
        named = next((h for h in group if h.record.id not in shown), best)
        reason_key = "reason_offers" if kind == "achievement" else "reason_needs"
        partners.append(Partner(
            organization=best.record.organization or "",
            country=best.record.country,
            score=round(evidence_strength(group) / top, 4),
            evidence=[h.record.id for h in group],
            reason=localize(reason_key, language, title=named.record.title),
        ))
    partners.sort(key=lambda p: (-p.score, p.organization))
    return partners[:limit]


def evidence_strength(hits: Sequence[Hit]) -> float:
    """The strength of an organization's evidence: the sum of its relevant records' calibrated scores, each
    counted above the counterpart floor, so two strong records outweigh one, and many barely relevant records
    add little."""
    return sum(max(h.score - _FLOOR, 0.0) for h in hits) + _FLOOR * (1 if hits else 0)
