"""Several `ttc serve` nodes over one PostgreSQL and one Chroma server: warm-up of an empty node, and search and chat
throughput served by one node and by two.

    python -m benchmarks.nodes                      # the sample corpus (4,197 records), e5 with its seed vectors
    nice -n 10 python -m benchmarks.nodes --scale 150000 --no-load --work /tmp/ttc-nodes   # warm-up at 150k

Starts PostgreSQL (initdb + pg_ctl on a free 127.0.0.1 port) and `chroma run`, ingests the corpus through node A's
data dir (`ttc ingest`: records to PostgreSQL, vectors to Chroma), starts node A, then node B on an empty data dir,
and times B's warm-up (start → /healthz answering 503 "warming" → 200). Then it compares A's and B's top-5 for
questions in four languages, and measures /v1/search and /v1/chat with a fixed number of requests in flight,
served by A, by B, and by both (requests alternating: the client stands in for a load balancer), with each
node's CPU time per phase. Everything runs on this machine: the load generator, both nodes and both servers share
its cores, so the 2-node figure shows what spreading the same cores over two processes does, not what a second
machine adds.

Results: benchmarks/results/nodes-<N>.json and .md (or in --results-dir).
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.corpus import write_corpus
from benchmarks.harness import (
    RESULTS,
    SAMPLE_FILES,
    Server,
    add_results_dir,
    chroma_server,
    cpu_seconds,
    free_port,
    load_text,
    machine,
    parser,
    pct,
    postgres_server,
    running,
    serve,
    write_results,
)
from benchmarks.web_latency import QUESTIONS

AGREEMENT = ["solar cell efficiency for rooftop panels", "переработка пластиковых отходов", "电池回收技术",
             "sensores para el mantenimiento ferroviario"]


def _ingest(paths: list[Path], data_dir: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "bots.cli", "ingest", *map(str, paths), "--data-dir", str(data_dir),
                    "--json"], env=env, check=True, stdout=subprocess.DEVNULL, timeout=4 * 3600)
    return round(time.monotonic() - started, 1)


@contextmanager
def _warming(data_dir: Path, env: dict[str, str], report: dict[str, Any]) -> Iterator[str]:
    """`ttc serve` on an empty data dir: seconds until it answers (503 warming) and until it is ready."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    command = [sys.executable, "-m", "bots.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with running(command, env) as (process, log):
        answering: float | None = None
        progress: list[dict[str, Any]] = []
        while True:
            if process.poll() is not None:
                raise SystemExit(f"node B exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                response = httpx.get(f"{url}/healthz", timeout=30)
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            answering = answering or time.monotonic() - started
            if response.status_code == 200:
                break
            progress.append(response.json().get("replica", {}).get("progress", {}))
            time.sleep(0.5)
        body = response.json()
        report["warm"] = {"answering_s": round(answering, 1), "ready_s": round(time.monotonic() - started, 1),
                          "records": body["records"], "pending_vectors": body["pending_vectors"],
                          "progress_seen": [p for p in progress if p][-3:], "pid": process.pid}
        yield url


def _top(url: str, question: str) -> list[str]:
    response = httpx.get(f"{url}/v1/search", params={"q": question, "k": 5}, timeout=60)
    response.raise_for_status()
    return [hit["id"] for hit in response.json()["results"]]


async def _load(urls: list[str], endpoint: str, seconds: float, concurrency: int) -> dict[str, Any]:
    """`concurrency` clients, each sending its next request when its last one is answered, for `seconds`; the
    requests alternate between `urls`."""
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()

    async def client(http: httpx.AsyncClient, deadline: float) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            n = next(counter)
            url, question = urls[n % len(urls)], QUESTIONS[n % len(QUESTIONS)]
            start = time.perf_counter()
            if endpoint == "chat":
                response = await http.post(f"{url}/v1/chat", json={"message": question})
            else:
                response = await http.get(f"{url}/v1/search", params={"q": question, "k": 10})
            if response.status_code == 200:
                latencies.append((time.perf_counter() - start) * 1000)
            else:
                errors += 1

    async with httpx.AsyncClient(timeout=120) as http:
        for url in urls:  # warm-up: every question once on every node (query vectors, models, caches)
            for question in QUESTIONS:
                await (http.post(f"{url}/v1/chat", json={"message": question}) if endpoint == "chat"
                       else http.get(f"{url}/v1/search", params={"q": question}))
        started = time.perf_counter()
        await asyncio.gather(*(client(http, started + seconds) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {"endpoint": endpoint, "concurrency": concurrency, "requests": len(latencies), "errors": errors,
            "throughput_rps": round(len(latencies) / wall, 1), "p50_ms": pct(latencies, 0.5),
            "p95_ms": pct(latencies, 0.95), "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None}


def _phases(a: Server, b_url: str, b_pid: int, seconds: float, concurrency: int) -> list[dict[str, Any]]:
    rows = []
    for endpoint in ("search", "chat"):
        for label, urls in (("A", [a.url]), ("B", [b_url]), ("A+B", [a.url, b_url])):
            before = {"A": cpu_seconds(a.pid) or 0.0, "B": cpu_seconds(b_pid) or 0.0}
            row = asyncio.run(_load(urls, endpoint, seconds, concurrency))
            after = {"A": cpu_seconds(a.pid) or 0.0, "B": cpu_seconds(b_pid) or 0.0}
            rows.append({"served_by": label, **row, "cpu_s": {k: round(after[k] - before[k], 1) for k in after}})
    return rows


def run(scale: int, work: Path, embedder: str, seconds: float, concurrency: int, load: bool) -> dict[str, Any]:
    report: dict[str, Any] = {"scale": scale or "sample", "embedder": embedder, "machine": machine(),
                              "date": datetime.now(UTC).isoformat(timespec="seconds"), "load_before": load_text()}
    with ExitStack() as stack:
        database, note = stack.enter_context(postgres_server())
        if database is None:
            raise SystemExit(note)
        chroma = stack.enter_context(chroma_server(work / "chroma"))
        env = {"TTC_EMBEDDER": embedder, "TTC_DATABASE_URL": database, "TTC_CHROMA_URL": chroma,
               "TTC_RATE_LIMIT_PER_MINUTE": "0"}
        paths = list(SAMPLE_FILES) if not scale else [write_corpus(work / "corpus", scale, vectors=True)]
        report["ingest_s"] = _ingest(paths, work / "a", env)
        a = stack.enter_context(serve(work / "a", env=env, timeout=4 * 3600))
        b_url = stack.enter_context(_warming(work / "b", env, report))
        report["agreement"] = {q: len(set(_top(a.url, q)) & set(_top(b_url, q))) for q in AGREEMENT}
        if load:
            report["load"] = _phases(a, b_url, report["warm"].pop("pid"), seconds, concurrency)
        report["warm"].pop("pid", None)
        report["load_after"] = load_text()
    return report


def markdown(report: dict[str, Any]) -> str:
    warm = report["warm"]
    lines = [f"# Nodes over PostgreSQL + a Chroma server — {report['scale']} records", "",
             f"{report['date']}; {report['machine']}; embedder {report['embedder']}; load average "
             f"{report['load_before']} before, {report['load_after']} after.", "",
             f"- ingest through node A (records to PostgreSQL, vectors to Chroma): {report['ingest_s']} s",
             f"- node B on an empty data dir: /healthz answering (503 warming) after {warm['answering_s']} s, "
             f"ready after **{warm['ready_s']} s** with {warm['records']} records, "
             f"{warm['pending_vectors']} pending vectors",
             "- top-5 shared by A and B: " + ", ".join(f"{n}/5 ({q})" for q, n in report["agreement"].items())]
    if report.get("load"):
        lines += ["", "| endpoint | served by | in flight | req/s | p50 ms | p95 ms | errors | CPU s of A / B |",
                  "|---|---|---|---|---|---|---|---|"]
        for row in report["load"]:
            lines.append(f"| {row['endpoint']} | {row['served_by']} | {row['concurrency']} | "
                         f"{row['throughput_rps']} | {row['p50_ms']} | {row['p95_ms']} | {row['errors']} | "
                         f"{row['cpu_s']['A']} / {row['cpu_s']['B']} |")
        by = {(row["endpoint"], row["served_by"]): row["throughput_rps"] for row in report["load"]}
        lines.append("")
        for endpoint in ("search", "chat"):
            if by.get((endpoint, "A")):
                lines.append(f"- {endpoint}: two nodes / one node = "
                             f"{by[(endpoint, 'A+B')] / by[(endpoint, 'A')]:.2f}")
    return "\n".join(lines) + "\n"


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--scale", type=int, default=0, help="synthetic records (default 0: the sample corpus)")
    options.add_argument("--embedder", default="e5")
    options.add_argument("--seconds", type=float, default=15.0, help="length of each load phase")
    options.add_argument("--concurrency", type=int, default=8)
    options.add_argument("--no-load", dest="load", action="store_false", help="measure the warm-up only")
    options.add_argument("--work", type=Path, default=None, help="work directory (default: a temporary one)")
    add_results_dir(options)
    args = options.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ttc-nodes-"))
    report = run(args.scale, work, args.embedder, args.seconds, args.concurrency, args.load)
    page = markdown(report)
    write_results(args.results_dir or RESULTS, f"nodes-{args.scale or 'sample'}", report, page,
                  ensure_ascii=False)
    print(page)


if __name__ == "__main__":
    main()
