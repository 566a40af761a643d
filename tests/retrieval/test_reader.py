"""Reading JSONL, JSON, CSV and XLSX files, with the line each row came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.errors import InvalidInput
from retrieval.reader import read_rows


def test_jsonl_rows_carry_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b"}\n', encoding="utf-8")
    rows = list(read_rows(path))
    assert [(r.line, r.data) for r in rows] == [(1, {"id": "a"}), (3, {"id": "b"})]


def test_jsonl_bad_lines_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": "a"}\n{not json\n[1, 2]\n\xff\xfe{"id": "c"}\n{"id": "d"}\n')
    rows = list(read_rows(path))
    assert [r.line for r in rows] == [1, 2, 3, 4, 5]
    assert rows[1].error and "bad JSON" in rows[1].error
    assert rows[2].error and "object" in rows[2].error
    assert rows[3].error and "UTF-8" in rows[3].error
    assert rows[4].data == {"id": "d"}


def test_jsonl_with_bom_reads_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a"}\n')
    assert next(read_rows(path)).data == {"id": "a"}


def test_json_array_positions(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"id": "a"}, 3, {"id": "c"}]), encoding="utf-8")
    rows = list(read_rows(path))
    assert rows[0].data == {"id": "a"} and rows[1].error and rows[2].line == 3


def test_csv_lines_count_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('ID,Title,keywords\na,"two\nlines",x;y\nb,plain,\n', encoding="utf-8")
    rows = list(read_rows(path))
    assert rows[0].data == {"id": "a", "title": "two\nlines", "keywords": "x;y"}
    assert rows[1].line == 4 and rows[1].data == {"id": "b", "title": "plain"}


def test_xlsx_rows_and_excel_types(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "title", "trl", "date"])
    sheet.append([101, "Drone", 7.0, datetime(2024, 5, 1)])
    sheet.append([None, None, None, None])
    sheet.append(["x2", "Rail", None, "2023-01-02"])
    path = tmp_path / "a.xlsx"
    book.save(path)
    rows = list(read_rows(path))
    assert rows[0].line == 2 and rows[0].data == {"id": 101, "title": "Drone", "trl": 7, "date": "2024-05-01"}
    assert rows[1].line == 4 and rows[1].data == {"id": "x2", "title": "Rail", "date": "2023-01-02"}


def test_unsupported_and_missing_files_are_user_errors(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput):
        list(read_rows(tmp_path / "a.txt"))
    with pytest.raises(InvalidInput):
        list(read_rows(tmp_path / "missing.jsonl"))


def test_corrupt_xlsx_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InvalidInput):
        list(read_rows(path))
