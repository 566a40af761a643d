"""Machine translation of record content into the reader's language, cached in the catalog.

`TTC_TRANSLATOR` chooses the provider (`assistant.services.build_translator`): `off` (default), `libretranslate`
(a LibreTranslate server at `TTC_TRANSLATE_URL`) or `llm` (the configured OpenAI-compatible model).
"""

from __future__ import annotations

from assistant.translation.service import RecordTranslation, TranslationService
from assistant.translation.translator import TranslationError, Translator

__all__ = ["RecordTranslation", "TranslationError", "TranslationService", "Translator"]
