"""The `ttc` command: a thin adapter from the shell to the services."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from assistant.progress import progress_bar
from assistant.services import Services, build_services
from assistant.settings import Settings
from retrieval.catalog import Filters
from retrieval.errors import InvalidInput, NotFound, TTCError
from retrieval.ingest import ingest_paths

app = typer.Typer(help="TTC Assistant: multilingual technology-transfer search and chat.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Index directory (default: TTC_DATA_DIR or ./.ttc).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print stable JSON instead of human-readable text.")]
Kind = Annotated[str | None, typer.Option("--kind", help="achievement or demand.")]
FieldOpt = Annotated[str | None, typer.Option("--field", help="Only records of this field.")]
Country = Annotated[str | None, typer.Option("--country", help="Only records from this country (ISO code).")]
TopK = Annotated[int, typer.Option("-k", "--k", min=1, max=100, help="How many results.")]


def fail(message: str) -> NoReturn:
    """A user error: one line on stderr, exit code 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def services_for(data_dir: Path | None) -> Iterator[Services]:
    """Build the services for one command; project errors become a one-line message and exit 1."""
    try:
        settings = Settings(data_dir=data_dir) if data_dir else Settings()
        services = build_services(settings)
    except TTCError as exc:
        fail(str(exc))
    except ValueError as exc:  # pydantic-settings rejects a malformed setting
        fail(f"invalid setting: {exc}".splitlines()[0])
    try:
        yield services
    except TTCError as exc:
        fail(str(exc))
    finally:
        services.close()


def emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False) if as_json else human(data))


def _filters(kind: str | None, field: str | None, country: str | None) -> Filters:
    if kind and kind not in ("achievement", "demand"):
        raise InvalidInput("--kind must be achievement or demand")
    return Filters(kind=kind, field=field.lower() if field else None, country=country.upper() if country else None)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="JSONL, JSON, CSV or XLSX files.")],
    kind: Kind = None,
    strict: Annotated[bool, typer.Option("--strict", help="Write nothing if any row is bad.")] = False,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Validate and upsert records; bad rows are reported with file and line, good rows still ingest."""
    with services_for(data_dir) as services:
        started = time.perf_counter()
        with progress_bar() as progress:
            report = ingest_paths(services.index, paths, kind=kind, strict=strict, progress=progress)
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


@app.command()
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
    if (query is None) == (batch is None):
        fail("give a QUERY or --batch FILE (not both)")
    with services_for(data_dir) as services:
        if batch is not None:
            _search_batch(services, batch, k)
            return
        assert query is not None
        hits = services.index.search(query, k=k, filters=_filters(kind, field, country))
        emit({"query": query, "results": [h.as_dict() for h in hits]}, as_json, _search_text)


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
            filters = _filters(item.get("kind"), item.get("field"), item.get("country"))
            hits = services.index.search(text, k=k, filters=filters) if text.strip() else []
            typer.echo(json.dumps({"qid": qid, "ids": [h.record.id for h in hits]}, ensure_ascii=False))


@app.command()
def stats(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """Counts of records by kind, field, language and country, and index sizes."""
    with services_for(data_dir) as services:
        emit(services.index.stats(), as_json, _stats_text)


def _stats_text(data: dict[str, Any]) -> str:
    lines = [f"records: {data['records']}"]
    for key in ("by_kind", "by_field", "by_language", "by_country"):
        lines.append(f"{key[3:]}: " + ", ".join(f"{k} {v}" for k, v in data[key].items()))
    lines.append("index: " + ", ".join(f"{k} {v}" for k, v in data["index"].items()))
    return "\n".join(lines)


@app.command()
def get(record_id: Annotated[str, typer.Argument(help="Record id.")], data_dir: DataDir = None,
        as_json: AsJson = False) -> None:
    """Show one record."""
    with services_for(data_dir) as services:
        record = services.index.get(record_id)
        if record is None:
            raise NotFound(f"no record with id {record_id!r}")
        emit(record.model_dump(), as_json, lambda d: "\n".join(f"{k}: {v}" for k, v in d.items() if v))


@app.command("export-vectors")
def export_vectors(out: Annotated[Path, typer.Argument(help="Where to write the .npz seed file.")],
                   data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """Write every record's vector to a seed file that `ttc ingest` picks up beside the data files."""
    with services_for(data_dir) as services:
        count = services.index.export_vectors(out)
        emit({"vectors": count, "file": str(out)}, as_json, lambda d: f"wrote {d['vectors']} vectors to {d['file']}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Run the web chat and HTTP API."""
    import logging

    import uvicorn

    from bots.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                    access_log=False)
    except TTCError as exc:
        fail(str(exc))


# -- chat commands (ask, match) --


# -- bot command --


# -- staff commands (inquiries) --


def main() -> None:
    """Entry point of the `ttc` console script."""
    try:
        app()
    except TTCError as exc:  # errors raised outside a command body
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
