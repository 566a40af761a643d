"""Command-line options that several benchmarks share, declared once."""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.harness.paths import RESULTS

__all__ = ["add_data_dir", "add_label", "add_results_dir", "add_source", "parser"]


def parser(doc: str | None) -> argparse.ArgumentParser:
    """A parser whose --help shows the benchmark's module docstring as written."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


def add_data_dir(options: argparse._ActionsContainer, help: str = "an existing index to serve", *,
                 required: bool = False, default: Path | None = None) -> None:
    """--data-dir: the index (data directory) a benchmark reads or serves."""
    options.add_argument("--data-dir", type=Path, required=required, default=default, help=help)


def add_source(options: argparse.ArgumentParser, data_dir_help: str = "an existing index to serve",
               url_help: str = "benchmark a running server instead") -> argparse._MutuallyExclusiveGroup:
    """Either --data-dir (the benchmark serves it) or --url (a server that is already running); returns the
    group, for a benchmark that offers a third source."""
    source = options.add_mutually_exclusive_group(required=True)
    add_data_dir(source, data_dir_help)
    source.add_argument("--url", help=url_help)
    return source


def add_label(options: argparse.ArgumentParser, default: str | None = None,
              help: str = "name of the results file") -> None:
    """--label: distinguishes the results files of runs with other settings."""
    options.add_argument("--label", default=default, help=help)


def add_results_dir(options: argparse.ArgumentParser) -> None:
    """--results-dir: where the JSON and Markdown go (default benchmarks/results; a smoke run points elsewhere)."""
    options.add_argument("--results-dir", type=Path, default=RESULTS,
                         help="where the results files go (default benchmarks/results)")
