"""The offline grounded composer: an answer written only from retrieved records.

Framing, labels and guidance come from the user's language templates; record content (title,
snippet, organization) stays in the record's own language. Nothing in a record is interpreted:
it is copied as text, so a record cannot instruct the composer. A citation that carries a machine
translation shows the translated title with the original beside it, and the translated snippet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.chat.results import Citation, Partner
from assistant.locale.countries import REGIONS, country_name
from assistant.locale.texts import localize

__all__ = ["compose_answer", "compose_nothing_found", "shorten"]

SNIPPET_CHARS = 180


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The text on one line, cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


def _where(citation: Citation, language: str) -> str:
    parts = [citation.organization or "", country_name(citation.country, language) if citation.country else ""]
    label = localize(f"kind_{citation.kind}", language)
    return " · ".join(p for p in (", ".join(p for p in parts if p), label) if p)


def _title(citation: Citation) -> str:
    """A machine-translated title with the original beside it, else the original."""
    translated = (citation.translation or {}).get("title")
    return f"{translated} ({citation.title})" if translated and translated != citation.title else citation.title


def _snippet(citation: Citation) -> str:
    return (citation.translation or {}).get("snippet") or citation.snippet


def _place(key: str, code: str, language: str) -> str:
    """The text `key` naming the country `code`, or its region variant when `code` is a region ("Europe" is not a
    country: "регион: Европа", not "страна: Европа")."""
    if code in REGIONS:
        key = key.replace("country", "region")
    return localize(key, language, country=country_name(code, language))


def compose_answer(language: str, citations: list[Citation], partners: list[Partner],
                   country: str | None = None, *, match: str = "strong",
                   institutions: Sequence[dict[str, Any]] = (), country_relaxed: bool = False) -> str:
    """A numbered list of the cited records with why each fits (their details are on the source cards), the
    partners the citations do not already show, transfer institutions for "who can help", and what to do next.

    When the match is weak, it says so, marks each record as only the closest, and offers the next step; when the
    country the question named fit nothing clearly (`country_relaxed`), that the records come from elsewhere."""
    weak = match == "weak"
    lines: list[str] = []
    if country and country_relaxed:  # no record from the country named fits clearly: these come from elsewhere
        lines += [_place("intro_country_relaxed", country, language), ""]
    if weak:
        lines += [localize("weak_intro", language), ""]
    elif not country_relaxed:
        intro = _place("intro_country", country, language) if country else localize("intro", language)
        lines += [intro, ""]
    for number, citation in enumerate(citations, 1):
        lines.append(f"{number}. {_title(citation)} [{citation.id}]")
        detail = [localize("weak_mark", language)] if weak else []
        if citation.why:
            detail.append(citation.why)
        if citation.also:
            detail.append(localize("same_title", language, ids=", ".join(citation.also)))
        if not citation.why and not weak:
            detail.insert(0, _where(citation, language))
        lines.append(f"   {'; '.join(detail)}" if detail else f"   {_where(citation, language)}")
    if partners:
        lines += ["", localize("partners_intro", language)]
        numbered = {rid for c in citations for rid in (c.id, *c.also)}
        for partner in partners:
            where = f" ({country_name(partner.country, language)})" if partner.country else ""
            # records the list above shows are not named again
            ids = ", ".join(rid for rid in partner.evidence if rid not in numbered)
            lines.append(f"• {partner.organization}{where} — {partner.reason}" + (f" [{ids}]" if ids else ""))
    if institutions:
        lines += ["", localize("institutions_intro", language)]
        lines += [f"• {i['name']} ({country_name(i['country'], language)})" for i in institutions]
    lines += ["", localize("next_step_hint" if weak else "closing", language)]
    return "\n".join(lines)


def compose_nothing_found(language: str, country: str | None = None) -> str:
    """An honest 'nothing found' and what to try instead."""
    head = _place("nothing_found_country", country, language) if country else localize("nothing_found", language)
    return f"{head} {localize('nothing_found_hint', language)}\n\n{localize('next_step_hint', language)}"
