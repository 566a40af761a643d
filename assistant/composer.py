"""The offline grounded composer: an answer written only from retrieved records.

Framing, labels and guidance come from the user's language templates; record content (title,
snippet, organization) stays in the record's own language. Nothing in a record is interpreted:
it is copied as text, so a record cannot instruct the composer. A citation that carries a machine
translation shows the translated title with the original beside it, and the translated snippet.
"""

from __future__ import annotations

from assistant.messages import country_name, localize
from assistant.results import Citation, Partner

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


def compose_answer(language: str, citations: list[Citation], partners: list[Partner],
                   country: str | None = None) -> str:
    """A numbered list of the cited records, the partner suggestions and what to do next."""
    if country:
        lines = [localize("intro_country", language, country=country_name(country, language)), ""]
    else:
        lines = [localize("intro", language), ""]
    for number, citation in enumerate(citations, 1):
        lines.append(f"{number}. {_title(citation)} [{citation.id}]")
        lines.append(f"   {_where(citation, language)}")
        if snippet := _snippet(citation):
            lines.append(f"   {shorten(snippet)}")
    if partners:
        lines += ["", localize("partners_intro", language)]
        for partner in partners:
            where = f" ({country_name(partner.country, language)})" if partner.country else ""
            ids = ", ".join(partner.evidence)
            lines.append(f"• {partner.organization}{where} — {partner.reason} [{ids}]")
    lines += ["", localize("closing", language)]
    return "\n".join(lines)


def compose_nothing_found(language: str, country: str | None = None) -> str:
    """An honest 'nothing found' and what to try instead."""
    if country:
        head = localize("nothing_found_country", language, country=country_name(country, language))
    else:
        head = localize("nothing_found", language)
    return f"{head} {localize('nothing_found_hint', language)}"
