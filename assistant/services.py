"""The composition root: every collaborator built once from the settings, passed to every adapter (CLI, web, bot).

Nothing here starts background work: long-running processes call `Services.start` (the web app's lifespan,
the bot's `run`); one-shot commands never do.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from langchain_core.embeddings import Embeddings
from sqlalchemy import Engine

from assistant.chat.assistant import Assistant
from assistant.chat.match_strength import STRONG_MARGIN
from assistant.chat.sessions import SessionStore
from assistant.chat.topic import TopicGate
from assistant.inquiries import InquiryService
from assistant.inquiries.database import open_database
from assistant.inquiries.llm_triage import LLMTriage
from assistant.insights import InsightsService
from assistant.llm import LLM
from assistant.records import RecordsService
from assistant.settings import Settings
from assistant.translation import TranslationService, Translator
from assistant.understanding.reader import NeedReader
from retrieval.companion import Companion
from retrieval.embedder import embedder_slug, make_embeddings
from retrieval.errors import InvalidInput
from retrieval.index import Index, IndexConfig
from retrieval.query_cache import QueryCache
from retrieval.shared.records import SharedRecords
from retrieval.translations import TranslationCache

__all__ = ["Services", "build_llm", "build_services", "build_translation", "build_translator"]


log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the adapters need, built once by `build_services`."""

    settings: Settings
    index: Index
    llm: LLM | None
    sessions: SessionStore
    translations: TranslationService
    inquiries: InquiryService
    assistant: Assistant
    insights: InsightsService
    records: RecordsService
    _companion_started: bool = field(default=False, repr=False)

    def start(self) -> None:
        """For long-running processes: warm the inquiry classifier, start the insights writer, over a shared
        record store follow it, and give the second embedder the vectors it lacks (background threads); idempotent."""
        self.inquiries.start()
        self.insights.start()
        if self.index.replica is not None:
            self.index.replica.start()
        if self.index.companion is not None and not self._companion_started:
            # an index built before the second embedder, or a replica's records: their vectors, off the request path
            self._companion_started = True
            threading.Thread(target=self._prepare_companion, daemon=True, name="ttc-companion-vectors").start()

    def _prepare_companion(self) -> None:
        try:
            self.index.prepare_companion()
        except Exception:  # an opinion, not a dependency
            log.warning("the second embedder's vectors were not prepared", exc_info=True)

    def close(self) -> None:
        if self.index.replica is not None:  # before the database it reads goes
            self.index.replica.stop()
        self.insights.close()
        self.inquiries.close()
        self.sessions.close()
        self.translations.close()
        self.index.close()


def build_services(settings: Settings) -> Services:
    """Build the services a settings object describes: index, model, sessions, translation, inquiries,
    assistant, insights and records, each once, in that order."""
    embeddings = _embeddings(settings)
    database = open_database(settings.inquiry_database_url)
    index = Index(
        IndexConfig(
            data_dir=settings.data_dir,
            embedder_name=settings.embedder,
            chroma_url=settings.chroma_url,
            lead_chars=settings.embed_lead_chars,
        ),
        embeddings,
        _shared_records(database),
    )
    llm = build_llm(settings)
    sessions = SessionStore(settings.data_dir / "sessions.sqlite").open()
    translations = build_translation(settings)
    inquiries = InquiryService(database, index=index,
                               triage=LLMTriage(llm) if llm is not None else None)
    # The `hash` test embedder's vectors carry no meaning: no topic gate, reading of the kind sought or
    # weak-match judgement over them.
    meaningful = not settings.embedder.startswith("hash")
    if meaningful and settings.companion == "use" and embedder_slug(settings.embedder) != "use":
        index.companion = Companion(index.config, index.catalog, make_embeddings("use"))
    assistant = Assistant(index, sessions, llm, topic_gate=TopicGate(embeddings) if meaningful else None,
                          reader=NeedReader(embeddings if meaningful else None), translations=translations,
                          strong_margin=STRONG_MARGIN if meaningful else None, rewrite=settings.llm_rewrite,
                          rerank=settings.llm_rerank)
    insights = InsightsService(inquiries.engine, embeddings=embeddings,
                               retention_days=settings.insights_retention_days)
    return Services(settings=settings, index=index, llm=llm, sessions=sessions, translations=translations,
                    inquiries=inquiries, assistant=assistant, insights=insights, records=RecordsService(index))


def _shared_records(database: Engine) -> SharedRecords | None:
    """The records in the database when it is PostgreSQL (several nodes share them), else None: SQLite in the data
    dir keeps them in the node's own catalog."""
    if database.dialect.name != "postgresql":
        return None
    return SharedRecords.open(database)


def _embeddings(settings: Settings) -> Embeddings:
    """The configured embedder behind a query cache; its endpoint and key default to the model's."""
    api_key = settings.embedder_api_key.get_secret_value() if settings.embedder_api_key else None
    base_url = settings.embedder_base_url or settings.llm_base_url
    if api_key is None and settings.llm_api_key is not None:
        api_key = settings.llm_api_key.get_secret_value()
    return QueryCache(make_embeddings(settings.embedder, base_url=base_url, api_key=api_key))


def build_llm(settings: Settings) -> LLM | None:
    """The chat model the settings configure, or None when TTC_LLM_BASE_URL/MODEL are unset."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LLM(settings.llm_base_url, settings.llm_model, key, settings.llm_timeout_seconds)


def build_translator(settings: Settings) -> Translator | None:
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
    translator = build_translator(settings)
    cache = TranslationCache.in_data_dir(settings.data_dir) if translator is not None else None
    return TranslationService(translator, cache, timeout=settings.translate_timeout_seconds)
