"""`ttc ask` and `ttc match` in a subprocess: the JSON shapes of docs/contract.md, sessions, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_llm import FakeModel
from tests.support.paths import RECORDS
from tests.support.ttc import ttc

pytestmark = pytest.mark.slow  # every test runs the `ttc` command in a subprocess


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("chat-cli") / "d"
    ttc("ingest", str(RECORDS), "--json", data_dir=data)
    return data


def test_ask_json_has_the_design_shape(data_dir: Path) -> None:
    out = json.loads(ttc("ask", "Who offers solar photovoltaic module technology?", "--json",
                         data_dir=data_dir).stdout)

    assert {"answer", "language", "citations", "partners", "session_id"} <= set(out)
    assert out["language"] == "en" and out["citations"]
    assert {"id", "title", "kind"} <= set(out["citations"][0])
    assert {"organization", "country", "score", "evidence"} <= set(out["partners"][0])


def test_ask_follow_up_remembers_the_session_across_invocations(data_dir: Path) -> None:
    first = json.loads(ttc("ask", "solar photovoltaic module", "--json", data_dir=data_dir).stdout)
    follow = json.loads(ttc("ask", "e na Alemanha?", "--session", first["session_id"], "--json",
                            data_dir=data_dir).stdout)

    assert follow["session_id"] == first["session_id"]
    assert follow["metadata"]["condensed"] == "solar photovoltaic module e na Alemanha?"
    assert follow["metadata"]["country"] == "DE"
    assert follow["language"] == "pt"


def test_ask_lang_sets_the_answer_language(data_dir: Path) -> None:
    out = json.loads(ttc("ask", "solar photovoltaic module", "--lang", "zh", "--json", data_dir=data_dir).stdout)

    assert out["language"] == "zh" and out["answer"].startswith("以下是我在我们的记录中找到的内容")


def test_ask_human_output_is_the_answer_text(data_dir: Path) -> None:
    out = ttc("ask", "привет", data_dir=data_dir).stdout

    assert out.startswith("Здравствуйте!")


def test_match_json_has_the_design_shape(data_dir: Path) -> None:
    out = json.loads(ttc("match", "--id", "cordis-h2020-721452", "-k", "3", "--json", data_dir=data_dir).stdout)

    assert 1 <= len(out["matches"]) <= 3
    assert set(out["matches"][0]) == {"id", "kind", "title", "organization", "score", "reasons"}
    assert all(m["kind"] == "demand" for m in out["matches"])


def test_match_errors_have_design_exit_codes(data_dir: Path) -> None:
    unknown = ttc("match", "--id", "no-such-record", data_dir=data_dir, check=False)
    neither = ttc("match", data_dir=data_dir, check=False)

    assert unknown.returncode == 1 and unknown.stderr.strip() == "error: no record with id 'no-such-record'"
    assert neither.returncode == 2


def test_ask_lists_the_sources_and_why_each_fits_when_a_model_wrote_the_answer(
        data_dir: Path, fake_model: tuple[FakeModel, str], monkeypatch: pytest.MonkeyPatch) -> None:
    model, url = fake_model
    solar = "cordis-h2020-721452"

    def reply(request: dict[str, Any]) -> str:
        content = request["messages"][-1]["content"]
        ids = re.findall(r'<record id="([^"]+)"', content)
        if "<request>" in content and "<records>" in content:
            return json.dumps({"records": [{"id": i, "fit": 2 if i == solar else 0,
                                            "reason": "Forecasts PV module lifetime." if i == solar else ""}
                                           for i in ids]})
        return f"SOLAR-TRAIN [{ids[0]}]." if ids and "<request>" not in content else '{"query": ""}'
    model.reply = reply
    for name, value in {"TTC_LLM_BASE_URL": url, "TTC_LLM_MODEL": "fake", "TTC_LLM_API_KEY": "sk-fake"}.items():
        monkeypatch.setenv(name, value)

    out = ttc("ask", "Who offers solar photovoltaic module technology?", data_dir=data_dir).stdout

    assert out.startswith(f"SOLAR-TRAIN [{solar}].\n\nSources:\n[1] SOLAR-TRAIN")
    assert "    ✓ Forecasts PV module lifetime." in out
