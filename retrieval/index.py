"""The searchable corpus: catalog (records + lexical) and Chroma (dense), kept consistent by content hash.

`Index` is the one object the rest of the application holds; it composes the parts, each in its own module:
writing records (`retrieval.writer`), embedding them (`retrieval.vectorizer`), keeping the vector snapshot
current (`retrieval.snapshot_keeper`) and searching (`retrieval.search`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from retrieval.catalog import Catalog, Filters
from retrieval.companion import Companion
from retrieval.config import IndexConfig, Progress
from retrieval.hybrid import Hit
from retrieval.record import Record
from retrieval.search import search
from retrieval.shared.records import SharedRecords
from retrieval.shared.replica import Replica
from retrieval.snapshot import VectorSnapshot
from retrieval.snapshot_keeper import SnapshotKeeper
from retrieval.vector_store import VectorStore
from retrieval.vectorizer import LocalVectors, Vectorizer
from retrieval.writer import RecordWriter

__all__ = ["Hit", "Index", "IndexConfig", "Progress"]

class Index:
    """Ingest, search, fetch and delete records; one instance per data directory."""

    def __init__(self, config: IndexConfig, embeddings: Embeddings, shared: SharedRecords | None = None) -> None:
        """With `shared`, the records live in a database several nodes share: this node's catalog (lexical index,
        vector cache, the snapshot's source) becomes a replica that follows it (`retrieval.shared.replica`), and
        takes the vectors it lacks from the Chroma server (or computes them, when there is none)."""
        from retrieval.embedder import embedder_slug

        self.config = config
        self.embeddings = embeddings
        model = embedder_slug(config.embedder_name)
        self.catalog = Catalog(config.data_dir / "catalog.sqlite")
        self.store = VectorStore(config.data_dir / "chroma", f"records-{model}", config.chroma_url)
        self.snapshots = SnapshotKeeper(config, self.catalog, model)
        self.vectorizer = Vectorizer(config, self.catalog, self.store, embeddings, model, shared)
        self.writer = RecordWriter(config, self.catalog, shared)
        self.shared = shared
        self.companion: Companion | None = None
        """A second embedder's opinion for need search (`retrieval.companion`), when the composition root adds one."""
        self.replica = None if shared is None else Replica(
            shared, self.store if config.chroma_url else LocalVectors(self.vectorizer), self.catalog, model,
            config.data_dir / "replica.lock", adopt=self._adopt)

    def close(self) -> None:
        if self.replica is not None:
            self.replica.stop()
        self.catalog.close()
        self.snapshots.close()

    # -- writing -------------------------------------------------------------------------------------
    def prepare(self, record: Record) -> Record:
        """Fill what the index derives: the language, when the record does not say."""
        return self.writer.prepare(record)

    def classify(self, records: Sequence[Record]) -> tuple[list[tuple[Record, str]], int, int, int]:
        """Split records into (changed with hashes, added, updated, unchanged)."""
        return self.writer.classify(records)

    def write(self, items: Sequence[tuple[Record, str]], progress: Progress | None = None, batch: int = 2000,
              parallel: bool = False) -> None:
        """Write records to the catalog (lexically searchable at once); vectors follow in `embed_pending`."""
        self.writer.write(items, progress, batch, parallel)

    def embed_pending(self, progress: Progress | None = None, chunk: int = 1000) -> int:
        """Embed every record whose current content has no vector yet (`Vectorizer.embed_pending`)."""
        done = self.vectorizer.embed_pending(progress, chunk)
        if done:
            self.snapshots.invalidate()
        return done

    def seed_vectors(self, path: Path) -> int:
        """Load a vector file (`hashes`, `vectors` arrays in .npz) into the cache; returns how many."""
        return self.vectorizer.seed_vectors(path)

    def export_vectors(self, path: Path) -> int:
        """Write the vectors of every record's current embedding text to an .npz seed file."""
        return self.vectorizer.export_vectors(path)

    @property
    def seed_name(self) -> str:
        """The file name a seed vector file for this embedder has beside an ingested file."""
        return self.vectorizer.seed_name

    def delete(self, record_id: str) -> bool:
        found = self.shared.delete(record_id) if self.shared is not None else False
        found = self.catalog.delete(record_id) or found
        self.store.delete([record_id])
        self.snapshots.invalidate()
        return found

    def changed_since(self, stamp: str, limit: int = 1000) -> list[tuple[str, Record]]:
        """(updated_at, record) of records written after `stamp` (ISO UTC seconds), oldest first."""
        return (self.shared or self.catalog).changed_since(stamp, limit)

    # -- following a shared store ----------------------------------------------------------------------
    def refresh(self, progress: Progress | None = None) -> None:
        """Catch up with the shared store, if there is one (a one-shot command before it reads; `ttc serve` and
        the bot follow it in the background: `Replica.start`)."""
        if self.replica is not None:
            self.replica.sync(progress)

    def _adopt(self) -> int:
        """Write every record of the local catalog, and its vector, to the (empty) shared stores."""
        changed, *_ = self.classify(list(self.catalog.iter_records()))
        self.write(changed)
        return self.embed_pending()

    # -- reading -------------------------------------------------------------------------------------
    def get(self, record_id: str) -> Record | None:
        stored = self.catalog.get(record_id)
        return stored.record if stored else None

    def dense(self, query: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        return self.store.query(self.embeddings.embed_query(query), limit, filters)

    def lexical(self, query: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        return self.catalog.lexical_search(query, limit, filters)

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """Hybrid search (`retrieval.search.search`)."""
        return search(self, query, k, filters)

    def snapshot(self) -> VectorSnapshot:
        """The in-memory vectors, current with the catalog (`SnapshotKeeper.current`)."""
        return self.snapshots.current()

    def prepare_snapshot(self, progress: Progress | None = None) -> int:
        """Build the snapshot now and store it for the next process; returns how many vectors it holds."""
        return self.snapshots.prepare(progress)

    def prepare_companion(self, progress: Progress | None = None) -> int:
        """Give the second embedder (`retrieval.companion`) the vectors it lacks; returns how many it computed."""
        return self.companion.prepare(progress) if self.companion is not None else 0

    def stats(self) -> dict[str, Any]:
        catalog = self.catalog
        return {
            "records": catalog.count(),
            "by_kind": catalog.counts_by("kind"),
            "by_field": catalog.counts_by("field"),
            "by_language": catalog.counts_by("language"),
            "by_country": catalog.counts_by("country"),
            "index": {
                "embedder": self.config.embedder_name,
                "vectors": self.store.count(),
                "pending_vectors": catalog.count_pending(),
                "catalog_bytes": catalog.size_bytes(),
                "chroma": self.config.chroma_url or str(self.config.data_dir / "chroma"),
            },
        }
