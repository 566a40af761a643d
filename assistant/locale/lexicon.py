"""Word lists that steer the assistant's simple rules, read from prompts/lexicon.json.

Each list mixes all 17 languages on purpose: a short message is easily misdetected, so every rule
looks for the phrases of every language.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib.resources import files

from retrieval.tokenizer import tokenize

__all__ = ["LIST_NAMES", "contains_phrase", "content_terms", "lexicon", "marker_count", "marker_languages",
           "normalize", "plain_spelling", "starts_with_phrase", "unspaced"]

LIST_NAMES = ("followup", "offer", "needing", "seek", "offering", "greeting", "generic", "abuse", "off_topic")


# The marks Arabic script writes only at times: the short vowels, tanwin, shadda and sukun (U+064B-U+065F, with the
# combining hamzas NFKC has not joined to a letter), the superscript alef and the tatweel that stretches a word.
# A writer adds a shadda to tell المسيّرة (guided: drones) from المسيرة (the march); word lists are written without.
# The letters typed for one another: alef with a hamza or madda as a bare alef (اصطناعي for إصطناعي, اسبانيا for
# إسبانيا: most keyboards make the bare one easier), and a final alef maqsura as yeh (Egyptian writes في as فى).
_PLAIN = {mark: None for mark in (*range(0x064B, 0x0660), 0x0670, 0x0640)} \
    | {ord(alef): "\u0627" for alef in "\u0623\u0625\u0622\u0671"} | {0x0649: "\u064a"}


def plain_spelling(text: str) -> str:
    """`text` in Arabic script as it is compared: the optional marks (harakat, shadda, tatweel) left out, the alefs
    with hamza or madda as a bare alef, alef maqsura as yeh."""
    return text.translate(_PLAIN)


def normalize(text: str) -> str:
    """NFKC, lower case, Arabic script in its plain spelling (`plain_spelling`; other combining marks are kept:
    Devanagari writes its vowels with them), punctuation and symbols replaced by spaces, single spaces."""
    text = plain_spelling(unicodedata.normalize("NFKC", text).lower())
    return " ".join("".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text).split())


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, ...]]:
    """Every word list, normalized."""
    raw = json.loads(files("prompts").joinpath("lexicon.json").read_text(encoding="utf-8"))
    return {name: tuple(dict.fromkeys(normalize(p) for p in raw[name] if normalize(p))) for name in LIST_NAMES}


@lru_cache(maxsize=1)
def _markers() -> dict[str, tuple[str, ...]]:
    raw = json.loads(files("prompts").joinpath("lexicon.json").read_text(encoding="utf-8"))
    return {lang: tuple(word.lower() for word in words) for lang, words in raw.get("markers", {}).items()}


def marker_count(text: str, language: str) -> int:
    """How many of a language's marker words the text holds (`~x` markers match inside words: Uzbek o‘)."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    words = set(normalize(text).split())
    return sum(1 for m in _markers().get(language, ())
               if (m[1:] in lowered if m.startswith("~") else m in words))


def marker_languages() -> tuple[str, ...]:
    """The languages with marker words: those the offline detector confuses with a neighbour."""
    return tuple(_markers())


def unspaced(text: str) -> bool:
    """True for scripts written without spaces between words (CJK, Thai)."""
    return any(0x0E00 <= ord(c) <= 0x0E7F or 0x3040 <= ord(c) <= 0x9FFF for c in text)


@lru_cache(maxsize=len(LIST_NAMES))
def _patterns(list_name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(substring patterns for unspaced scripts, space-delimited patterns for the rest)."""
    phrases = lexicon()[list_name]
    return tuple(p for p in phrases if unspaced(p)), tuple(f" {p} " for p in phrases if not unspaced(p))


def contains_phrase(text: str, list_name: str) -> bool:
    """True when the text holds a phrase of the list (whole words; substrings for unspaced scripts)."""
    padded = f" {normalize(text)} "
    inside, words = _patterns(list_name)
    return any(p in padded for p in inside) or any(p in padded for p in words)


def starts_with_phrase(text: str, list_name: str) -> bool:
    """True when the text begins with a phrase of the list."""
    padded = f" {normalize(text)} "
    inside, words = _patterns(list_name)
    return any(padded.startswith(" " + p) for p in inside) or any(padded.startswith(p) for p in words)


def content_terms(text: str) -> set[str]:
    """The query's searchable words without generic question words (tokens as the index sees them)."""
    generic = set(lexicon()["generic"])
    return {t for t in tokenize(text) if t not in generic and (len(t) > 1 or not t.isascii())}
