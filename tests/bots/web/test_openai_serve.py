"""`ttc serve` as a real process, configured from the environment, with the `openai` SDK as its client."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import openai
import pytest

from assistant.services import build_services
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.ports import free_port
from tests.support.settings import make_settings
from tests.support.ttc import wait_ready

pytestmark = pytest.mark.slow

API_KEY = "client-3c1f9e7a55d2"
PUBLIC = "https://ttc.example.org"


def test_a_keyed_server_streams_answers_that_cite_public_record_pages(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path / "data"))
    ingest_paths(services.index, [RECORDS])
    services.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTC_")}
    env.update(TTC_EMBEDDER="hash:64", TTC_API_KEYS=f"{API_KEY},second-key", TTC_PUBLIC_URL=PUBLIC)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "bots.cli", "serve", "--data-dir", str(tmp_path / "data"),
                                "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        wait_ready(base, process)
        client = openai.OpenAI(base_url=f"{base}/v1", api_key=API_KEY, max_retries=0)
        chunks = list(client.chat.completions.create(
            model="ttc-assistant", stream=True, stream_options={"include_usage": True},
            messages=[{"role": "user", "content": "Кто предлагает технологии солнечных батарей?"}]))
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"{base}/v1", api_key=API_KEY + "x", max_retries=0).models.list()
        notes = [n["url_citation"] for c in chunks if c.choices
                 for n in (c.choices[0].delta.model_extra or {}).get("annotations", [])]
        page = httpx.get(notes[0]["url"].replace(PUBLIC, base), timeout=30) if notes else None
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)

    assert notes and all(n["url"].startswith(f"{PUBLIC}/records/") and n["url"].endswith("?lang=ru") for n in notes)
    assert page is not None and page.status_code == 200
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert API_KEY not in stdout + stderr
