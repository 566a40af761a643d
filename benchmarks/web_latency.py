"""Loopback latency of POST /v1/chat and GET /v1/search under a small, bounded load.

Starts `ttc serve` in a subprocess on a free 127.0.0.1 port (so the load generator does not share the server's
GIL), waits for /healthz, then sends a fixed number of requests per endpoint with bounded concurrency, cycling
through questions in several languages. Prints and saves p50/p95/p99 per endpoint.

    python -m benchmarks.web_latency --data-dir .ttc                     # an existing index (its embedder)
    python -m benchmarks.web_latency --build tests/data/records.jsonl --embedder hash:64   # throwaway index
    python -m benchmarks.web_latency --url http://127.0.0.1:8000         # a server that is already running

Results: benchmarks/results/web_latency-<label>.json (or in --results-dir).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import (
    add_label,
    add_results_dir,
    add_source,
    max_ms,
    mean_ms,
    ms_since,
    parser,
    pct,
    serve,
    write_json,
)

QUESTIONS = [
    "Who offers drone technology for remote areas?",
    "recycled carbon fibre composites for wind turbines",
    "AI solutions for monitoring soil and crops",
    "光伏组件寿命预测技术",
    "Технологии переработки отходов",
    "tecnologia de baterias para armazenamento de energia",
    "soluciones de inteligencia artificial para hospitales",
    "capteurs pour la maintenance ferroviaire",
    "تقنيات تحلية المياه",
    "hydrogen storage tanks",
]


def build_index(data_dir: Path, paths: list[str], embedder: str) -> None:
    env = {**os.environ, "TTC_EMBEDDER": embedder}
    subprocess.run([sys.executable, "-m", "bots.cli", "ingest", *paths, "--data-dir", str(data_dir), "--json"],
                   check=True, env=env, stdout=subprocess.DEVNULL)


@contextmanager
def served(data_dir: Path, embedder: str | None) -> Iterator[str]:
    """`ttc serve` on a free port, rate limit off; yields the base URL."""
    with serve(data_dir, env={"TTC_EMBEDDER": embedder} if embedder else None) as server:
        yield server.url


async def run_load(url: str, endpoint: str, requests: int, concurrency: int) -> dict[str, Any]:
    """Send `requests` requests to one endpoint, at most `concurrency` at a time; latency stats in ms."""
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(concurrency)

    async def one(client: httpx.AsyncClient, n: int) -> None:
        nonlocal errors
        question = QUESTIONS[n % len(QUESTIONS)]
        async with gate:
            start = time.perf_counter()
            if endpoint == "chat":
                response = await client.post("/v1/chat", json={"message": question})
            else:
                response = await client.get("/v1/search", params={"q": question, "k": 10})
            elapsed = ms_since(start)
        if response.status_code == 200:
            latencies.append(elapsed)
        else:
            errors += 1

    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for n in range(min(5, requests)):  # warm-up: model load, caches
            await one(client, n)
        latencies.clear()
        errors = 0
        started = time.perf_counter()
        await asyncio.gather(*(one(client, n) for n in range(requests)))
        wall = time.perf_counter() - started
    return {"requests": requests, "concurrency": concurrency, "errors": errors,
            "p50_ms": pct(latencies, 0.50), "p95_ms": pct(latencies, 0.95), "p99_ms": pct(latencies, 0.99),
            "mean_ms": mean_ms(latencies), "max_ms": max_ms(latencies),
            "throughput_rps": round(len(latencies) / wall, 1)}


def main() -> None:
    options = parser(__doc__)
    source = add_source(options)
    source.add_argument("--build", nargs="+", metavar="FILE", help="ingest these files into a throwaway index")
    options.add_argument("--embedder", help="TTC_EMBEDDER for the server (and for --build; default e5)")
    options.add_argument("--requests", type=int, default=200, help="requests per endpoint (default 200)")
    options.add_argument("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    add_label(options)
    add_results_dir(options)
    args = options.parse_args()

    async def measure(url: str) -> dict[str, Any]:
        return {endpoint: await run_load(url, endpoint, args.requests, args.concurrency)
                for endpoint in ("search", "chat")}

    if args.url:
        report = asyncio.run(measure(args.url))
    elif args.data_dir:
        with served(args.data_dir, args.embedder) as url:
            report = asyncio.run(measure(url))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            build_index(Path(tmp), args.build, args.embedder or "e5")
            with served(Path(tmp), args.embedder or "e5") as url:
                report = asyncio.run(measure(url))

    report["setup"] = {"embedder": args.embedder or os.environ.get("TTC_EMBEDDER", "e5"), "cpus": os.cpu_count(),
                       "source": str(args.url or args.data_dir or args.build)}
    print(json.dumps(report, indent=2))
    label = args.label or (args.embedder or "default").replace(":", "-")
    write_json(args.results_dir / f"web_latency-{label}.json", report)


if __name__ == "__main__":
    main()
