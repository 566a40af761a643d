"""The `ttc` command: the commands of each module under one Typer app, and the console script's entry point."""

from __future__ import annotations

import typer

from bots.cli.chat import ask, match
from bots.cli.errors import CommandGroup
from bots.cli.evaluation import eval_
from bots.cli.inquiries import inquiries_app
from bots.cli.records import embed, export_vectors, get, ingest, search, stats
from bots.cli.servers import bot, serve
from bots.cli.translation import translate

__all__ = ["app", "main"]

app = typer.Typer(help="TTC Assistant: multilingual technology-transfer search and chat.", cls=CommandGroup,
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

app.command()(ingest)
app.command()(embed)
app.command()(search)
app.command()(stats)
app.command()(get)
app.command("export-vectors")(export_vectors)
app.command()(serve)
app.command("eval")(eval_)
app.command()(ask)
app.command()(match)
app.command()(bot)
app.add_typer(inquiries_app, name="inquiries")
app.command()(translate)


def main() -> None:
    """Entry point of the `ttc` console script and of `python -m bots.cli`."""
    app()
