"""Exit codes of `ttc`, decided here: 1 for a user or domain error, 2 for a usage error (Typer's own)."""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from retrieval.errors import TTCError

__all__ = ["CommandGroup", "fail"]


def fail(message: str) -> NoReturn:
    """A user or domain error: one line on stderr, exit code 1, no traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


class CommandGroup(TyperGroup):
    """The `ttc` group: every command runs inside its `invoke`, so a domain error becomes exit 1 here and only here.

    Usage errors (a bad option value, options that exclude each other, a missing argument) are Typer's
    `BadParameter`/`UsageError`: they pass through and Typer prints the usage with exit code 2.
    """

    def invoke(self, ctx: Any) -> Any:  # Typer's click context; its click copy is private
        try:
            return super().invoke(ctx)
        except TTCError as exc:
            fail(str(exc))
