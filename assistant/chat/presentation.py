"""What the person sees of the retrieved records: each record once, the best matches of the kind asked for first,
why each fits, partners resting on records that clearly match, and the next step when nothing fits.

Pure functions over citations, hits and partners; the chain's `present` step calls them after retrieval.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant.chat.institutions import transfer_institutions
from assistant.chat.match_strength import Strength, strong_score
from assistant.chat.partners import suggest_partners
from assistant.chat.relevance import RelevanceConfig
from assistant.chat.results import Citation
from assistant.inquiries.directory import Directory
from assistant.locale.countries import country_name
from assistant.locale.lexicon import content_terms
from assistant.locale.texts import localize, term_label
from assistant.understanding.fields import fields_from_hits
from retrieval.index import Hit

if TYPE_CHECKING:
    from assistant.chat.state import ChatState

__all__ = ["WEAK_SHOWN", "collapse_duplicates", "demand_draft", "lead_with_kind",
           "next_step", "present", "shown_citations", "title_key", "why_it_matches"]

WEAK_SHOWN = 3
_SHARED = 4
_NOT_WORD = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """A title reduced to its letters and digits, case-folded: near-identical titles share a key."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", title).casefold())


def collapse_duplicates(citations: Sequence[Citation]) -> list[Citation]:
    """One citation per near-identical title: the first (best-ranked) is kept and names the others in `also`."""
    kept: dict[str, Citation] = {}
    for citation in citations:
        key = title_key(citation.title) or citation.id
        if key in kept:
            kept[key].also.append(citation.id)
        else:
            kept[key] = citation
    return list(kept.values())


def lead_with_kind(citations: Sequence[Citation], kind: str | None) -> list[Citation]:
    """The records of the kind asked for first (their order kept), then the others."""
    if kind is None:
        return list(citations)
    return [c for c in citations if c.kind == kind] + [c for c in citations if c.kind != kind]


def _shared_concepts(topic: str, hit: Hit) -> list[str]:
    """The record's keywords, else its title words, that share a word with the question's topic."""
    terms = content_terms(topic)
    if not terms:
        return []
    shared = [k for k in hit.record.keywords if content_terms(k) & terms]
    if not shared:
        shared = [w for w in hit.record.title.split() if content_terms(w) & terms]
    return list(dict.fromkeys(s.strip(" ,;:.()\"'") for s in shared if s.strip(" ,;:.()\"'")))[:_SHARED]


def why_it_matches(hit: Hit, topic: str, language: str, *, fields: Sequence[str] = (),
                   countries: Sequence[str] = ()) -> str:
    """Why the record fits the question, in the user's language: shared concepts, the field and the country
    the question is about; "similar description" when only the meaning is close (e.g. across languages)."""
    record = hit.record
    reasons = []
    shared = _shared_concepts(topic, hit)
    if shared:
        reasons.append(localize("match_keywords", language, keywords=", ".join(shared)))
    if record.field and record.field in fields:
        reasons.append(localize("match_same_field", language, field=term_label("field", record.field, language)))
    if record.country and record.country in countries:
        reasons.append(localize("match_same_country", language, country=country_name(record.country, language)))
    if not reasons:
        reasons.append(localize("match_similar", language))
    return "; ".join(reasons)


def demand_draft(question: str, topic: str, language: str, *, field: str | None,
                 country: str | None) -> dict[str, Any]:
    """A demand record prefilled from the question, for the person to check and post."""
    title = " ".join((topic or question).split())
    if len(title) > 200:
        title = title[:199].rsplit(" ", 1)[0] + "…"
    if len(title) < 5:
        title = " ".join(question.split())[:200]
    return {"kind": "demand", "title": title, "description": " ".join(question.split()), "field": field,
            "country": country, "language": language}


def next_step(draft: dict[str, Any], language: str) -> dict[str, Any]:
    """The `next_step` of an answer that found no clear match: post the need as a demand, or ask staff."""
    return {"action": "post_demand", "path": "/v1/demands", "label": localize("next_step_demand", language),
            "draft": draft,
            "alternatives": [{"action": "inquiry", "path": "/v1/inquiries",
                              "label": localize("next_step_inquiry", language)}]}


def shown_citations(state: ChatState, strength: Strength, limit: int) -> list[Citation]:
    """The records an answer shows: each once, at most `limit` (`WEAK_SHOWN` when weak). Only a kind the question
    states outright leads: an inferred one already weighs in the ranking, and putting it first would turn a
    misreading into five records of the wrong kind."""
    intent = state.intent
    shown = lead_with_kind(collapse_duplicates([Citation.from_hit(h) for h in state.hits]),
                           state.filters.kind or (intent.kind if intent.explicit_kind else None))
    return shown[: WEAK_SHOWN if strength == "weak" else limit]


def present(state: ChatState, *, relevance: RelevanceConfig, limit: int, directory: Directory, corpus: int,
            margin: float | None, strength: Strength) -> ChatState:
    """The chain's `present` step: sets `metadata["match"]`, the shown citations (at most `limit`, or
    `WEAK_SHOWN` when weak), complementary partners, institutions and `next_step`. `strength` is how clearly the hits
    fit (`AnswerChain.strength`); `corpus` and `margin` set the partners' floor (`strong_score`)."""
    if state.reply_key not in (None, "nothing_found"):
        return state
    state.metadata["match"] = strength
    intent = state.intent
    voted = fields_from_hits(state.partner_hits or state.hits, floor=relevance.counterpart_score)
    # the records' vote stands in for an understood field only when they clearly fit
    fields = [(f, 1.0) for f in intent.fields] or (voted[:2] if strength == "strong" else [])
    countries = list(intent.countries) or ([state.country] if state.country else [])
    topic = intent.topic or state.condensed or state.message
    draft_field = next((f for f, _ in fields if f != "other"), None)
    # a follow-up ("and in Brazil?") is drafted from its standalone form
    need = state.condensed if state.metadata.get("followup") else state.message
    draft = demand_draft(need, topic, state.language, field=draft_field, country=state.country)
    if strength == "none":
        return replace(state, next_step=next_step(draft, state.language))
    by_id = {h.record.id: h for h in state.hits}
    shown = shown_citations(state, strength, limit)
    why_fields = list(intent.fields)  # as understood; a field voted by these same records would be circular
    # the topic's English words (a translation's or the glossary's) find the concepts an English record shares with it
    why_topic = f"{topic} {intent.rewritten or intent.glossed}".strip()
    for citation in shown:
        verdict = state.verdicts.get(citation.id)
        citation.why = verdict.reason if verdict and verdict.reason else why_it_matches(
            by_id[citation.id], why_topic, state.language, fields=why_fields, countries=countries)
    cited = [c.id for c in shown] + [rid for c in shown for rid in c.also]
    kind = str(state.metadata.get("partner_kind", "achievement"))
    # a weak match has no organization worth suggesting: its records are only the closest. A partner rests on
    # records that match clearly (the strong score), cited ones included: dropping the organizations whose
    # evidence the answer cites left the places to those with only loosely related records (dev: 43% of the
    # top-3 partners had a relevant record; 68% now, with fewer partners)
    floor = None if margin is None else strong_score(relevance, corpus=corpus, margin=margin)
    partners = [] if strength == "weak" else suggest_partners(state.partner_hits, kind=kind, language=state.language,
                                                              cited=cited, floor=floor)
    institutions = (transfer_institutions(directory, fields=fields, countries=countries, language=state.language)
                    if intent.sought == "partner" else [])
    return replace(state, citations=shown, partners=partners, institutions=institutions,
                   next_step=next_step(draft, state.language) if strength == "weak" else None)
