"""Citations in OpenAI's own form: `url_citation` annotations that point at record pages.

Each cited record gets one annotation: the record page's URL and title, and the span of the answer that cites it,
`content[start_index:end_index]`: from the start of the line (after any list marker) to the end of the first
bracketed reference naming the record (`[id]`, `[id1, id2]`, or `[n]` for the n-th source). A record the text does
not reference by name (an answer a model wrote from the context) is annotated over the whole answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.links import record_page_url

__all__ = ["url_citations"]

_REFERENCE = re.compile(r"\[([^\[\]\n]{1,2000})\]")
_LINE_LEAD = re.compile(r"[ \t]*(?:(?:[-•*]|\d{1,3}[.)])[ \t]+)?")


def _span(text: str, record_id: str, number: int) -> tuple[int, int] | None:
    for match in _REFERENCE.finditer(text):
        names = [name.strip() for name in match.group(1).split(",")]
        if record_id in names or str(number) in names:
            line_start = text.rfind("\n", 0, match.start()) + 1
            lead = _LINE_LEAD.match(text, line_start)
            start = lead.end() if lead and lead.end() <= match.start() else line_start
            return start, match.end()
    return None


def url_citations(text: str, citations: Sequence[Mapping[str, Any]], base: str,
                language: str | None) -> list[dict[str, Any]]:
    """One `url_citation` per cited record, in the citations' order."""
    found = []
    for number, citation in enumerate(citations, 1):
        record_id = str(citation["id"])
        start, end = _span(text, record_id, number) or (0, len(text))
        found.append({"type": "url_citation", "url_citation": {
            "url": record_page_url(base, record_id, language), "title": str(citation.get("title") or record_id),
            "start_index": start, "end_index": end}})
    return found
