"""The services container: built once from settings, passed to every adapter (CLI, web, bot)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.chat import Assistant
from assistant.inquiries import InquiryService
from assistant.insights import InsightsService
from assistant.settings import Settings
from retrieval.embedder import make_embeddings
from retrieval.index import Index, IndexConfig
from retrieval.query_cache import QueryCache

__all__ = ["Services", "build_services"]


@dataclass
class Services:
    """Everything the adapters need, built once."""

    settings: Settings
    index: Index
    inquiries: InquiryService
    assistant: Assistant
    insights: InsightsService

    def close(self) -> None:
        self.insights.close()
        self.inquiries.close()
        self.assistant.sessions.close()
        self.assistant.translations.close()
        self.index.close()


def build_services(settings: Settings) -> Services:
    """Build the services a settings object describes."""
    api_key = settings.embedder_api_key.get_secret_value() if settings.embedder_api_key else None
    base_url = settings.embedder_base_url or settings.llm_base_url
    if api_key is None and settings.llm_api_key is not None:
        api_key = settings.llm_api_key.get_secret_value()
    embeddings = QueryCache(make_embeddings(settings.embedder, base_url=base_url, api_key=api_key))
    index = Index(
        IndexConfig(
            data_dir=settings.data_dir,
            embedder_name=settings.embedder,
            chroma_url=settings.chroma_url,
            lead_chars=settings.embed_lead_chars,
        ),
        embeddings,
    )
    inquiries = InquiryService.from_settings(settings, index=index)
    assistant = Assistant.from_settings(settings, index)
    insights = InsightsService(inquiries.engine, embeddings=embeddings,
                               retention_days=settings.insights_retention_days)
    return Services(settings=settings, index=index, inquiries=inquiries, assistant=assistant, insights=insights)
