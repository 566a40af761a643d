"""Find a country named in a question, in any of the 17 languages (names from ICU's locale data)."""

from __future__ import annotations

import re
from functools import lru_cache

import icu

from assistant.languages import LANGUAGES
from assistant.lexicon import normalize, unspaced

__all__ = ["find_country"]

# Country names that are also everyday words in some language; never read them as countries.
_AMBIGUOUS = frozenset({"chad", "jersey", "turkey", "georgia", "guinea", "jordan", "niger", "mali", "togo",
                        "man", "chile", "peru", "panama", "cuba", "того", "мали", "чад"})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@lru_cache(maxsize=1)
def _names() -> tuple[list[tuple[str, str, bool]], dict[str, str], list[tuple[str, str]]]:
    """Names by how they are matched: (phrases as (needle, code, inside words), whole-word names, Cyrillic
    stems). A phrase of an unspaced script matches anywhere; others match whole words (the needle is padded)."""
    pairs: dict[str, str] = {}
    codes = [str(c) for c in icu.Locale.getISOCountries()]
    for language in LANGUAGES:
        display = icu.Locale(language)
        for code in codes:
            name = normalize(str(icu.Locale("", code).getDisplayCountry(display)))
            if len(name) >= 2 and name != code.lower() and name not in _AMBIGUOUS:
                pairs.setdefault(name, code)
    longest_first = sorted(pairs.items(), key=lambda item: -len(item[0]))
    phrases = [(n, c, True) if unspaced(n) else (f" {n} ", c, False) for n, c in longest_first
               if unspaced(n) or " " in n]
    words = {n: c for n, c in longest_first if not unspaced(n) and " " not in n}
    # Cyrillic names are inflected ("в Бразилии", "Германияда"): match on the stem.
    stems = [(n[:-1], c) for n, c in longest_first if n in words and _CYRILLIC.search(n) and len(n) >= 5]
    return phrases, words, stems


def find_country(text: str) -> str | None:
    """The ISO code of a country the text names (multi-word and longer names first), if any."""
    normalized = normalize(text)
    padded = f" {normalized} "
    phrases, words, stems = _names()
    for needle, code, inside in phrases:
        if needle in (normalized if inside else padded):
            return code
    tokens = normalized.split()
    for token in tokens:
        if token in words:
            return words[token]
    for stem, code in stems:
        if any(t.startswith(stem) and len(t) <= len(stem) + 3 for t in tokens):
            return code
    return None
