"""RecordsService: the one door through which the adapters (web, Telegram, CLI) read, publish and delete records.

Records are written exactly as `ttc ingest` writes them (`retrieval.ingest.ingest_rows`), so a record published
here is searchable at once and can be matched.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from retrieval.catalog import Filters
from retrieval.errors import InvalidInput, NotFound
from retrieval.index import Hit, Index, Progress
from retrieval.ingest import IngestReport, ingest_paths, ingest_rows
from retrieval.reader import Row
from retrieval.record import Record

__all__ = ["RecordCounts", "RecordsService", "valid_contact"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().\-]{6,24}$")


def valid_contact(value: str) -> bool:
    """An e-mail address or a phone number with at least six digits."""
    return bool(_EMAIL.match(value) or (_PHONE.match(value) and sum(c.isdigit() for c in value) >= 6))


@dataclass(frozen=True)
class RecordCounts:
    """How many records there are, and how many of them are searchable lexically only (vectors to come)."""

    records: int
    pending_vectors: int


class RecordsService:
    """Search, read, publish and delete records of one index."""

    def __init__(self, index: Index) -> None:
        self.index = index

    # -- reading --------------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """The best `k` records for a query (hybrid retrieval), optionally filtered."""
        return self.index.search(query, k, filters)

    def get(self, record_id: str) -> Record | None:
        """One record, or None."""
        return self.index.get(record_id)

    def require(self, record_id: str) -> Record:
        """One record; NotFound if absent."""
        record = self.index.get(record_id)
        if record is None:
            raise NotFound(f"no record with id {record_id!r}")
        return record

    def iter_records(self) -> Iterator[Record]:
        """Every record, in catalog order (for walks such as translating titles ahead of time)."""
        return self.index.catalog.iter_records()

    def stats(self) -> dict[str, Any]:
        """Counts by kind, field, language and country, and index sizes (`ttc stats`)."""
        return self.index.stats()

    def changed_since(self, stamp: str, limit: int = 1000) -> list[tuple[str, Record]]:
        """(stamp, record) of the records written after `stamp` (ISO UTC, exclusive), oldest first."""
        return self.index.changed_since(stamp, limit)

    def replication(self) -> dict[str, Any] | None:
        """How this node's caches follow the shared record store (`Replica.status`), or None without one."""
        replica = self.index.replica
        return None if replica is None else replica.status()

    def refresh(self, progress: Progress | None = None) -> None:
        """Catch up with the shared record store, if there is one (`Index.refresh`)."""
        self.index.refresh(progress)

    def counts(self) -> RecordCounts:
        """The number of records and of those still waiting for their vectors."""
        catalog = self.index.catalog
        return RecordCounts(records=catalog.count(), pending_vectors=catalog.count_pending())

    def countries(self) -> list[str]:
        """The ISO country codes present in the corpus, sorted."""
        return sorted(c for c in self.index.catalog.counts_by("country") if len(c) == 2)

    # -- writing --------------------------------------------------------------------------------------
    def add(self, items: Sequence[object], *, source: str, kind: str | None = None,
            strict: bool = False) -> IngestReport:
        """Validate and upsert record objects as `ttc ingest` does; anything but an object is rejected. The
        report's errors name each rejected item by its 0-based position (`line`); `strict` writes nothing when
        any item is bad."""
        rows = [Row(source, n, item) if isinstance(item, dict)
                else Row(source, n, None, f"expected a JSON object, got {type(item).__name__}")
                for n, item in enumerate(items)]
        return ingest_rows(self.index, rows, kind=kind, strict=strict)

    def ingest_files(self, paths: Sequence[Path], *, kind: str | None = None, strict: bool = False,
                     embed: bool = True, progress: Progress | None = None) -> IngestReport:
        """Validate and upsert the records of data files (JSONL, JSON, CSV, XLSX); bad rows are reported with
        their file and line and the rest are written."""
        return ingest_paths(self.index, paths, kind=kind, strict=strict, progress=progress, embed=embed,
                            parallel=True)

    def embed_pending(self, progress: Progress | None = None) -> int:
        """Compute the vectors still missing and store the search snapshot; how many records got vectors."""
        done = self.index.embed_pending(progress)
        self.index.prepare_snapshot(progress)  # stored: the next `ttc serve` maps it
        self.index.prepare_companion(progress)
        return done

    def export_vectors(self, out: Path) -> int:
        """Write every record's vector to a seed file `ttc ingest` picks up; how many were written."""
        return self.index.export_vectors(out)

    def publish_demand(self, data: dict[str, Any], *, source: str) -> Record:
        """Publish one demand posted by a person (`data` without id, kind, source or date, which are set here);
        the record as stored. A record the schema rejects raises InvalidInput with the reason."""
        record_id = f"{source}-{uuid.uuid4().hex[:12]}"
        row = {**data, "id": record_id, "kind": "demand", "source": source,
               "date": datetime.now(UTC).date().isoformat()}
        report = self.add([row], source=source)
        if report.errors:
            raise InvalidInput(str(report.errors[0]["error"]))
        record = self.index.get(record_id)
        if record is None:  # pragma: no cover - ingest wrote it a moment ago
            raise InvalidInput("the demand could not be stored")
        return record

    def delete(self, record_id: str) -> None:
        """Delete a record; NotFound for an unknown id."""
        if not self.index.delete(record_id):
            raise NotFound(f"no record with id {record_id!r}")
