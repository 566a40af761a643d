"""A throwaway PostgreSQL server on 127.0.0.1, started from Debian's packages (initdb, pg_ctl) when installed."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.ports import free_port
from tests.support.servers import postgres_binary
from tests.support.slow import require_slow


def _run_as(user: str | None, *command: str) -> None:
    prefix = ["runuser", "-u", user, "--"] if user else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


@contextmanager
def running_postgres() -> Iterator[str]:
    """A fresh server until the block ends; yields its SQLAlchemy URL. Skips when it cannot be started here."""
    require_slow("a PostgreSQL server")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    initdb, pg_ctl = postgres_binary("initdb"), postgres_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; apt-get install postgresql")
    user = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="ttc-pg-"))
    if user:
        shutil.chown(root, user)
    data = root / "data"
    port = free_port()
    _run_as(user, initdb, "-D", str(data), "-A", "trust", "-U", "ttc", "-E", "UTF8", "--no-sync")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run_as(user, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://ttc@127.0.0.1:{port}/postgres"
    finally:
        _run_as(user, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
