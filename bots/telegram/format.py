"""Telegram HTML: escaping, message bodies for answers, records and partners, splitting under 4096 characters.

HTML rather than MarkdownV2: only `<`, `>` and `&` need escaping, so record text full of
`_*[]()~>#+-=|{}.!` reaches the user exactly as written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from assistant.chat.results import Answer, Match, Partner
from assistant.links import is_public_url
from assistant.locale.countries import country_name
from assistant.locale.texts import bot_text, localize
from assistant.translation import RecordTranslation
from retrieval.record import Record

__all__ = ["LIMIT", "answer_html", "escape", "hit_html", "matches_html", "partners_html", "record_html",
           "split_html"]

LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"<(/?)([a-z\-]+)[^>]*>|&[#\w]+;|.", re.DOTALL)
_SNIPPET = 300


def escape(value: object) -> str:
    """Plain text made safe for parse_mode=HTML."""
    return html.escape(str(value), quote=False)


def _utf16_length(value: str) -> int:
    # Telegram measures message length in UTF-16 code units.
    return len(value.encode("utf-16-le")) // 2


def split_html(parts: Iterable[str], limit: int = LIMIT) -> list[str]:
    """Join HTML blocks with blank lines into messages of at most `limit` UTF-16 units.

    Blocks stay whole when they fit; a longer block is cut at a newline or space, closing the tags
    open at the cut and reopening them in the next message, never inside a tag or an entity.
    """
    messages: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}\n\n{part}" if current else part
        if _utf16_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        pieces = _cut(part, limit) or [""]
        messages.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        messages.append(current)
    return messages


def _cut(block: str, limit: int) -> list[str]:
    """Cut one HTML block into balanced pieces of at most `limit` UTF-16 units."""
    pieces: list[str] = []
    tokens = [(m.group(0), m.group(1) or "", m.group(2) or "") for m in _TOKEN.finditer(block)]
    opened: list[tuple[str, str]] = []
    start = 0
    while start < len(tokens):
        prefix = "".join(tag for tag, _ in opened)
        size, end, soft, stack = _utf16_length(prefix), start, -1, list(opened)
        while end < len(tokens):
            token, closing, name = tokens[end]
            after = (stack[:-1] if closing else [*stack, (token, name)]) if name else stack
            closers = sum(len(tag) + 3 for _, tag in after)
            if size + _utf16_length(token) + closers > limit:
                break
            size += _utf16_length(token)
            stack = after
            if token in ("\n", " "):
                soft = end
            end += 1
        if end < len(tokens) and soft > start:
            end = soft + 1
        if end == start:
            raise ValueError("limit too small for the markup")
        body, opened = _replay(tokens[start:end], opened)
        piece = prefix + body + "".join(f"</{name}>" for _, name in reversed(opened))
        if _TAG.sub("", piece).strip():  # Telegram refuses a message with no visible text
            pieces.append(piece)
        start = end
    return pieces


def _replay(tokens: Sequence[tuple[str, str, str]], opened: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    stack = list(opened)
    for token, closing, name in tokens:
        if name:
            stack = stack[:-1] if closing else [*stack, (token, name)]
    return "".join(token for token, _, _ in tokens), stack


def _where(organization: str | None, country: str | None, language: str) -> str:
    parts = [organization or "", country_name(country, language) if country else ""]
    return ", ".join(p for p in parts if p)


def answer_html(answer: Answer) -> list[str]:
    """The blocks of a chat answer: the text, then the numbered sources."""
    lang = answer.language
    blocks = [escape(answer.answer)]
    if answer.citations:
        lines = [f"<b>{escape(bot_text('sources', lang))}</b>"]
        for number, citation in enumerate(answer.citations, 1):
            where = _where(citation.organization, citation.country, lang)
            suffix = f" — {escape(where)}" if where else ""
            translated = (citation.translation or {}).get("title")
            shown = translated or citation.title
            # a title the answer text already shows is not repeated: the sources add where each record comes from
            title = "" if shown in answer.answer else f" <b>{escape(shown)}</b>"
            lines.append(f"[{number}]{title}{suffix} <code>{escape(citation.id)}</code>")
            if translated:  # a machine translation is labelled, and the original stays in view
                lines.append(_translated_from(citation.title, lang))
            if citation.why and answer.metadata.get("llm") == "used":
                # a model's text need not say why each record fits; the offline answer's list says it already
                lines.append(f"    <i>✓ {escape(citation.why)}</i>")
        blocks.append("\n".join(lines))
    return blocks


def hit_html(record: Record, snippet: str, rank: int, language: str,
             translation: dict[str, str] | None = None) -> str:
    """One search result: kind, title, where, snippet; a machine translation labelled, with the original title."""
    where = _where(record.organization, record.country, language)
    title = translation["title"] if translation else record.title
    lines = [f"{rank}. <i>{escape(bot_text('kind_' + record.kind, language))}</i>", f"<b>{escape(title)}</b>"]
    if translation:
        lines.append(_translated_from(record.title, language))
        snippet = translation["snippet"] or snippet
    if where:
        lines.append(escape(where))
    lines.append(escape(_shorten(snippet or record.description)))
    return "\n".join(lines)


def _translated_from(original: str, language: str) -> str:
    return f"<i>{escape(bot_text('machine_translation', language))}</i> · {escape(original)}"


def record_html(record: Record, language: str, page_url: str | None = None,
                translation: RecordTranslation | None = None) -> str:
    """A whole record, labels in the user's language, content in its own (or machine-translated, labelled);
    `page_url` adds its web page (a link when public, else the address as text: Telegram refuses links to loopback
    addresses)."""
    title = translation.title if translation else record.title
    lines = [f"<i>{escape(bot_text('kind_' + record.kind, language))}</i>", f"<b>{escape(title)}</b>"]
    lines += [_translated_from(record.title, language), ""] if translation else [""]
    rows = [
        ("label_organization", record.organization),
        ("label_country", country_name(record.country, language) if record.country else None),
        ("label_field", bot_text(f"field_{record.field}", language) if record.field else None),
        ("label_trl", str(record.trl) if record.trl else None),
        ("label_cooperation", ", ".join(record.cooperation) or None),
        ("label_contact", record.contact),
        ("label_link", record.url),
    ]
    lines += [f"{escape(bot_text(key, language))}: {escape(value)}" for key, value in rows if value]
    if page_url:
        label = escape(localize("page_open", language))
        lines.append(f'<a href="{html.escape(page_url, quote=True)}">{label}</a>' if is_public_url(page_url)
                     else f"{label}: {escape(page_url)}")
    description = translation.description if translation else record.description
    lines += ["", escape(description), "", f"<code>{escape(record.id)}</code>"]
    return "\n".join(lines)


def partners_html(partners: Sequence[Partner], language: str) -> str:
    """Ranked partner suggestions with the reason and the ids of the records behind each."""
    lines = [f"<b>{escape(bot_text('partners', language))}</b>"]
    for number, partner in enumerate(partners, 1):
        where = _where(partner.organization, partner.country, language)
        lines.append(f"\n{number}. <b>{escape(where)}</b>")
        if partner.reason:
            lines.append(escape(partner.reason))
        if partner.evidence:
            ids = ", ".join(f"<code>{escape(rid)}</code>" for rid in partner.evidence)
            lines.append(f"{escape(bot_text('evidence', language))}: {ids}")
    return "\n".join(lines)


def matches_html(matches: Sequence[Match], language: str, heading: str = "matches") -> str:
    """Counterpart records with the reasons they match."""
    lines = [f"<b>{escape(bot_text(heading, language))}</b>"]
    for number, match in enumerate(matches, 1):
        org = f" — {escape(match.organization)}" if match.organization else ""
        lines.append(f"\n{number}. <b>{escape(match.title)}</b>{org}")
        if match.reasons:
            lines.append(escape("; ".join(match.reasons)))
        lines.append(f"<code>{escape(match.id)}</code>")
    return "\n".join(lines)


def _shorten(value: str, size: int = _SNIPPET) -> str:
    value = " ".join(value.split())
    return value if len(value) <= size else value[: size - 1].rstrip() + "…"
