"""Runs the web app under uvicorn (the `ttc serve` entry point): one process, or N worker processes on one port.

A single process is bound by the GIL (about 8 ms of CPU per mixed request), so `--workers N` (TTC_WEB_WORKERS)
runs N uvicorn workers that share the listening socket; the kernel hands each new connection to one of them.
Each worker builds its own services from the environment (`app_from_environment`): its own embedder, snapshot
of the vectors, SQLite connections and embedded Chroma client. What the workers share lives in the data
directory: the catalog, the inquiry and the chat-session databases (SQLite in WAL mode: readers never wait for
the one writer, and a busy timeout waits out the other writers) and the rate-limit window
(`bots.web.ratelimit.SharedRateLimiter`). Searches read vectors from each worker's snapshot, which it reloads when
the catalog changes (stored once per catalog generation and memory-mapped, so the workers share its pages): a
record written through one worker reaches every worker's searches. Embedded Chroma is read only when that snapshot
is empty and written only by the staff record routes; a worker's Chroma client does not see vectors another
process wrote until it restarts, so a deployment that writes records through the API with several workers should
use a Chroma server (TTC_CHROMA_URL).

On SIGTERM or SIGINT uvicorn's supervisor stops every worker, each after at most `GRACEFUL_SECONDS` of
finishing the requests and streams in flight, and then exits itself.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.services import build_services
from assistant.settings import Settings
from bots.web.app import create_app
from bots.web.ratelimit import SharedRateLimiter

__all__ = ["GRACEFUL_SECONDS", "app_from_environment", "serve"]

GRACEFUL_SECONDS = 10
"""How long a stopping worker lets requests in flight (a streamed answer) finish before it closes them."""

_HEALTHCHECK_SECONDS = 60
# uvicorn kills a worker that does not answer its supervisor's ping within this time (default 5 s); a spawned
# worker answers only once it has imported this package, which took 15 s on a busy 2-core machine, and the
# default killed and respawned every worker in a loop

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def app_from_environment() -> FastAPI:
    """The app one worker serves, from the settings in the environment (the uvicorn factory for workers > 1).

    `serve` exports its settings (`_export`) before uvicorn spawns the workers.
    """
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT)
    settings = Settings()
    app = create_app(settings)
    if settings.web_workers > 1:
        app.state.rate_limiter = SharedRateLimiter(settings.data_dir / "ratelimit.sqlite",
                                                   settings.rate_limit_per_minute)
    return app


def _prepare(settings: Settings) -> None:
    """Create the databases and run their migrations once, here (building the services does), so that workers
    starting together over a new data directory do not race to create the same tables. Neither the embedder nor
    the vector snapshot is loaded: this process supervises for as long as the server runs, and the snapshot alone
    would keep some 80 MB here (4,200 records) that only the workers use."""
    build_services(settings).close()
    SharedRateLimiter(settings.data_dir / "ratelimit.sqlite", settings.rate_limit_per_minute).close()


def _export(settings: Settings) -> None:
    """Put every setting in effect into the environment that spawned workers inherit, so that their `Settings()`
    equals this one whatever came from the command line, the environment or .env."""
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        os.environ[f"TTC_{name.upper()}"] = str(value.resolve() if isinstance(value, Path) else value)


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the chat page and the HTTP API with `settings.web_workers` processes until interrupted."""
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT)
    if settings.web_workers <= 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False,
                    timeout_graceful_shutdown=GRACEFUL_SECONDS)
        return
    _prepare(settings)
    _export(settings)
    # request metrics of every worker, added up by whichever answers /metrics (`bots.web.metrics`); a new empty
    # directory per run, or counts of an earlier run would be added in
    metrics = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ttc-metrics-")
    try:
        uvicorn.run("bots.web.server:app_from_environment", factory=True, workers=settings.web_workers, host=host,
                    port=port, log_level="info", access_log=False, timeout_graceful_shutdown=GRACEFUL_SECONDS,
                    timeout_worker_healthcheck=_HEALTHCHECK_SECONDS)
    finally:
        shutil.rmtree(metrics, ignore_errors=True)
