"""`ttc ingest|embed|search|stats|get|export-vectors`: the record index from the shell."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.services import Services
from bots.cli.deps import load_settings, open_services
from bots.cli.options import KINDS, AsJson, Country, DataDir, FieldOpt, Kind, TopK, exactly_one
from bots.cli.output import emit
from bots.cli.progress import progress_bar
from retrieval.catalog import Filters
from retrieval.errors import InvalidInput

__all__ = ["embed", "export_vectors", "get", "ingest", "search", "stats"]


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="JSONL, JSON, CSV or XLSX files.")],
    kind: Kind = None,
    strict: Annotated[bool, typer.Option("--strict", help="Write nothing if any row is bad.")] = False,
    no_embed: Annotated[bool, typer.Option("--no-embed", help="Only write records (searchable lexically at once); "
                                           "`ttc embed` backfills the vectors.")] = False,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Validate and upsert records; bad rows are reported with file and line, good rows still ingest."""
    with open_services(load_settings(data_dir)) as services:
        started = time.perf_counter()
        with progress_bar() as progress:
            report = services.records.ingest_files(paths, kind=kind, strict=strict, progress=progress,
                                                   embed=not no_embed)
        seconds = time.perf_counter() - started
        emit(report.as_dict(), as_json, lambda d: _ingest_text(d, seconds, report.written))
    if not report.written:
        raise typer.Exit(1)


def _ingest_text(data: dict[str, Any], seconds: float, written: bool) -> str:
    lines = [f"{e['file']}:{e['line']}: {e['error']}" for e in data["errors"]]
    if not written:
        lines.append(f"nothing written: {data['rejected']} bad row(s) and --strict")
    else:
        lines.append(f"added {data['added']}, updated {data['updated']}, unchanged {data['unchanged']}, "
                     f"rejected {data['rejected']}, embedded {data['embedded']} in {seconds:.1f} s")
    return "\n".join(lines)


def embed(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """Backfill the vectors of every record that has none yet (resumable; progress and throughput shown)."""
    with open_services(load_settings(data_dir)) as services:
        started = time.perf_counter()
        with progress_bar() as progress:
            done = services.records.embed_pending(progress)
        seconds = time.perf_counter() - started
        data = {"embedded": done, "pending": services.records.counts().pending_vectors, "seconds": round(seconds, 1),
                "records_per_second": round(done / seconds, 1) if seconds > 0 else None}
        emit(data, as_json, lambda d: f"embedded {d['embedded']} in {d['seconds']} s "
             f"({d['records_per_second']} records/s), {d['pending']} pending")


def search(
    query: Annotated[str | None, typer.Argument(help="What to look for, in any language.")] = None,
    kind: Kind = None,
    field: FieldOpt = None,
    country: Country = None,
    k: TopK = 10,
    batch: Annotated[Path | None, typer.Option("--batch", help="JSONL of {qid, query, kind?, ...}.")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Hybrid (lexical + dense) search over the corpus."""
    exactly_one("give a QUERY or --batch FILE (not both)", query, batch)
    with open_services(load_settings(data_dir), current=True) as services:
        if batch is not None:
            _search_batch(services, batch, k)
            return
        assert query is not None
        hits = services.records.search(query, k=k, filters=_filters(kind, field, country))
        emit({"query": query, "results": [h.as_dict() for h in hits]}, as_json, _search_text)


def _filters(kind: str | None, field: str | None, country: str | None) -> Filters:
    return Filters(kind=kind, field=field.lower() if field else None, country=country.upper() if country else None)


def _search_text(data: dict[str, Any]) -> str:
    if not data["results"]:
        return "no results"
    lines = []
    for rank, r in enumerate(data["results"], 1):
        where = ", ".join(x for x in (r["organization"], r["country"], r["field"]) if x)
        lines.append(f"{rank:2}. [{r['kind']}] {r['title']}  ({r['id']})")
        if where:
            lines.append(f"    {where}")
        lines.append(f"    {r['snippet']}")
    return "\n".join(lines)


def _search_batch(services: Services, path: Path, k: int) -> None:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                qid, text = item["qid"], str(item["query"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InvalidInput(f"{path}:{number}: expected {{\"qid\", \"query\"}}") from None
            kind = item.get("kind")
            if kind and kind not in KINDS:  # a bad line of the file, not a usage error: exit 1 as before
                raise InvalidInput("--kind must be achievement or demand")
            filters = _filters(kind, item.get("field"), item.get("country"))
            hits = services.records.search(text, k=k, filters=filters) if text.strip() else []
            typer.echo(json.dumps({"qid": qid, "ids": [h.record.id for h in hits]}, ensure_ascii=False))


def stats(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """Counts of records by kind, field, language and country, and index sizes."""
    with open_services(load_settings(data_dir), current=True) as services:
        emit(services.records.stats(), as_json, _stats_text)


def _stats_text(data: dict[str, Any]) -> str:
    lines = [f"records: {data['records']}"]
    for key in ("by_kind", "by_field", "by_language", "by_country"):
        lines.append(f"{key[3:]}: " + ", ".join(f"{k} {v}" for k, v in data[key].items()))
    lines.append("index: " + ", ".join(f"{k} {v}" for k, v in data["index"].items()))
    return "\n".join(lines)


def get(record_id: Annotated[str, typer.Argument(help="Record id.")], data_dir: DataDir = None,
        as_json: AsJson = False) -> None:
    """Show one record."""
    with open_services(load_settings(data_dir), current=True) as services:
        record = services.records.require(record_id)
        emit(record.model_dump(), as_json, lambda d: "\n".join(f"{k}: {v}" for k, v in d.items() if v))


def export_vectors(out: Annotated[Path, typer.Argument(help="Where to write the .npz seed file.")],
                   data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """Write every record's vector to a seed file that `ttc ingest` picks up beside the data files."""
    with open_services(load_settings(data_dir), current=True) as services:
        count = services.records.export_vectors(out)
        emit({"vectors": count, "file": str(out)}, as_json, lambda d: f"wrote {d['vectors']} vectors to {d['file']}")
