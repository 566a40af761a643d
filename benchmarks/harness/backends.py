"""Shared stores a benchmark starts for itself: a Chroma server and a throwaway PostgreSQL, on loopback."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.harness.server import free_port, running, wait_http

__all__ = ["chroma_server", "postgres_server"]


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` on a free loopback port, storing in `path`; yields its URL."""
    binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running([binary, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]) as (process, log):
        wait_http(f"{url}/api/v2/heartbeat", process, log, 60)
        yield url


def _pg_binaries() -> tuple[str, str] | None:
    found = [shutil.which("initdb"), shutil.which("pg_ctl")]
    if None in found:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        found = [str(versions[0] / "initdb"), str(versions[0] / "pg_ctl")] if versions else [None, None]
    return (found[0], found[1]) if found[0] and found[1] else None


def _why_not() -> str | None:
    """Why no PostgreSQL can be started here, or None."""
    if _pg_binaries() is None:
        return "skipped: initdb/pg_ctl not found (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "skipped: psycopg is not installed (pip install '.[postgres]')"
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "skipped: running as root and there is no 'postgres' user to run the server"
    return None


@contextmanager
def postgres_server() -> Iterator[tuple[str | None, str]]:
    """A throwaway PostgreSQL on a free loopback port (as the `postgres` user when run as root): yields (URL,
    note), or (None, why not) when the binaries, psycopg or a user to run it are missing or it does not start."""
    why_not = _why_not()
    binaries = _pg_binaries()
    if why_not is not None or binaries is None:
        yield None, why_not or ""
        return
    user = "postgres" if os.geteuid() == 0 else None
    initdb, pg_ctl = binaries
    prefix = ["runuser", "-u", user, "--"] if user else []
    root = Path(tempfile.mkdtemp(prefix="ttc-scaleout-pg-"))
    if user:
        shutil.chown(root, user)
    data, port = root / "data", free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    stop = [*prefix, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]
    try:
        try:
            subprocess.run([*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "ttc", "-E", "UTF8",
                            "--no-sync"], check=True, capture_output=True, timeout=120)
            subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
                            "start"], check=True, capture_output=True, timeout=120)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            subprocess.run(stop, capture_output=True, timeout=120)
            log = root / "log"
            text = log.read_text(errors="replace") if log.is_file() else (exc.stderr or b"").decode(errors="replace")
            detail = [line for line in text.strip().splitlines() if "FATAL" in line or "ERROR" in line][-1:]
            yield None, f"skipped: PostgreSQL did not start ({' '.join(detail) or exc.__class__.__name__})"
            return
        version = subprocess.run([pg_ctl, "--version"], capture_output=True, text=True).stdout.strip()
        try:
            yield f"postgresql+psycopg://ttc@127.0.0.1:{port}/postgres", f"{version}, fsync=off, loopback TCP"
        finally:
            subprocess.run(stop, capture_output=True, timeout=120)
    finally:
        shutil.rmtree(root, ignore_errors=True)
