"""The 17 interface languages and how a user's language is chosen."""

from __future__ import annotations

from retrieval.language import detect_language

__all__ = ["LANGUAGES", "RTL", "resolve_language"]

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


def resolve_language(text: str, requested: str | None = None) -> str:
    """The language to answer in: the requested one if we serve it, else the text's, else English."""
    if requested:
        code = requested.strip().lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES:
            return code
    detected = detect_language(text, default="en")
    return detected if detected in LANGUAGES else "en"
