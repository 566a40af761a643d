"""What the record page shows, as a small view-model: labels in the interface language, content as written.

The page renders only from a `RecordView`, never from a `Record`, so a later step can change what a reader sees
without touching the HTML: a machine translation of the record fills `title`, `description` and `keywords` with the
translated text and sets `content_language` (and `translated_from`) accordingly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from assistant.chat.results import Match
from assistant.locale.countries import country_name
from assistant.locale.languages import RTL, served_language
from assistant.locale.texts import localize, term_label
from retrieval.record import Record

__all__ = ["Fact", "RecordView", "RelatedView", "pick_page_language", "record_view", "web_link"]


@dataclass(frozen=True)
class Fact:
    """One labelled line of the record's facts; `link` makes the value a link (http and https only)."""

    label: str
    value: str
    link: str | None = None


@dataclass(frozen=True)
class RelatedView:
    """A related record, as a link to its own page."""

    id: str
    kind: str
    kind_label: str
    title: str
    organization: str | None
    reasons: list[str]


@dataclass(frozen=True)
class RecordView:
    """Everything the record page prints; every string is plain text (the renderer escapes it)."""

    language: str
    """The interface language (labels, country and field names)."""
    id: str
    kind: str
    kind_label: str
    title: str
    description: str
    organization: str | None
    country: str | None
    field_label: str | None
    trl: int | None
    facts: list[Fact]
    keywords: list[str]
    related: list[RelatedView] = field(default_factory=list)
    content_language: str | None = None
    """The language of title and description (the record's own, or a translation's)."""
    translated_from: str | None = None

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    def label(self, key: str) -> str:
        """A page label (`page_<key>` in prompts/messages) in the interface language."""
        return localize(f"page_{key}", self.language)


def pick_page_language(requested: str | None, accept_language: str | None) -> str:
    """`?lang=` when it is one of ours, else the first of the browser's languages that is, else English."""
    candidates = [(requested or "")[:16]]
    for part in (accept_language or "")[:1000].split(",")[:20]:
        candidates.append(part.split(";")[0])
    return next((code for code in map(served_language, candidates) if code), "en")


def web_link(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link, else None (never a `javascript:` or relative link)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _facts(record: Record, language: str) -> list[Fact]:
    def label(key: str) -> str:
        return localize(f"page_{key}", language)

    rows = [
        Fact(label("trl"), str(record.trl)) if record.trl else None,
        Fact(label("cooperation"), ", ".join(term_label("coop", c, language) for c in record.cooperation))
        if record.cooperation else None,
        Fact(label("ip_status"), record.ip_status.replace("_", " ")) if record.ip_status else None,
        Fact(label("contact"), record.contact) if record.contact else None,
        Fact(label("date"), record.date) if record.date else None,
        Fact(label("source"), record.source) if record.source else None,
    ]
    link = web_link(record.url)
    if record.url:
        shown = record.url
        if link:
            parts = urlsplit(link)
            shown = (parts.netloc + parts.path.rstrip("/")) or link
        rows.append(Fact(label("website"), shown, link))
    return [row for row in rows if row is not None]


def record_view(record: Record, language: str, related: Sequence[Match] = ()) -> RecordView:
    """The view of a record for a reader of `language`, with its related records."""
    return RecordView(
        language=language, id=record.id, kind=record.kind,
        kind_label=localize(f"kind_{record.kind}", language),
        title=record.title, description=record.description, organization=record.organization,
        country=country_name(record.country, language) if record.country else None,
        field_label=term_label("field", record.field, language) if record.field else None,
        trl=record.trl, facts=_facts(record, language), keywords=list(record.keywords),
        related=[RelatedView(id=m.id, kind=m.kind, kind_label=localize(f"kind_{m.kind}", language), title=m.title,
                             organization=m.organization, reasons=list(m.reasons)) for m in related],
        content_language=record.language)
