"""The inquiry queue on a real PostgreSQL server (started from Debian's packages when they are installed)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assistant.inquiries import InquiryService
from assistant.inquiries.database import VERSION_TABLE
from assistant.inquiries.model import Base

pytestmark = pytest.mark.slow
pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
INITDB, PG_CTL = shutil.which("initdb"), shutil.which("pg_ctl")
if INITDB is None or PG_CTL is None:
    pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; apt-get install postgresql",
                allow_module_level=True)


def _run_as(user: str | None, *command: str) -> None:
    prefix = ["runuser", "-u", user, "--"] if user else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert INITDB and PG_CTL
    _run_as(user, INITDB, "-D", str(data), "-A", "trust", "-U", "ttc", "-E", "UTF8", "--no-sync")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run_as(user, PG_CTL, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://ttc@127.0.0.1:{port}/postgres"
    finally:
        _run_as(user, PG_CTL, "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_queue_outbox_and_restart_on_postgresql(postgres_url: str) -> None:
    service = InquiryService.open(postgres_url)
    inquiry = service.create(message="Precisamos de uma tecnologia de reciclagem de baterias.", channel="telegram",
                             chat_id="31", contact="@rafa")
    repeat = service.create(message="Precisamos de uma tecnologia de reciclagem de baterias!", channel="telegram",
                            chat_id="31", contact="@rafa")
    service.update(inquiry.id, reply="Olá Rafa!", assignee="ana")
    (delivery,) = service.pending_deliveries("telegram")
    service.mark_delivered(delivery.id)
    service.close()

    again = InquiryService.open(postgres_url)
    try:
        restored = again.get(inquiry.id)
        assert repeat.id == inquiry.id and restored.duplicates == 1
        assert restored.status == "answered" and restored.classification["language"] == "pt"
        assert [e.type for e in restored.events][-1] == "delivered"
        assert again.pending_deliveries("telegram") == []
        assert [i.id for i in again.list(language="pt")] == [inquiry.id]
        with again.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        again.close()
