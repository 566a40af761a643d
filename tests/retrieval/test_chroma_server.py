"""The same index against a real Chroma server (`chroma run`) started on 127.0.0.1 by the test."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.services import build_services
from retrieval.errors import Unavailable
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.ports import free_port
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([binary, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_ingest_and_search_through_a_chroma_server(tmp_path: Path, chroma_url: str) -> None:
    services = build_services(make_settings(tmp_path / "d", chroma_url=chroma_url))
    try:
        report = ingest_paths(services.index, [RECORDS])
        assert report.added == 110 and services.index.store.count() == 110
        hits = services.index.search("satellite orbit", k=5)
        assert len(hits) == 5 and any(h.sources.get("dense") for h in hits)
    finally:
        services.close()


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match=r"127\.0\.0\.1"):
        build_services(make_settings(tmp_path / "d", chroma_url=f"http://127.0.0.1:{free_port()}"))
