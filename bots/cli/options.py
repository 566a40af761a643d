"""The options `ttc` commands share, and the checks that make a bad value a usage error (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["KINDS", "AsJson", "Country", "DataDir", "FieldOpt", "Kind", "TopK", "check_kind", "exactly_one"]

KINDS = ("achievement", "demand")


def check_kind(value: str | None) -> str | None:
    """`--kind` takes achievement or demand (empty means any)."""
    if value and value not in KINDS:
        raise typer.BadParameter("must be achievement or demand")
    return value


def exactly_one(message: str, *values: object) -> None:
    """Options that exclude each other: exactly one of them must be given, else a usage error."""
    if sum(value is not None for value in values) != 1:
        raise typer.BadParameter(message)


DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Index directory (default: TTC_DATA_DIR or ./.ttc).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print stable JSON instead of human-readable text.")]
Kind = Annotated[str | None, typer.Option("--kind", callback=check_kind, help="achievement or demand.")]
FieldOpt = Annotated[str | None, typer.Option("--field", help="Only records of this field.")]
Country = Annotated[str | None, typer.Option("--country", help="Only records from this country (ISO code).")]
TopK = Annotated[int, typer.Option("-k", "--k", min=1, max=100, help="How many results.")]
