"""LangChain's own standard test suites for our Embeddings and our BaseRetriever (docs/contract.md's Python API)."""

from __future__ import annotations

import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests

from assistant.services import build_services
from retrieval.embedder import E5Embeddings, HashEmbeddings
from retrieval.ingest import ingest_paths
from retrieval.retriever import HybridRetriever
from tests.support.paths import RECORDS
from tests.support.settings import make_settings


@pytest.mark.slow
class TestE5Embeddings(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[Embeddings]:
        return E5Embeddings


class TestHashEmbeddings(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[Embeddings]:
        return HashEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"dim": 32}


class TestHybridRetriever(RetrieversIntegrationTests):
    @cached_property
    def _data_dir(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="ttc-retriever-"))
        services = build_services(make_settings(folder))
        try:
            ingest_paths(services.index, [RECORDS])
        finally:
            services.close()
        return folder

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"data_dir": self._data_dir, "embedder": "hash:64", "k": 10}

    @property
    def retriever_query_example(self) -> str:
        return "solar energy storage"
