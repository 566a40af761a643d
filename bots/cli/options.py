"""What every `ttc` command shares: option types, the services of one command, errors and output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from assistant.services import Services, build_services
from assistant.settings import Settings
from retrieval.catalog import Filters
from retrieval.errors import InvalidInput, TTCError

__all__ = ["AsJson", "Country", "DataDir", "FieldOpt", "Kind", "TopK", "emit", "fail", "filters_of", "services_for"]

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


def filters_of(kind: str | None, field: str | None, country: str | None) -> Filters:
    if kind and kind not in ("achievement", "demand"):
        raise InvalidInput("--kind must be achievement or demand")
    return Filters(kind=kind, field=field.lower() if field else None, country=country.upper() if country else None)
