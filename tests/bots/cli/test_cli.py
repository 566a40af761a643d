"""The real `ttc` command in a subprocess: JSON shapes, exit codes, kill -9 during ingest."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

import pytest
from typer.testing import CliRunner

from assistant.settings import Settings
from bots.cli.app import app
from retrieval.errors import Unavailable
from tests.support.paths import RECORDS, REPO
from tests.support.ttc import ttc

pytestmark = pytest.mark.slow  # every test runs the `ttc` command in a subprocess

SAMPLE = sorted((REPO / "data" / "sample").glob("*.jsonl"))


def test_ingest_search_stats_json_shapes(tmp_path: Path) -> None:
    data = tmp_path / "d"
    report = json.loads(ttc("ingest", str(RECORDS), "--json", data_dir=data).stdout)
    assert {k: report[k] for k in ("added", "updated", "unchanged", "rejected", "errors")} == {
        "added": 110, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    again = json.loads(ttc("ingest", str(RECORDS), "--json", data_dir=data).stdout)
    assert again["unchanged"] == 110 and again["added"] == 0

    found = json.loads(ttc("search", "solar photovoltaic", "--json", "-k", "3", "--kind", "achievement",
                           data_dir=data).stdout)
    assert found["query"] == "solar photovoltaic" and len(found["results"]) == 3
    assert set(found["results"][0]) == {"id", "kind", "title", "organization", "country", "field", "score", "snippet"}
    assert all(r["kind"] == "achievement" for r in found["results"])

    stats = json.loads(ttc("stats", "--json", data_dir=data).stdout)
    assert stats["records"] == 110 and set(stats) >= {"by_kind", "by_field", "by_language", "by_country", "index"}


def test_human_output_and_data_dir_option(tmp_path: Path) -> None:
    data = tmp_path / "other"
    out = ttc("ingest", str(RECORDS), "--data-dir", str(data), data_dir=tmp_path / "unused").stdout
    assert "added 110" in out
    assert not (tmp_path / "unused").exists()
    assert "1." in ttc("search", "satellite", "--data-dir", str(data), data_dir=tmp_path / "unused").stdout


def test_batch_search_writes_one_line_per_query(tmp_path: Path) -> None:
    data = tmp_path / "d"
    ttc("ingest", str(RECORDS), data_dir=data)
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"qid": "q1", "query": "solar energy"}\n{"qid": "q2", "query": "rail", "kind": "demand"}\n',
                       encoding="utf-8")
    lines = ttc("search", "--batch", str(queries), "-k", "5", data_dir=data).stdout.splitlines()
    parsed = [json.loads(line) for line in lines]
    assert [p["qid"] for p in parsed] == ["q1", "q2"] and all(len(p["ids"]) == 5 for p in parsed)


def test_bad_rows_exit_zero_with_report_but_strict_exits_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "kind": "demand", "title": "t", "description": "d"}\n{"id": 1}\n', encoding="utf-8")
    loose = ttc("ingest", str(bad), "--json", data_dir=tmp_path / "d")
    assert json.loads(loose.stdout)["rejected"] == 1
    strict = ttc("ingest", str(bad), "--strict", data_dir=tmp_path / "s", check=False)
    assert strict.returncode == 1 and f"{bad}:2:" in strict.stdout


@pytest.mark.parametrize(
    "args",
    [("ingest", "missing.jsonl"), ("search", ""), ("get", "no-such-id")],
)
def test_user_errors_are_one_line_on_stderr_with_exit_1(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = ttc(*args, data_dir=tmp_path / "d", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert ttc("search", "x", "-k", "0", data_dir=tmp_path / "d", check=False).returncode == 2
    assert ttc("no-such-command", data_dir=tmp_path / "d", check=False).returncode == 2


@pytest.mark.parametrize("command", ["search", "match"])
@pytest.mark.parametrize(
    "mistake",
    [(), ("--kind", "bogus")],
    ids=["neither-of-two-exclusive-inputs", "bad-kind"],
)
def test_the_same_usage_mistake_exits_2_on_search_and_match(
        tmp_path: Path, command: str, mistake: tuple[str, ...]) -> None:
    inputs = {"search": ("x",), "match": ("--text", "x")}[command] if mistake else ()

    result = ttc(command, *inputs, *mistake, data_dir=tmp_path / "d", check=False)

    assert result.returncode == 2
    assert result.stderr.startswith("Usage: ") and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists(), "a usage error is refused before any work"


def test_a_domain_error_exits_1_with_its_message_and_no_traceback(tmp_path: Path) -> None:
    result = ttc("inquiries", "show", "no-such-inquiry", data_dir=tmp_path / "d", check=False)

    assert result.returncode == 1
    assert result.stderr == "error: no inquiry with id 'no-such-inquiry'\n" and result.stdout == ""


def test_a_domain_error_from_building_the_services_exits_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def unreachable(settings: Settings) -> NoReturn:
        raise Unavailable("the Chroma server at http://127.0.0.1:9 cannot be reached")

    monkeypatch.setattr("bots.cli.deps.build_services", unreachable)

    result = CliRunner().invoke(app, ["stats", "--data-dir", str(tmp_path / "d")])

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), "an exit, not an uncaught error"
    assert result.stderr == "error: the Chroma server at http://127.0.0.1:9 cannot be reached\n"


def test_kill_9_during_ingest_then_rerun_converges(tmp_path: Path) -> None:
    data = tmp_path / "d"
    env = {**os.environ, "TTC_EMBEDDER": "hash:64", "TTC_DATA_DIR": str(data)}
    proc = subprocess.Popen([sys.executable, "-m", "bots.cli", "ingest", *map(str, SAMPLE)], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    catalog = data / "catalog.sqlite"
    deadline = time.monotonic() + 120
    written = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if catalog.exists():
            try:
                with sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=1) as db:
                    written = db.execute("SELECT count(*) FROM records").fetchone()[0]
            except sqlite3.Error:
                written = 0
            if written:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert written > 0, "the ingest was not caught half way"

    ttc("ingest", *map(str, SAMPLE), data_dir=data)
    lines = [line for path in SAMPLE for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    unique = {json.loads(line)["id"] for line in lines}
    stats = json.loads(ttc("stats", "--json", data_dir=data).stdout)
    assert stats["records"] == len(unique)
    assert stats["index"]["vectors"] == len(unique) and stats["index"]["pending_vectors"] == 0
