"""Retrieval: record schema, ingestion, embedders, Chroma store, lexical index, hybrid search."""

from retrieval.catalog import Filters
from retrieval.embedder import default_embeddings, make_embeddings
from retrieval.errors import InvalidInput, InvalidRecord, NotFound, TTCError
from retrieval.index import Hit, Index, IndexConfig
from retrieval.record import FIELDS, KINDS, Record
from retrieval.retriever import HybridRetriever

__all__ = ["FIELDS", "KINDS", "Filters", "Hit", "HybridRetriever", "Index", "IndexConfig", "InvalidInput",
           "InvalidRecord", "NotFound", "Record", "TTCError", "default_embeddings", "make_embeddings"]
