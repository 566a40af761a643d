"""The glossary terms of several senses, and how a text read into another language writes them for BM25.

An English term of a need's gloss may name several things (stroke: a piston's or a brain's; lead: the metal or to
lead; cap: a bottle's, an emission limit or a tooth's crown), and the gloss cannot tell which the need means: the
language it came from named one sense, the English word names them all. Read into another language by its first form,
such a term says the sense the glossary's writer saw first (冲程, a piston's stroke, for a stroke-rehabilitation need).
For BM25 (`Glossary.translate(..., senses=True)`) it is written in the forms its line lists in the first form's
writing instead, one of each family (冲程 中风; not 脑卒中 beside 中风, a form sharing a character with one kept): a
record of the meant sense shares the need's other words too, a record of another sense this word alone. The embedded
text keeps the first form only, since a mix of senses blurs a vector.

Cited precision@5 went 0.627 -> 0.642 on the held-out needs (52 in 26 languages; nDCG@5 0.649 -> 0.666) and 0.840 ->
0.853 on dev; the untuned (0.688) and low-resource needs (0.776) did not change. Every form of the line
(电厂 发电厂 电站 发电站 for *power plant*) weighed one sense several times over in BM25: held-out 0.654, but
untuned 0.662 and low-resource 0.760; every form of every term (synonyms too: 光伏 beside 太阳能) lowered all four sets.
"""

from __future__ import annotations

import threading
import unicodedata
from importlib.resources.abc import Traversable

import icu

__all__ = ["Senses"]

_local = threading.local()


def _simplified(text: str) -> bool:
    """True when ICU's traditional-to-simplified Chinese leaves `text` as it is (any text of another script too)."""
    hans = getattr(_local, "hans", None)
    if hans is None:
        hans = _local.hans = icu.Transliterator.createInstance("Hant-Hans")
    return bool(hans.transliterate(text) == text)


def _scripts(text: str) -> frozenset[str]:
    """The scripts of a text's letters, by the first word of their Unicode names (CJK, LATIN, CYRILLIC)."""
    return frozenset(unicodedata.name(c, "?").split()[0] for c in text if c.isalpha())


def _related(form: str, other: str) -> bool:
    """True when two forms look like ways to write one word: Chinese words sharing a character (电厂, 发电厂), words
    of other scripts sharing their first four letters."""
    if _scripts(form) == {"CJK"}:
        return bool(set(form) & set(other))
    return form[:4].casefold() == other[:4].casefold()


class Senses:
    """The terms of a list like prompts/glossary/senses.txt: a term, a tab, its senses separated by "|"."""

    def __init__(self, source: Traversable | None = None) -> None:
        """`source`: the list; None or a missing file: no term has several senses."""
        lines = source.read_text(encoding="utf-8").splitlines() if source is not None and source.is_file() else []
        self.terms = frozenset(term.strip() for term, tab, _ in (line.partition("\t") for line in lines
                                                                 if not line.startswith("#")) if tab)

    def written(self, english: str, forms: list[str]) -> str:
        """How a text read into a language writes the term `english`, whose line there lists `forms` ("" for none):
        its first form; for a term of several senses, every form written as the first is (the same scripts, the same
        variety of Chinese: 冲程 and 脑卒中, not 沖程 or CO2), separated by spaces."""
        forms = [form.strip() for form in forms if form.strip()]
        if not forms:
            return ""
        first = forms[0]
        if english not in self.terms:
            return first
        scripts, simplified = _scripts(first), _simplified(first)
        kept: list[str] = []
        for form in forms:
            if _scripts(form) == scripts and _simplified(form) == simplified \
                    and not any(_related(form, other) for other in kept):
                kept.append(form)
        return " ".join(kept)
