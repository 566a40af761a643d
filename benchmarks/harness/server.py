"""Servers a benchmark starts itself: `ttc serve` on a free loopback port, ready once /healthz answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Server", "free_port", "running", "serve", "stop", "wait_http"]


@dataclass(frozen=True)
class Server:
    """A started server: its base URL, its process, its output log and when it was launched."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    started: float
    """`time.perf_counter()` just before the launch: cold-start timings count from here."""

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Terminate, and kill if it has not exited after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running(command: list[str], env: Mapping[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """Run `command` (environment: this one plus `env`) until the block ends; yields (process, output log)."""
    with tempfile.TemporaryDirectory(prefix="ttc-bench-") as scratch:
        log = Path(scratch) / "output.log"  # a file, not a pipe nobody drains: a full pipe would stall the server
        with log.open("wb") as sink:
            process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=sink,
                                       stderr=subprocess.STDOUT)
        try:
            yield process, log
        finally:
            stop(process)


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float, *, poll: float = 0.1,
              ready: Callable[[str], bool] | None = None) -> None:
    """Until `url` answers 200 (and, with `ready`, the log satisfies it); SystemExit with the log's tail if the
    process exits or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited with {process.returncode}: {_tail(log)}")
        if ready is None or ready(log.read_text(errors="replace")):
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer in {seconds:.0f} s: {_tail(log)}")
        time.sleep(poll)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


@contextmanager
def serve(data_dir: Path, *, env: Mapping[str, str] | None = None, workers: int | None = None,
          every_worker: bool = False, timeout: float = 120, poll: float = 0.2) -> Iterator[Server]:
    """`ttc serve` over `data_dir` on a free loopback port with the rate limiter off (unless `env` sets it),
    once /healthz answers (with `every_worker`, once each of the `workers` has also finished its startup)."""
    port = free_port()
    command = [sys.executable, "-m", "bots.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)] if workers is not None else []
    command += ["--data-dir", str(data_dir)]
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with running(command, {"TTC_RATE_LIMIT_PER_MINUTE": "0", **(env or {})}) as (process, log):
        def started_all(text: str) -> bool:
            return text.count("Application startup complete") >= (workers or 1)

        wait_http(url + "/healthz", process, log, timeout, poll=poll, ready=started_all if every_worker else None)
        yield Server(url, process, log, started)
