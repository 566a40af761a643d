"""The Chroma server stops mid-run (the real `chroma run` process is terminated) and comes back on the same port.

Search and chat read the in-memory vectors the catalog keeps, so they keep answering while Chroma is down; writes
that need Chroma get a clear 503 JSON error and nothing half-written is lost: once Chroma returns, the same request
succeeds and the index converges.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.services import build_services
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.ports import free_port
from tests.support.responses import assert_error
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow

STAFF = {"Authorization": "Bearer staff-key"}
NEW_RECORD = {"id": "fault-chroma-1", "kind": "achievement", "title": "Perovskite tandem solar cell encapsulation",
              "description": "A moisture barrier that keeps perovskite-silicon tandem cells stable for 2,000 hours."}


class ChromaServer:
    """A `chroma run` subprocess over a fixed directory and port, which a test can stop and start again."""

    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        self.proc = subprocess.Popen([binary, "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("chroma server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_chroma_down_mid_run_then_back(tmp_path: Path, chroma: ChromaServer) -> None:
    settings = make_settings(tmp_path / "data", chroma_url=chroma.url, staff_api_keys="staff-key",
                             rate_limit_per_minute=0)
    services = build_services(settings)
    try:
        ingest_paths(services.index, [RECORDS])
        with TestClient(create_app(settings, services), raise_server_exceptions=False) as client:
            assert client.get("/v1/search", params={"q": "solar"}).status_code == 200

            chroma.stop()

            write = client.post("/v1/records", json=[NEW_RECORD], headers=STAFF)
            search = client.get("/v1/search", params={"q": "satellite orbit"})
            chat = client.post("/v1/chat", json={"message": "Who works on solar cells?"})
            assert search.status_code == 200 and search.json()["results"]
            assert chat.status_code == 200 and chat.json()["citations"]
            assert_error(write, 503, "unavailable")
            assert chroma.url.removeprefix("http://") in write.json()["error"]["message"]

            chroma.start()

            again = client.post("/v1/records", json=[NEW_RECORD], headers=STAFF)
            assert again.status_code == 200, again.text
            hits = client.get("/v1/search", params={"q": "perovskite tandem encapsulation", "k": 3}).json()
            assert hits["results"][0]["id"] == "fault-chroma-1"
            assert services.index.store.count() == 111
            assert services.index.stats()["index"]["pending_vectors"] == 0
    finally:
        services.close()
