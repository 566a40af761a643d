"""The 17 interface languages and how a user's language is chosen (detection itself is retrieval.language's)."""

from __future__ import annotations

import re

from assistant.locale.lexicon import marker_count, marker_languages
from retrieval.language import detect_language, detection_sample, guess_languages, language_code

__all__ = ["LANGUAGES", "RTL", "detect_with_score", "neighbours", "pick_language", "resolve_language",
           "served_language"]

LANGUAGES: dict[str, str] = {
    "en": "English",
    "zh": "中文",
    "ru": "Русский",
    "pt": "Português",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
    "hi": "हिन्दी",
    "fa": "فارسی",
    "am": "አማርኛ",
    "id": "Bahasa Indonesia",
    "ms": "Bahasa Melayu",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "kk": "Қазақ тілі",
    "uz": "Oʻzbekcha",
    "af": "Afrikaans",
}
RTL = frozenset({"ar", "fa"})

_KAZAKH = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
_CONFIDENT = 0.5
# Languages the offline detector confuses with a neighbour; marker words (prompts/lexicon.json) decide.
_NEIGHBOURS = {"nl": ("af",), "id": ("ms",), "ms": ("id",), "tr": ("uz",), "az": ("uz",), "tt": ("kk",),
               "ky": ("kk",), "ba": ("kk",), "uk": ("kk",), "mn": ("kk",), "es": ("pt",), "pt": ("es",),
               "gl": ("pt", "es")}
# A language the detector does not know well is guessed as some unrelated one, unsure ("Bizning kompaniyamiz ...
# hamkor izlamoqda": Bosnian, 0.21; "Je, kuna teknolojia za kukausha ndizi...": Turkish, 0.11): then any language
# with marker words may claim it, with this many markers; a language we do not serve only an unsure guess (its answer
# is in English, but its topic is read through its own glossary).
_UNSURE_MARKERS = 2


def neighbours(code: str) -> tuple[str, ...]:
    """The served languages the detector confuses with `code` (Malay for Indonesian, Portuguese for Spanish)."""
    return tuple(other for other in _NEIGHBOURS.get(code, ()) if other in LANGUAGES)


def served_language(tag: str | None) -> str | None:
    """The interface language a language tag names ('pt-BR' -> 'pt'), or None when we do not serve it."""
    code = language_code(tag or "")
    return code if code in LANGUAGES else None


def resolve_language(text: str, requested: str | None = None) -> str:
    """The language to answer in: the requested one if we serve it, else the text's, else English."""
    served = served_language(requested)
    if served:
        return served
    detected = detect_language(text, default="en")
    return detected if detected in LANGUAGES else "en"


def detect_with_score(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence) of the text's language, neighbours told apart by marker words;
    ("", 0.0) when it cannot be told."""
    guesses = guess_languages(text, k=3)
    return _disambiguate(guesses, detection_sample(text)) if guesses else ("", 0.0)


def _disambiguate(guesses: list[tuple[str, float]], text: str) -> tuple[str, float]:
    """The detector's guess, unless it is unsure or a known confusion and marker words
    (prompts/lexicon.json) point to another served language among its guesses or neighbours."""
    code, score = guesses[0]
    if code in ("tt", "ky", "ba") and _KAZAKH.search(text):
        return "kk", max(score, _CONFIDENT)  # letters only Kazakh uses among these neighbours
    if score >= _CONFIDENT and code in LANGUAGES and code not in _NEIGHBOURS:
        return code, score
    candidates = dict(guesses)
    for other in _NEIGHBOURS.get(code, ()):
        candidates.setdefault(other, 0.0)
    ranked = sorted(((marker_count(text, c), s, c) for c, s in candidates.items() if c in LANGUAGES), reverse=True)
    if score < _CONFIDENT or code not in LANGUAGES:
        unsure = [(n, 0.0, c) for c in marker_languages()
                  if c not in candidates and (c in LANGUAGES or score < _CONFIDENT)
                  and (n := marker_count(text, c)) >= _UNSURE_MARKERS]
        ranked = sorted([*ranked, *unsure], reverse=True)
    if not ranked or ranked[0][0] == 0 or ranked[0][0] <= marker_count(text, code):
        return code, score
    markers, other_score, other = ranked[0]
    return other, max(other_score, _CONFIDENT if markers >= 2 else other_score)


def pick_language(message: str, requested: str | None, previous: str | None) -> str:
    """The requested language if served; else the message's when confidently detected (English for
    a language we do not serve); else the conversation's previous language; else English."""
    served = served_language(requested)
    if served:
        return served
    code, score = detect_with_score(message)
    if code in LANGUAGES and (score >= _CONFIDENT or previous is None):
        return code
    if score >= _CONFIDENT:
        return "en"  # confidently a language we do not serve
    return previous or "en"
