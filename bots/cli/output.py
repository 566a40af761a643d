"""What a `ttc` command prints on stdout: stable JSON with `--json`, else text for people."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import typer

__all__ = ["emit"]


def emit(data: Any, as_json: bool, human: Callable[[Any], str]) -> None:
    """Print `data` as one line of JSON, or as the text `human` makes of it."""
    typer.echo(json.dumps(data, ensure_ascii=False) if as_json else human(data))
