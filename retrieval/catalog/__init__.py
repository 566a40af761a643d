"""The record catalog: SQLite table of records (source of truth), its FTS5 lexical index, a vector cache.

One file, one transaction per batch: a record and its lexical entry are written together, so a record
is searchable lexically as soon as its batch commits, and dense vectors can be backfilled afterwards.
`Catalog` is composed of one part per concern, each in its own module over the shared connection
(`retrieval.catalog.database`).
"""

from __future__ import annotations

from retrieval.catalog.changes import ChangeQueries
from retrieval.catalog.filters import FILTER_COLUMNS, Filters, countries_in
from retrieval.catalog.lexical import LEXICAL_BUDGET, LexicalIndex
from retrieval.catalog.records import RecordReads, StoredRecord
from retrieval.catalog.replication import ReplicationState
from retrieval.catalog.stats import CatalogStats
from retrieval.catalog.updates import RecordWrites
from retrieval.catalog.vectors import VectorCache

__all__ = ["FILTER_COLUMNS", "LEXICAL_BUDGET", "Catalog", "Filters", "StoredRecord", "countries_in"]


class Catalog(RecordReads, RecordWrites, ChangeQueries, LexicalIndex, VectorCache, CatalogStats, ReplicationState):
    """SQLite-backed record store with an FTS5 index; safe to share between threads."""
