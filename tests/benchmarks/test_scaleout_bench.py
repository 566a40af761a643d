"""Smoke test of the scale-out benchmark's servers (benchmarks/scaleout.py): they start, serve and stop cleanly."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx
import pytest

from assistant.inquiries import InquiryService
from benchmarks.corpus import write_corpus
from benchmarks.harness import chroma_server, postgres_server
from benchmarks.scaleout import measure_ingest
from retrieval.errors import Unavailable

pytestmark = pytest.mark.slow


def test_postgres_server_holds_inquiries_and_stops() -> None:
    with postgres_server() as (url, note):
        if url is None:
            pytest.skip(note)
        service = InquiryService.open(url)
        try:
            service.create(message="We need drone inspection of power lines.", channel="api")
            assert len(service.list()) == 1
        finally:
            service.close()
    with pytest.raises(Unavailable):  # stopped at the end of the block
        InquiryService.open(url)


def test_chroma_server_receives_the_ingested_vectors_and_stops(tmp_path: Path) -> None:
    if shutil.which("chroma") is None and not Path(sys.executable).with_name("chroma").exists():
        pytest.skip("the chroma command is not installed")
    corpus = write_corpus(tmp_path / "corpus", 200, vectors=True)
    with chroma_server(tmp_path / "chroma") as url:
        ingested = measure_ingest(corpus, tmp_path / "index", 200, url)
    assert ingested["added"] == 200 and ingested["chroma_vectors"] == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/api/v2/heartbeat", timeout=2)
