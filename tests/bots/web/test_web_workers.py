"""`ttc serve --workers 2`: a real supervisor and two worker processes on one port, over a small hash-embedded index.

The kernel hands each new connection to whichever worker accepts it first, so the tests open a fresh connection per
request and tell the workers apart by their CPU time in /proc (Linux). The tests share one server; the last one
stops it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.services import build_services
from bots.web.ratelimit import SharedRateLimiter
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.ports import free_port
from tests.support.settings import make_settings

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")]

STAFF = {"Authorization": "Bearer staff-key"}
LIMIT = 6
"""Chat and inquiry posts per client and minute."""


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def workers(self) -> list[int]:
        """The supervisor's worker processes (multiprocessing's resource tracker is not one)."""
        pid = self.process.pid
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
        return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _fresh(method: str, url: str, source: str = "127.0.0.1", **options: object) -> httpx.Response:
    """One request on a connection of its own, from the loopback address `source`."""
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30) as client:
        return client.request(method, url, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("workers")
    services = build_services(make_settings(root / "data"))
    try:
        assert ingest_paths(services.index, [RECORDS]).added == 110
    finally:
        services.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTC_")} | {
        "TTC_EMBEDDER": "hash:64", "TTC_STAFF_API_KEYS": "staff-key", "TTC_RATE_LIMIT_PER_MINUTE": str(LIMIT)}
    port = free_port()
    log = root / "server.log"
    with log.open("wb") as sink:  # cwd: the tmp dir, so that no developer's .env is read
        process = subprocess.Popen([sys.executable, "-m", "bots.cli", "serve", "--workers", "2", "--port", str(port),
                                    "--data-dir", str(root / "data")], cwd=root, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT)
    started = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 90
        while log.read_text(errors="replace").count("Application startup complete") < 2:
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the workers did not start in 90 s"
            time.sleep(0.1)
        yield started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_limiters_over_one_file_share_each_clients_window(tmp_path: Path) -> None:
    first, second = (SharedRateLimiter(tmp_path / "ratelimit.sqlite", per_minute=3) for _ in range(2))

    waits = [limiter.retry_after("10.0.0.1", now=100.0 + n) for n, limiter in enumerate([first, second, first])]
    over = second.retry_after("10.0.0.1", now=110.0)
    other_client = first.retry_after("10.0.0.2", now=110.0)
    after_window = second.retry_after("10.0.0.1", now=160.5)

    assert waits == [0.0, 0.0, 0.0]
    assert over == 50.0  # until the oldest hit (t=100) leaves the 60 s window
    assert other_client == 0.0
    assert after_window == 0.0
    first.close()
    second.close()


def test_two_workers_serve_concurrent_requests(server: Server) -> None:
    workers = server.workers()
    before = {pid: _cpu_seconds(pid) for pid in workers}

    def search(n: int) -> int:
        return _fresh("GET", f"{server.url}/v1/search", params={"q": f"solar energy storage {n}", "k": 10}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(search, range(160)))

    assert len(workers) == 2
    assert statuses == [200] * 160
    busy = [pid for pid in workers if _cpu_seconds(pid) - before[pid] >= 0.05]
    assert sorted(busy) == sorted(workers), "each worker answered a share of the requests"


def test_an_inquiry_posted_through_one_worker_is_visible_through_every_worker(server: Server) -> None:
    created = _fresh("POST", f"{server.url}/v1/inquiries", source="127.0.0.3",
                     json={"message": "We look for a partner to license drone inspection technology.",
                           "contact": "workers@example.org"})
    assert created.status_code == 201
    inquiry_id = created.json()["id"]

    with ThreadPoolExecutor(4) as pool:
        seen = list(pool.map(lambda _: _fresh("GET", f"{server.url}/v1/inquiries/{inquiry_id}", headers=STAFF),
                             range(24)))

    assert [r.status_code for r in seen] == [200] * 24
    assert {r.json()["id"] for r in seen} == {inquiry_id}


def test_the_rate_limit_holds_across_workers(server: Server) -> None:
    statuses = [_fresh("POST", f"{server.url}/v1/inquiries", source="127.0.0.2",
                       json={"message": f"Looking for water treatment technology, request {n}.",
                             "contact": f"limit-{n}@example.org"}).status_code for n in range(LIMIT + 4)]

    assert statuses == [201] * LIMIT + [429] * 4


def test_metrics_add_up_the_requests_of_every_worker(server: Server) -> None:
    def healthz_count() -> float:
        text = _fresh("GET", f"{server.url}/metrics").text
        line = next(line for line in text.splitlines()
                    if line.startswith('ttc_http_requests_total{') and 'route="/healthz"' in line)
        return float(line.rsplit(" ", 1)[1])

    before = healthz_count() if "/healthz" in _fresh("GET", f"{server.url}/metrics").text else 0.0
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _fresh("GET", f"{server.url}/healthz").status_code, range(60)))

    assert statuses == [200] * 60
    assert healthz_count() == before + 60  # one worker alone would have seen about half


def test_sigterm_stops_the_supervisor_and_every_worker(server: Server) -> None:
    workers = server.workers()

    server.process.send_signal(signal.SIGTERM)
    returncode = server.process.wait(timeout=15)

    assert returncode == 0
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
