"""`ttc inquiries list|show|reply`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.services import build_services
from bots.cli.app import app
from tests.support.settings import make_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TTC_EMBEDDER", "hash:64")
    directory = tmp_path / "data"
    services = build_services(make_settings(directory))
    services.inquiries.create(message="Мы ищем партнёра для производства композитов.", channel="telegram",
                              chat_id="11")
    services.close()
    return directory


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_list_show_and_reply_as_json(data_dir: Path) -> None:
    code, out = run("inquiries", "list", "--status", "new", "--data-dir", str(data_dir), "--json")
    assert code == 0
    (item,) = json.loads(out)["inquiries"]
    assert item["classification"]["language"] == "ru" and item["classification"]["intent"] == "partner_search"

    code, out = run("inquiries", "show", item["id"], "--data-dir", str(data_dir), "--json")
    assert code == 0 and json.loads(out)["routed_to"]["country"] == "RU"

    code, out = run("inquiries", "reply", item["id"], "Здравствуйте! Мы свяжем вас с партнёром.",
                    "--data-dir", str(data_dir), "--json")
    assert code == 0 and json.loads(out)["status"] == "answered"
    services = build_services(make_settings(data_dir))
    try:
        (delivery,) = services.inquiries.pending_deliveries("telegram")
        assert delivery.chat_id == "11"
    finally:
        services.close()


def test_human_output_and_user_errors(data_dir: Path) -> None:
    code, out = run("inquiries", "list", "--data-dir", str(data_dir))
    assert code == 0 and "partner_search" in out
    code, _ = run("inquiries", "show", "missing", "--data-dir", str(data_dir))
    assert code == 1
    code, _ = run("inquiries", "list", "--status", "bogus", "--data-dir", str(data_dir))
    assert code == 2
