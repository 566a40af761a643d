"""Progress display for long CLI work: a rich bar on a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from retrieval.index import Progress

__all__ = ["progress_bar"]

_LABELS = {"records": "Writing records", "vectors": "Embedding", "snapshot": "Search snapshot",
           "companion vectors": "Embedding (second opinion)"}


@contextmanager
def progress_bar(enabled: bool | None = None) -> Iterator[Progress | None]:
    """Yield a progress callback that draws on stderr when it is a TTY."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    tasks: dict[str, Any] = {}
    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
             TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=False) as bar:

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(_LABELS.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update
