"""Machine translation of record content into the reader's language, cached in the catalog.

`TTC_TRANSLATOR` chooses the provider: `off` (default), `libretranslate` (a LibreTranslate server at
`TTC_TRANSLATE_URL`) or `llm` (the configured OpenAI-compatible model).
"""

from __future__ import annotations

from assistant.settings import Settings
from assistant.translation.service import RecordTranslation, TranslationService
from assistant.translation.translator import TranslationError, Translator
from retrieval.errors import InvalidInput
from retrieval.translations import TranslationCache

__all__ = ["RecordTranslation", "TranslationError", "TranslationService", "Translator", "build_translation",
           "make_translator"]


def make_translator(settings: Settings) -> Translator | None:
    """The provider the settings choose, or None when translation is off; InvalidInput when the provider's
    service is not configured."""
    if settings.translator == "libretranslate":
        if not settings.translate_url:
            raise InvalidInput("TTC_TRANSLATOR=libretranslate needs TTC_TRANSLATE_URL (the LibreTranslate server)")
        from assistant.translation.libretranslate import LibreTranslate

        key = settings.translate_api_key.get_secret_value() if settings.translate_api_key else None
        return LibreTranslate(settings.translate_url, key)
    if settings.translator == "llm":
        if not (settings.llm_base_url and settings.llm_model):
            raise InvalidInput("TTC_TRANSLATOR=llm needs TTC_LLM_BASE_URL and TTC_LLM_MODEL")
        from assistant.translation.model import ModelTranslator

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return ModelTranslator(settings.llm_base_url, settings.llm_model, key)
    return None


def build_translation(settings: Settings) -> TranslationService:
    """The translation service of a data directory: its cache in the catalog, the configured provider."""
    translator = make_translator(settings)
    cache = TranslationCache.in_data_dir(settings.data_dir) if translator is not None else None
    return TranslationService(translator, cache, timeout=settings.translate_timeout_seconds)
