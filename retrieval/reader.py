"""Reads record rows from JSONL, JSON (array), CSV and XLSX files, with the line each row came from."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import InvalidInput

__all__ = ["SUPPORTED_SUFFIXES", "Row", "read_rows"]

SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".xlsx")
_LIST_COLUMNS = ("keywords", "cooperation")


@dataclass(frozen=True)
class Row:
    """One raw row: the data, or why it could not be read."""

    file: str
    line: int
    data: dict[str, Any] | None
    error: str | None = None


def read_rows(path: Path) -> Iterator[Row]:
    """Yield every row of a file; unreadable rows come back with an error instead of data."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if suffix in (".jsonl", ".ndjson"):
        yield from _jsonl(path)
    elif suffix == ".json":
        yield from _json_array(path)
    elif suffix == ".csv":
        yield from _csv(path)
    elif suffix == ".xlsx":
        yield from _xlsx(path)
    else:
        raise InvalidInput(f"{path}: unsupported file type (use {', '.join(SUPPORTED_SUFFIXES)})")


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM); anything else is read as UTF-8 with replacement and flagged per row."""
    return raw.decode("utf-8-sig", errors="replace")


def _jsonl(path: Path) -> Iterator[Row]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Row(str(path), number, None, f"not valid UTF-8 at byte {exc.start}")
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(str(path), number, None, f"bad JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(data, dict):
                yield Row(str(path), number, None, f"expected a JSON object, got {type(data).__name__}")
                continue
            yield Row(str(path), number, data)


def _json_array(path: Path) -> Iterator[Row]:
    text = _decode(path.read_bytes())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Row(str(path), exc.lineno, None, f"bad JSON: {exc.msg} (column {exc.colno})")
        return
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        yield Row(str(path), 1, None, "expected a JSON array of objects")
        return
    # JSON arrays have no line per row; report the 1-based position in the array instead.
    for number, item in enumerate(data, 1):
        if isinstance(item, dict):
            yield Row(str(path), number, item)
        else:
            yield Row(str(path), number, None, f"expected a JSON object, got {type(item).__name__}")


def _csv(path: Path) -> Iterator[Row]:
    text = _decode(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        return
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    for item in reader:
        number = reader.line_num
        if None in item:
            yield Row(str(path), number, None, "more cells than header columns")
            continue
        yield Row(str(path), number, _strip_empty(item))


def _xlsx(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise InvalidInput(f"{path}: not a readable XLSX file ({exc.__class__.__name__})") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        names = [str(h).strip().lower() if h is not None else "" for h in header]
        for number, values in enumerate(rows, 2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            item = {name: _cell(value) for name, value in zip(names, values, strict=False) if name}
            yield Row(str(path), number, _strip_empty(item))
    finally:
        book.close()


def _cell(value: Any) -> Any:
    """Excel oddities: dates come back as datetimes, integers as floats."""
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _strip_empty(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None and not (isinstance(v, str) and not v.strip())}
