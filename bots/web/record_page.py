"""`GET /records/{id}`: a readable page for one record, the page citations link to (chat, OpenAI API, Telegram).

Server-rendered from a `RecordView`; every value is escaped, so record text is shown as text and never parsed as
HTML, and the page carries no script at all (its Content-Security-Policy allows none). Labels follow `?lang=`, else
the browser's languages; an unknown id gets a 404 page in the same language.
"""

from __future__ import annotations

import html
import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from assistant.chat.composer import shorten
from assistant.chat.results import Match
from assistant.locale.languages import LANGUAGES
from assistant.locale.texts import localize
from bots.web.deps import ServicesDep
from bots.web.headers import page_headers
from bots.web.record_view import RecordView, pick_page_language, record_view
from retrieval.errors import TTCError

__all__ = ["record_path", "router"]

log = logging.getLogger(__name__)
router = APIRouter()

RELATED = 5
_HEADERS = page_headers(script=False)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def record_path(record_id: str, language: str | None = None) -> str:
    """The page's path (and language) for a record id."""
    path = f"/records/{quote(record_id, safe='')}"
    return f"{path}?lang={quote(language, safe='')}" if language else path


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shell(language: str, title: str, body: str, here: str, summary: str = "") -> str:
    """The page around `body`: the way back to the chat and a choice of language (plain links, no script);
    `summary` feeds the link previews of chat apps (Telegram, Open WebUI)."""
    rtl = "rtl" if language in ("ar", "fa") else "ltr"
    current = ' aria-current="true"'
    choices = "".join(f'<li><a href="{_e(here)}?lang={_e(code)}" lang="{_e(code)}" hreflang="{_e(code)}"'
                      f'{current if code == language else ""}>{_e(name)}</a></li>'
                      for code, name in LANGUAGES.items())
    app = localize("page_title", language)
    return (
        f'<!doctype html>\n<html lang="{_e(language)}" dir="{rtl}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">\n'
        f"<title>{_e(title)} · {_e(app)}</title>\n"
        f'<meta property="og:title" content="{_e(title)}">\n<meta property="og:site_name" content="{_e(app)}">\n'
        + (f'<meta name="description" property="og:description" content="{_e(summary)}">\n' if summary else "")
        + '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">\n'
        '<link rel="stylesheet" href="/static/style.css">\n<link rel="stylesheet" href="/static/record.css">\n'
        '</head>\n<body class="record-page">\n<header class="topbar">\n'
        '<a class="brand" href="/"><img class="logo" src="/static/icon.svg" alt="" width="36" height="36">'
        f'<span class="brand-name">{_e(app)}</span></a>\n'
        f'<details class="language-menu"><summary>{_e(LANGUAGES[language])}</summary><ul>{choices}</ul></details>\n'
        f'</header>\n<main class="record-main">\n{body}\n</main>\n</body>\n</html>\n')


def _badges(view: RecordView) -> str:
    badges = [f'<span class="badge {_e(view.kind)}">{_e(_capital(view.kind_label))}</span>']
    if view.field_label:
        badges.append(f'<span class="badge">{_e(view.field_label)}</span>')
    if view.trl:
        badges.append(f'<span class="badge trl" title="{_e(view.label("trl"))}">TRL {view.trl}</span>')
    return f'<div class="badges">{"".join(badges)}</div>'


def _facts(view: RecordView) -> str:
    rows = [(view.label("kind"), _e(_capital(view.kind_label)))]
    if view.organization:
        rows.append((view.label("organization"), _e(view.organization)))
    if view.country:
        rows.append((view.label("country"), _e(view.country)))
    if view.field_label:
        rows.append((view.label("field"), _e(view.field_label)))
    for fact in view.facts:
        value = (f'<a href="{_e(fact.link)}" rel="noopener noreferrer nofollow" target="_blank">{_e(fact.value)}</a>'
                 if fact.link else _e(fact.value))
        rows.append((fact.label, value))
    items = "".join(f"<dt>{_e(label)}</dt><dd>{value}</dd>" for label, value in rows)
    return f'<dl class="facts">{items}</dl>'


def _related(view: RecordView) -> str:
    if not view.related:
        return ""
    cards = []
    for item in view.related:
        meta = f'<span class="card-meta">{_e(item.organization)}</span>' if item.organization else ""
        reasons = f'<span class="card-snippet">{_e("; ".join(item.reasons))}</span>' if item.reasons else ""
        cards.append(
            f'<li><a class="card" href="{_e(record_path(item.id, view.language))}">'
            f'<span class="badges"><span class="badge {_e(item.kind)}">{_e(_capital(item.kind_label))}</span></span>'
            f'<span class="card-title" dir="auto">{_e(item.title)}</span>{meta}{reasons}</a></li>')
    return (f'<section class="related" aria-labelledby="related-title"><h3 id="related-title" class="block-title">'
            f'{_e(view.label("related"))}</h3><ol class="cards">{"".join(cards)}</ol></section>')


def render_record(view: RecordView) -> str:
    """The whole page of a record."""
    # record text keeps its own direction inside a right-to-left page (an English title in the Arabic interface)
    lang = (f' lang="{_e(view.content_language)}"' if view.content_language else "") + ' dir="auto"'
    where = " · ".join(_e(part) for part in (view.organization, view.country) if part)
    keywords = "".join(f'<li class="badge">{_e(word)}</li>' for word in view.keywords)
    body = (
        f'<article class="record-sheet" data-record-id="{_e(view.id)}">\n{_badges(view)}\n'
        f"<h2 class=\"record-title\"{lang}>{_e(view.title)}</h2>\n"
        + (f'<p class="org">{where}</p>\n' if where else "")
        + f"{_facts(view)}\n"
        + (f'<ul class="keywords" aria-label="{_e(view.label("keywords"))}"{lang}>{keywords}</ul>\n'
           if keywords else "")
        + f'<h3>{_e(view.label("description"))}</h3>\n<p class="description"{lang}>{_e(view.description)}</p>\n'
        f'<p class="record-id"><code>{_e(view.id)}</code></p>\n</article>\n{_related(view)}')
    return _shell(view.language, view.title, body, record_path(view.id), shorten(view.description, 200))


def render_not_found(language: str, record_id: str) -> str:
    """The 404 page."""
    message = localize("page_not_found", language)
    body = (f'<article class="record-sheet"><h2 class="record-title">{_e(message)}</h2>'
            f'<p class="record-id"><code>{_e(record_id)}</code></p>'
            f'<p><a href="/">{_e(localize("page_title", language))}</a></p></article>')
    return _shell(language, message, body, record_path(record_id))


@router.get("/records/{record_id}", include_in_schema=False, response_class=HTMLResponse)
async def record_page(record_id: str, services: ServicesDep,
                      lang: Annotated[str | None, Query()] = None,
                      accept_language: Annotated[str | None, Header()] = None) -> HTMLResponse:
    """The page of one record, or a 404 page."""
    language = pick_page_language(lang, accept_language)
    record = await run_in_threadpool(services.records.get, record_id)
    if record is None:
        return HTMLResponse(render_not_found(language, record_id), status_code=404, headers=_HEADERS)
    related: list[Match] = []
    try:
        related = await run_in_threadpool(lambda: services.assistant.match(
            record_id=record.id, kind=record.kind, k=RELATED, language=language))
    except TTCError as exc:  # the page is worth showing without them
        log.warning("no related records for %s: %s", record.id, exc)
    return HTMLResponse(render_record(record_view(record, language, related)), headers=_HEADERS)
