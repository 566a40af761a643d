"""Real servers for scale-out tests, each on a free 127.0.0.1 port and able to stop and come back on it:
PostgreSQL (`initdb` + `pg_ctl`, as the `postgres` user when running as root), a Chroma server (`chroma run`) and
`ttc serve` nodes."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from tests.support.ports import free_port
from tests.support.slow import require_slow

__all__ = ["ChromaServer", "Node", "PostgresServer", "postgres_binary", "postgres_missing"]


def _wait_http(url: str, seconds: float, alive: subprocess.Popen[bytes] | None = None, *,
               any_status: bool = False) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {alive.returncode}")
        try:
            status: int | None = httpx.get(url, timeout=2).status_code
        except httpx.HTTPError:
            status = None
        if status is not None and (any_status or status < 500):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds:.0f} s")


def postgres_binary(name: str) -> str | None:
    """A PostgreSQL server program: on PATH, or where Debian's packages put it (newest version first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0, reverse=True)
    return str(candidates[0]) if candidates else None


def postgres_missing() -> str | None:
    """Why PostgreSQL cannot be started here, or None when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    if postgres_binary("initdb") is None or postgres_binary("pg_ctl") is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found; apt-get install postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server"
    return None


class PostgresServer:
    """A throwaway PostgreSQL cluster (trust authentication, no fsync) in a temporary directory."""

    def __init__(self) -> None:
        require_slow("a PostgreSQL server")
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
        self.root = Path(tempfile.mkdtemp(prefix="ttc-pg-"))
        if self.user:
            shutil.chown(self.root, self.user)
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://ttc@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "ttc", "-E", "UTF8", "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        binary = postgres_binary(program) or program
        subprocess.run([*prefix, binary, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        """A new empty database on this server; its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=ttc dbname=postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class ChromaServer:
    """A `chroma run` process over a fixed directory and port."""

    def __init__(self, path: Path) -> None:
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        require_slow("a Chroma server")
        binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        self.process = subprocess.Popen([binary, "run", "--path", str(self.path), "--host", "127.0.0.1",
                                         "--port", str(self.port)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        _wait_http(f"{self.url}/api/v2/heartbeat", 60, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Node:
    """`ttc serve` in a process of its own over its own data dir, with the given TTC_ settings."""

    def __init__(self, data_dir: Path, settings: Mapping[str, str], workers: int = 1) -> None:
        self.data_dir, self.port = data_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / f"{data_dir.name}.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TTC_")} | dict(settings)
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: float = 120, ready: bool = True) -> None:
        """Start the node; wait until /healthz answers 200 (`ready`) or answers at all (a warming node: 503)."""
        require_slow("`ttc serve`")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as sink:  # cwd: the data dir's parent, so that no developer's .env is read
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bots.cli", "serve", "--port", str(self.port), "--workers",
                 str(self.workers), "--data-dir", str(self.data_dir)],
                cwd=self.data_dir.parent, env=self.env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            _wait_http(f"{self.url}/healthz", wait, self.process, any_status=not ready)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{self.output()[-3000:]}") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
