"""Ingestion: read files, validate every row, report the bad ones, upsert the good ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.errors import InvalidInput, InvalidRecord
from retrieval.index import Index, Progress
from retrieval.reader import Row, read_rows
from retrieval.record import Record, parse_record

__all__ = ["IngestReport", "ingest_paths", "ingest_rows"]


@dataclass
class IngestReport:
    """What an ingest did; `as_dict` is the stable JSON shape of docs/contract.md (plus `embedded`)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    embedded: int = 0
    written: bool = True
    errors: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "embedded": self.embedded, "errors": self.errors}


def validate_rows(index: Index, rows: Iterable[Row], kind: str | None,
                  report: IngestReport) -> list[Record]:
    """Validated records, first occurrence of each id; every bad row goes into the report."""
    if kind is not None and kind not in ("achievement", "demand"):
        raise InvalidInput("--kind must be achievement or demand")
    seen: dict[str, str] = {}
    records: list[Record] = []
    for row in rows:
        where = f"{row.file}:{row.line}"
        try:
            if row.error is not None:
                raise InvalidRecord(row.error)
            record = parse_record(row.data, kind)
            if record.id in seen:
                raise InvalidRecord(f"duplicate id {record.id!r} (first at {seen[record.id]})")
        except InvalidRecord as exc:
            report.errors.append({"file": row.file, "line": row.line, "error": str(exc)})
            continue
        seen[record.id] = where
        records.append(index.prepare(record))
    report.rejected = len(report.errors)
    return records


def ingest_rows(index: Index, rows: Iterable[Row], *, kind: str | None = None, strict: bool = False,
                progress: Progress | None = None, embed: bool = True, parallel: bool = False) -> IngestReport:
    """Validate and upsert rows; `strict` writes nothing when any row is bad; `parallel` as `Index.write`."""
    report = IngestReport()
    records = validate_rows(index, rows, kind, report)
    if strict and report.errors:
        report.written = False
        return report
    changed, report.added, report.updated, report.unchanged = index.classify(records)
    index.write(changed, progress, parallel=parallel)
    report.ids = [r.id for r, _ in changed]
    if embed:
        report.embedded = index.embed_pending(progress)
    return report


def _all_rows(paths: Sequence[Path]) -> Iterable[Row]:
    for path in paths:
        yield from read_rows(path)


def ingest_paths(index: Index, paths: Sequence[Path], *, kind: str | None = None, strict: bool = False,
                 progress: Progress | None = None, embed: bool = True, parallel: bool = False) -> IngestReport:
    """Ingest files; a `vectors.<embedder>.npz` beside a file seeds the vector cache first.

    With `embed=False` the records are written (searchable lexically, and densely where the cache or a seed
    file has their vectors) and the dense store is left to `Index.embed_pending` (`ttc embed`). The search
    snapshot is built at the end and stored, so the next `ttc serve` starts without building it; with `embed`, the
    second embedder's vectors follow (`Index.prepare_companion`).
    """
    for path in paths:
        if not path.is_file():
            raise InvalidInput(f"{path}: no such file")
    for folder in dict.fromkeys(p.resolve().parent for p in paths):
        seed = folder / index.seed_name
        if seed.is_file():
            index.seed_vectors(seed)
    report = ingest_rows(index, _all_rows(paths), kind=kind, strict=strict, progress=progress, embed=embed,
                         parallel=parallel)
    if report.written:
        index.prepare_snapshot(progress)
        if embed:
            index.prepare_companion(progress)
    return report
