"""Country names in the 17 languages and five more questions arrive in (from ICU's locale data): a country's name,
and the country a text names.

A text may name a region instead ("partners in Europe", "в Юго-Восточной Азии", "东南亚"): its UN M.49 code (or "EU")
stands where a country code would, and a country filter with it keeps the region's countries
(`retrieval.catalog.countries_in`). A country's name wins over a region's of the same spelling (South Africa)."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

import icu

from assistant.locale.languages import LANGUAGES
from assistant.locale.lexicon import normalize, unspaced

__all__ = ["NAME_LANGUAGES", "REGIONS", "country_code", "country_mention", "country_name", "find_country"]

NAME_LANGUAGES = (*LANGUAGES, "de", "it", "nl", "pl", "tr")
"""Languages whose country names a question is read for: the 17 the product speaks, and five more its questions
arrive in that write names apart (a Turkish need names "Hollanda'dan", a German one "in Österreich"). Japanese and
Korean are not among them: their short names hide inside other words (タイ in タイヤ, a tyre; 말리 in 말리다, to dry).
Polish names are found as written in the nominative only ("w Niemczech", in Germany, is not)."""

# Country names that are also everyday words in some language; never read them as countries.
_AMBIGUOUS = frozenset({"chad", "jersey", "turkey", "georgia", "guinea", "jordan", "niger", "mali", "togo",
                        "man", "chile", "peru", "panama", "cuba", "того", "мали", "чад",
                        "pole",  # Afrikaans for Poland, an English word ("utility pole")
                        "gana",  # Portuguese for Ghana, Spanish for "wins"
                        "island",  # German and Dutch for Iceland
                        "chili",  # Dutch for Chile, and the pepper
                        "czad",  # Polish for Chad, and fumes
                        "mısır",  # Turkish for Egypt, and maize
                        "polen",  # German and Dutch for Poland, Spanish for pollen
                        "fas", "gine",  # Turkish for Morocco and Guinea; a fez, and "again"
                        "indie",  # Polish for India
                        })
# Names that are also everyday words in their own language count only after a word that introduces a country:
# "مالي" is Mali and "financial" ("دعم مالي"), "قطر" Qatar and "diameter", "بنين" Benin and "boys", Persian "مالی"
# financial and "چک" a cheque. Vietnamese writes a word as several one-syllable tokens, so every one-syllable name is
# one of these ("giải pháp" is a solution, not France; "đạo đức" ethics, not Germany; "áo" a coat).
_CUED = frozenset({"مالي", "قطر", "بنين", "مالی", "چک"})
_PLACE_CUES = frozenset({"nước", "tại", "ở", "từ", "sang",  # vi: country, at, in, from, to
                         "دولة", "جمهورية", "بلد",  # ar: state, republic, country
                         "کشور", "جمهوری"})  # fa: country, republic
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# UN M.49 regions people name in a need (continents and their parts) and the European Union; CLDR names each in
# every language. Not the Americas as a whole ("America" is the United States to most).
REGIONS = ("002", "015", "011", "014", "017", "018", "202", "142", "030", "034", "035", "143", "145", "150", "151",
           "154", "155", "039", "419", "005", "021", "009", "EU")


@lru_cache(maxsize=4096)
def country_name(code: str, language: str) -> str:
    """The name of an ISO 3166-1 alpha-2 country in `language`; the upper-case code when ICU has no name."""
    name = icu.Locale("", code.upper()).getDisplayCountry(icu.Locale(language))
    return str(name) if name and name != code.upper() else code.upper()


@lru_cache(maxsize=1)
def _answers() -> dict[str, str]:
    """Case-folded ISO codes and country names in `NAME_LANGUAGES` → ISO 3166-1 alpha-2 code."""
    locales = [icu.Locale(code) for code in NAME_LANGUAGES]
    names: dict[str, str] = {}
    for code in icu.Locale.getISOCountries():
        region = icu.Locale("", code)
        names[code.casefold()] = code
        for locale in locales:
            names.setdefault(region.getDisplayCountry(locale).casefold(), code)
    return names


def country_code(answer: str) -> str | None:
    """The ISO code a user meant by answering with a code or a country name (`NAME_LANGUAGES`), if any."""
    return _answers().get(" ".join(answer.split()).casefold())


@lru_cache(maxsize=1)
def _names() -> tuple[list[tuple[str, str, bool]], dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """Names by how they are matched: (phrases as (needle, code, inside words), whole-word names, Cyrillic
    stems, names that count only after a place word: `_CUED`). A phrase of an unspaced script
    matches anywhere; others match whole words (the needle is padded)."""
    pairs: dict[str, str] = {}
    cued: dict[str, str] = {}
    codes = [str(c) for c in icu.Locale.getISOCountries()] + list(REGIONS)  # countries first: their names win
    for language in NAME_LANGUAGES:
        display = icu.Locale(language)
        for code in codes:
            name = normalize(str(icu.Locale("", code).getDisplayCountry(display)))
            if len(name) < 2 or name == code.lower() or name in _AMBIGUOUS:
                continue
            if name in _CUED or (language == "vi" and " " not in name and not name.isascii()):
                cued.setdefault(name, code)
            else:
                pairs.setdefault(name, code)
    for name in set(cued) & set(pairs):  # the same spelling is a name elsewhere too ("Cuba"): the cue is not needed
        del cued[name]
    longest_first = sorted(pairs.items(), key=lambda item: -len(item[0]))
    phrases = [(n, c, True) if unspaced(n) else (f" {n} ", c, False) for n, c in longest_first
               if unspaced(n) or " " in n]
    words = {n: c for n, c in longest_first if not unspaced(n) and " " not in n}
    # Cyrillic names are inflected ("в Бразилии", "Германияда"): match on the stem.
    stems = [(n[:-1], c) for n, c in longest_first if n in words and _CYRILLIC.search(n) and len(n) >= 5]
    return phrases, words, stems, cued


def find_country(text: str) -> str | None:
    """The ISO code of a country the text names, or the M.49 code of a region (multi-word and longer names first),
    if any."""
    mention = country_mention(text)
    return mention[0] if mention else None


def country_mention(text: str) -> tuple[str, str] | None:
    """(code, the name as the text wrote it, normalized) of the country or region the text names (`find_country`),
    if any: an inflected Cyrillic name is the whole word ("Бразилии"), a name cued by a place word is the name."""
    normalized = normalize(text)
    padded = f" {normalized} "
    phrases, words, stems, cued = _names()
    for needle, code, inside in phrases:
        if needle in (normalized if inside else padded):
            return code, needle.strip()
    tokens = normalized.split()
    for token in tokens:
        if token in words:
            return words[token], token
    for stem, code in stems:
        for token in tokens:
            if token.startswith(stem) and len(token) <= len(stem) + 3:
                return code, token
    for before, token in pairwise(tokens):
        if token in cued and before in _PLACE_CUES:
            return cued[token], token
    return None
