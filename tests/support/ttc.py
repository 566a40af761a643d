"""The real `ttc` command in a subprocess, and waiting for a `ttc serve` process to answer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.paths import REPO
from tests.support.slow import require_slow


def ttc(*args: str, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `ttc ARGS` with hash embeddings over `data_dir`; unless `check` is false, a non-zero exit fails."""
    require_slow("the `ttc` command")
    env = {**os.environ, "TTC_EMBEDDER": "hash:64", "TTC_DATA_DIR": str(data_dir)}
    result = subprocess.run([sys.executable, "-m", "bots.cli", *args], capture_output=True, text=True,
                            env=env, cwd=REPO, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"ttc {args} exited {result.returncode}: {result.stderr}")
    return result


def wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    """Wait (up to a minute) until the `ttc serve` at `base` answers /healthz; fails if the process exits."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("ttc serve did not start")
