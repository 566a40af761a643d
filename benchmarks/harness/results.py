"""Results files: a JSON report and its Markdown page, by default in benchmarks/results/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["write_json", "write_results"]


def write_json(path: Path, report: Any, *, indent: int = 2, ensure_ascii: bool = True, newline: bool = True) -> Path:
    """`report` as JSON at `path` (its folder made if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=indent, ensure_ascii=ensure_ascii)
    path.write_text(text + "\n" if newline else text, encoding="utf-8")
    return path


def write_results(folder: Path, stem: str, report: Any, markdown: str, *, indent: int = 2,
                  ensure_ascii: bool = True, newline: bool = True) -> Path:
    """`<stem>.json` and `<stem>.md` in `folder`; returns the Markdown file."""
    write_json(folder / f"{stem}.json", report, indent=indent, ensure_ascii=ensure_ascii, newline=newline)
    page = folder / f"{stem}.md"
    page.write_text(markdown, encoding="utf-8")
    return page
