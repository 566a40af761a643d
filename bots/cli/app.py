"""The `ttc` command: a thin adapter from the shell to the services."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.services import Services
from assistant.settings import Settings
from bots.cli.inquiries import inquiries_app
from bots.cli.options import AsJson, Country, DataDir, FieldOpt, Kind, TopK, emit, fail, filters_of, services_for
from bots.cli.progress import progress_bar
from bots.cli.translation import translate
from retrieval.errors import InvalidInput, NotFound, TTCError
from retrieval.ingest import ingest_paths

app = typer.Typer(help="TTC Assistant: multilingual technology-transfer search and chat.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

@app.command()
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
    with services_for(data_dir) as services:
        started = time.perf_counter()
        with progress_bar() as progress:
            report = ingest_paths(services.index, paths, kind=kind, strict=strict, progress=progress,
                                  embed=not no_embed, parallel=True)
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
def embed(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """Backfill the vectors of every record that has none yet (resumable; progress and throughput shown)."""
    with services_for(data_dir) as services:
        started = time.perf_counter()
        with progress_bar() as progress:
            done = services.index.embed_pending(progress)
            services.index.prepare_snapshot(progress)  # stored: the next `ttc serve` maps it
        seconds = time.perf_counter() - started
        data = {"embedded": done, "pending": services.index.catalog.count_pending(), "seconds": round(seconds, 1),
                "records_per_second": round(done / seconds, 1) if seconds > 0 else None}
        emit(data, as_json, lambda d: f"embedded {d['embedded']} in {d['seconds']} s "
             f"({d['records_per_second']} records/s), {d['pending']} pending")


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
        hits = services.index.search(query, k=k, filters=filters_of(kind, field, country))
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
            filters = filters_of(item.get("kind"), item.get("field"), item.get("country"))
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
    workers: Annotated[int | None, typer.Option(
        min=1, max=64, help="Worker processes sharing the port (default: TTC_WEB_WORKERS, else 1).")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Run the web chat and HTTP API."""
    from bots.web.server import serve as run_server

    try:
        settings = Settings(data_dir=data_dir) if data_dir else Settings()
        if workers is not None:
            settings = settings.model_copy(update={"web_workers": workers})
        run_server(settings, host, port)
    except TTCError as exc:
        fail(str(exc))
    except ValueError as exc:  # pydantic-settings rejects a malformed setting
        fail(f"invalid setting: {exc}".splitlines()[0])


@app.command("eval")
def eval_(
    queries: Annotated[Path | None, typer.Option("--queries", help="JSONL {qid, lang, query, relevant}.")] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Records to search (JSONL).")] = None,
    methods: Annotated[str, typer.Option("--methods", help="Comma-separated: hybrid, dense, lexical.")] = (
        "hybrid,dense,lexical"),
    embedder: Annotated[str, typer.Option("--embedder", help="Embedder spec for the eval index.")] = "e5",
    k: TopK = 10,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Eval index directory, kept so a rerun embeds nothing (default: a temporary one).")] = None,
    as_json: AsJson = False,
) -> None:
    """Recall@k, MRR@k and nDCG@k per query language for each search method (default: the bundled XQuAD subset)."""
    from assistant.evaluation import BUNDLED, evaluate, markdown_report

    try:
        report = evaluate(corpus or BUNDLED / "xquad_corpus.jsonl", queries or BUNDLED / "xquad_queries.jsonl",
                          [m.strip() for m in methods.split(",") if m.strip()], embedder=embedder,
                          work_dir=data_dir, k=k)
    except TTCError as exc:
        fail(str(exc))
    emit(report, as_json, markdown_report)


# -- chat commands (ask, match) --


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question in any of the 17 languages.")],
    lang: Annotated[str | None, typer.Option("--lang", help="Answer language (default: the question's).")] = None,
    session: Annotated[str | None, typer.Option("--session", help="Session id; follow-ups remember it.")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """A grounded answer citing record ids, with partner suggestions."""
    if not question.strip():
        fail("the question is empty")
    with services_for(data_dir) as services:
        answer = services.assistant.answer(question, language=lang, session_id=session)
        services.insights.record(answer, channel="cli")
        emit(answer.as_dict(), as_json, _ask_text)


def _ask_text(data: dict[str, Any]) -> str:
    return f"{data['answer']}\n\n(session {data['session_id']})"


@app.command()
def match(
    record_id: Annotated[str | None, typer.Option("--id", help="Match this record.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Match this description.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="Kind of the given text: demand or achievement.")] = "demand",
    k: TopK = 10,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of reasons (default: the text's).")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Counterpart records: demands for an achievement, achievements for a demand."""
    if (record_id is None) == (text is None):
        raise typer.BadParameter("give --id ID or --text TEXT (not both)")
    with services_for(data_dir) as services:
        matches = services.assistant.match(record_id=record_id, text=text, kind=kind, k=k, language=lang)
        emit({"matches": [m.as_dict() for m in matches]}, as_json, _match_text)


def _match_text(data: dict[str, Any]) -> str:
    if not data["matches"]:
        return "no matches"
    lines = []
    for rank, m in enumerate(data["matches"], 1):
        lines.append(f"{rank:2}. [{m['kind']}] {m['title']}  ({m['id']})  {m['score']:.3f}")
        if m["organization"]:
            lines.append(f"    {m['organization']}")
        lines.append("    " + "; ".join(m["reasons"]))
    return "\n".join(lines)


# -- bot command --


@app.command()
def bot(
    webhook: Annotated[str | None, typer.Option("--webhook", help="Public HTTPS URL for a webhook (default: polling).")]
    = None,
    listen: Annotated[str, typer.Option(help="Interface the webhook server binds.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the webhook server.")] = 8443,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Run the Telegram bot (needs TELEGRAM_BOT_TOKEN; TTC_TELEGRAM_BASE_URL for another Bot API server)."""
    import logging

    from bots.telegram.app import run as run_bot

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token in every URL
    try:
        settings = Settings(data_dir=data_dir) if data_dir else Settings()
    except ValueError as exc:  # pydantic-settings rejects a malformed setting
        fail(f"invalid setting: {exc}".splitlines()[0])
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value().strip():
        fail("TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather and export its token)")
    with services_for(data_dir) as services:
        run_bot(settings, services, webhook=webhook, listen=listen, port=port)


app.add_typer(inquiries_app, name="inquiries")
app.command()(translate)


def main() -> None:
    """Entry point of the `ttc` console script."""
    try:
        app()
    except TTCError as exc:  # errors raised outside a command body
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
