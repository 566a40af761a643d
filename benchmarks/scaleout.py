"""Scale-out benchmark: the embedded backends against a Chroma server and PostgreSQL, in one invocation.

    python -m benchmarks.scaleout --scale 5000                  # default small run
    nice -n 5 python -m benchmarks.scaleout --scale 20000 --work /tmp/ttc-scaleout

Starts a Chroma server (`chroma run` on a free 127.0.0.1 port) and a PostgreSQL server (initdb into a temporary
directory, `pg_ctl start` on a free port; as root it runs as the `postgres` user; skipped with a message when the
binaries are missing), stops both at the end whatever happens, and measures on a synthetic corpus of N records
with seeded vectors (benchmarks/corpus.py):

  a. ingestion into an index with embedded Chroma and one with the Chroma server: records phase (lexically
     searchable), vectors phase (dense store complete), total;
  b. search in process on both indexes, counting the calls that reach Chroma (search reads the in-memory snapshot
     built from the SQLite catalog, so the dense backend should see none), and a direct Chroma query for scale;
  c. `ttc serve` on each: embedded Chroma + SQLite inquiries, then TTC_CHROMA_URL + TTC_DATABASE_URL:
     /v1/search and /v1/chat latency and throughput, POST /v1/inquiries throughput, staff listing latency;
  d. several processes: `ttc ingest --no-embed` then `ttc embed` on N/4 new records in other processes while the
     server answers /v1/search, which must not fail;
  e. a second node: `ttc serve` on an empty data dir pointed at the same Chroma server and PostgreSQL: it warms
     up from them and serves the same records and the same staff queue (`benchmarks/nodes.py` measures that).

Results: benchmarks/results/scaleout-<N>.json and .md (or in --results-dir); the Markdown is written by
benchmarks/scaleout_report.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.corpus import write_corpus
from benchmarks.harness import (
    Server,
    add_results_dir,
    chroma_server,
    load_text,
    machine,
    max_ms,
    ms_since,
    parser,
    pct,
    postgres_server,
    rss_mb,
    serve,
    write_results,
)
from benchmarks.scale import QUERIES
from benchmarks.scaleout_report import markdown
from benchmarks.web_latency import QUESTIONS, run_load
from retrieval.catalog import Filters
from retrieval.embedder import make_embeddings
from retrieval.index import Index, IndexConfig
from retrieval.ingest import ingest_paths
from retrieval.query_cache import QueryCache

STAFF_KEY = "scaleout-bench-staff-key"
INQUIRIES = [
    "We are looking for a partner with drone inspection technology for power lines, request {n}.",
    "Precisamos de uma tecnologia de reciclagem de baterias de lítio (pedido {n}).",
    "我们公司希望引进光伏组件寿命预测技术，编号 {n}。",
    "Nous cherchons des capteurs pour la maintenance ferroviaire, demande {n}.",
    "Ищем технологию переработки пластиковых отходов, заявка {n}.",
]


@contextmanager
def ttc_serve(data_dir: Path, env: dict[str, str]) -> Iterator[tuple[Server, dict[str, Any]]]:
    """`ttc serve` with `env` added; yields (the server, cold-start timings)."""
    with serve(data_dir, env={"TTC_EMBEDDER": "e5", "TTC_STAFF_API_KEYS": STAFF_KEY, **env}, timeout=300,
               poll=0.1) as server:
        timings = {"cold_start_healthz_s": round(time.perf_counter() - server.started, 2)}
        httpx.get(server.url + "/v1/search", params={"q": QUERIES[0], "k": 10}, timeout=300).raise_for_status()
        timings["cold_start_first_search_s"] = round(time.perf_counter() - server.started, 2)
        yield server, timings


# -- a. ingestion ---------------------------------------------------------------------------------------------
def measure_ingest(corpus: Path, data_dir: Path, n: int, chroma_url: str | None) -> dict[str, Any]:
    """As benchmarks/scale.py's, with the dense store of `chroma_url` (None: embedded)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    index = Index(IndexConfig(data_dir=data_dir, embedder_name="e5", chroma_url=chroma_url), make_embeddings("e5"))
    marks: dict[str, float] = {}
    started = time.perf_counter()
    report = ingest_paths(index, [corpus], parallel=True,
                          progress=lambda phase, done, total: marks.__setitem__(phase, time.perf_counter() - started))
    total = time.perf_counter() - started
    records_s = marks.get("records", total)
    vectors_s = marks.get("vectors", records_s) - records_s
    # the snapshot build that ingestion may end with (the next `ttc serve` loads it) is not the dense store's cost
    out = {"added": report.added, "embedded": report.embedded, "records_phase_s": round(records_s, 1),
           "records_per_s": round(n / records_s), "vectors_phase_s": round(vectors_s, 1),
           "vectors_per_s": round(report.embedded / vectors_s) if vectors_s > 0 else None,
           "snapshot_build_s": round(total - records_s - vectors_s, 1),
           "total_s": round(total, 1), "chroma_vectors": index.store.count()}
    index.close()
    return out


# -- b. search in process -------------------------------------------------------------------------------------
def measure_search(data_dir: Path, chroma_url: str | None, rounds: int) -> dict[str, Any]:
    """Hybrid search p50/p95 (query vectors cached) and how many calls reach Chroma; a direct Chroma query apart."""
    cache = QueryCache(make_embeddings("e5"))
    index = Index(IndexConfig(data_dir=data_dir, embedder_name="e5", chroma_url=chroma_url), cache)
    calls = 0
    query = index.store.query

    def counted(*args: Any, **kwargs: Any) -> list[tuple[str, float]]:
        nonlocal calls
        calls += 1
        return query(*args, **kwargs)

    index.store.query = counted  # type: ignore[method-assign]
    for text in QUERIES:
        cache.embed_query(text)
    index.snapshot()
    out: dict[str, Any] = {}
    for name, filters in (("none", Filters()), ("kind+field", Filters(kind="achievement", field="aerospace"))):
        times = []
        for _ in range(rounds):
            for text in QUERIES:
                started = time.perf_counter()
                index.search(text, k=10, filters=filters)
                times.append(ms_since(started))
        out[name] = {"p50_ms": pct(times, 0.5, 2), "p95_ms": pct(times, 0.95, 2), "queries": len(times)}
    out["chroma_calls_during_search"] = calls
    direct = []
    for _ in range(rounds):
        for text in QUERIES:
            started = time.perf_counter()
            query(cache.embed_query(text), 50, Filters())
            direct.append(ms_since(started))
    out["chroma_query_top50"] = {"p50_ms": pct(direct, 0.5, 2), "p95_ms": pct(direct, 0.95, 2)}
    index.close()
    return out


# -- c. the web API -------------------------------------------------------------------------------------------
async def _inquiries(url: str, requests: int, concurrency: int) -> dict[str, Any]:
    """POST /v1/inquiries throughput (distinct messages, no contact: nothing merges), then staff listing latency."""
    gate = asyncio.Semaphore(concurrency)
    created: list[float] = []
    errors = 0

    async def post(client: httpx.AsyncClient, n: int) -> None:
        nonlocal errors
        async with gate:
            started = time.perf_counter()
            response = await client.post("/v1/inquiries", json={"message": INQUIRIES[n % len(INQUIRIES)].format(n=n)})
            if response.status_code == 201:
                created.append(ms_since(started))
            else:
                errors += 1

    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        await post(client, -1)
        created.clear()
        started = time.perf_counter()
        await asyncio.gather(*(post(client, n) for n in range(requests)))
        wall = time.perf_counter() - started
        listing = []
        headers = {"Authorization": f"Bearer {STAFF_KEY}"}
        for n in range(50):
            began = time.perf_counter()
            response = await client.get("/v1/inquiries", params={"limit": 100, **({"language": "pt"} if n % 2 else {})},
                                        headers=headers)
            listing.append(ms_since(began))
            errors += response.status_code != 200
    return {"requests": requests, "concurrency": concurrency, "errors": errors,
            "create_p50_ms": pct(created, 0.5, 2), "create_p95_ms": pct(created, 0.95, 2),
            "create_per_s": round(len(created) / wall, 1),
            "list100_p50_ms": pct(listing, 0.5, 2), "list100_p95_ms": pct(listing, 0.95, 2)}


def measure_web(url: str, pid: int, requests: int, concurrency: int) -> dict[str, Any]:
    """/v1/search and /v1/chat one at a time and `concurrency` at a time, then the inquiry endpoints; RSS."""
    async def load() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for endpoint in ("search", "chat"):
            out[f"{endpoint}_c1"] = await run_load(url, endpoint, max(50, requests // 2), 1)
            out[f"{endpoint}_c{concurrency}"] = await run_load(url, endpoint, requests, concurrency)
        out["inquiries"] = await _inquiries(url, requests, concurrency)
        return out

    out = asyncio.run(load())
    out["rss_after_load_mb"] = rss_mb(pid)
    return out


# -- d. several processes -------------------------------------------------------------------------------------
def extra_corpus(folder: Path, n: int) -> Path:
    """n records with new ids (`more-…`) and their seed vectors, to ingest while a server runs."""
    path = write_corpus(folder, n, seed=7, vectors=True)
    text = path.read_text(encoding="utf-8").replace('"id": "synth-', '"id": "more-')
    path.write_text(text, encoding="utf-8")
    return path


def _poll(url: str, stop: threading.Event, log: list[tuple[float, float, int, int]], origin: float) -> None:
    """Search one request at a time until `stop`; log (time, ms, status, record count from /healthz)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = client.get("/v1/search", params={"q": QUESTIONS[n % len(QUESTIONS)], "k": 10}).status_code
            except httpx.HTTPError:
                status = 0
            ms = ms_since(started)
            records = client.get("/healthz").json()["records"] if n % 5 == 0 else -1
            log.append((started - origin, ms, status, records))
            n += 1


def _phase(log: list[tuple[float, float, int, int]], start: float, end: float) -> dict[str, Any]:
    rows = [r for r in log if start <= r[0] < end]
    times = [ms for _, ms, status, _ in rows if status == 200]
    return {"requests": len(rows), "errors": sum(status != 200 for _, _, status, _ in rows),
            "p50_ms": pct(times, 0.5, 2), "p95_ms": pct(times, 0.95, 2), "max_ms": max_ms(times),
            "over_500ms": sum(ms > 500 for ms in times)}


def several_processes(url: str, data_dir: Path, extra: Path, env: dict[str, str], before: int) -> dict[str, Any]:
    """`ttc ingest --no-embed` then `ttc embed` in other processes while this server answers searches."""
    environment = {**os.environ, "TTC_EMBEDDER": "e5", **env}
    ttc = [sys.executable, "-m", "bots.cli"]
    log: list[tuple[float, float, int, int]] = []
    stop = threading.Event()
    origin = time.perf_counter()
    poller = threading.Thread(target=_poll, args=(url, stop, log, origin), daemon=True)
    poller.start()
    time.sleep(3)
    marks = {"ingest_start": time.perf_counter() - origin}
    ingest = subprocess.run([*ttc, "ingest", str(extra), "--no-embed", "--json", "--data-dir", str(data_dir)],
                            env=environment, capture_output=True, text=True)
    marks["ingest_end"] = time.perf_counter() - origin
    embed = subprocess.run([*ttc, "embed", "--json", "--data-dir", str(data_dir)], env=environment,
                           capture_output=True, text=True)
    marks["embed_end"] = time.perf_counter() - origin
    time.sleep(3)
    stop.set()
    poller.join()
    end = time.perf_counter() - origin
    if ingest.returncode or embed.returncode:
        raise SystemExit(f"ingest/embed failed: {ingest.stderr[-1000:]} {embed.stderr[-1000:]}")
    added = json.loads(ingest.stdout.strip().splitlines()[-1])["added"]
    stats = subprocess.run([*ttc, "stats", "--json", "--data-dir", str(data_dir)], env=environment,
                           capture_output=True, text=True, check=True)
    seen = [(t, records) for t, _, _, records in log if records >= before + added]
    return {
        "added": added, "embedded": json.loads(embed.stdout.strip().splitlines()[-1])["embedded"],
        "ingest_s": round(marks["ingest_end"] - marks["ingest_start"], 1),
        "embed_s": round(marks["embed_end"] - marks["ingest_end"], 1),
        "all_records_served_after_s": round(seen[0][0] - marks["ingest_start"], 1) if seen else None,
        "chroma_vectors_after": json.loads(stats.stdout)["index"]["vectors"], "records_before": before,
        "before": _phase(log, 0, marks["ingest_start"]),
        "during_ingest": _phase(log, marks["ingest_start"], marks["ingest_end"]),
        "during_embed": _phase(log, marks["ingest_end"], marks["embed_end"]),
        "after": _phase(log, marks["embed_end"], end),
        "slowest": [{"at_s_after_ingest_start": round(t - marks["ingest_start"], 1), "ms": round(ms)}
                    for t, ms, _, _ in sorted(log, key=lambda r: -r[1])[:3]],
    }


# -- e. a second node -----------------------------------------------------------------------------------------
def second_node(work: Path, env: dict[str, str], first_url: str) -> dict[str, Any]:
    """An empty data dir with the same TTC_CHROMA_URL and TTC_DATABASE_URL: what does it see?"""
    data_dir = work / "second-node"
    shutil.rmtree(data_dir, ignore_errors=True)
    headers = {"Authorization": f"Bearer {STAFF_KEY}"}
    with ttc_serve(data_dir, env) as (server, _):
        url = server.url
        search = httpx.get(url + "/v1/search", params={"q": QUERIES[0], "k": 10}, timeout=60)
        listed = httpx.get(url + "/v1/inquiries", params={"limit": 500}, headers=headers, timeout=60).json()
        first = httpx.get(first_url + "/v1/inquiries", params={"limit": 500}, headers=headers, timeout=60).json()
        return {"healthz_records": httpx.get(url + "/healthz", timeout=10).json()["records"],
                "search_status": search.status_code,
                "search_results": len(search.json().get("results", [])) if search.status_code == 200 else None,
                "inquiries_listed": listed["count"], "inquiries_listed_on_first_node": first["count"]}


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--scale", type=int, default=5000, help="records (default 5,000)")
    options.add_argument("--work", type=Path, default=Path("/tmp/ttc-scaleout"), help="work directory (not committed)")
    options.add_argument("--rounds", type=int, default=3, help="passes over the queries for in-process search")
    options.add_argument("--requests", type=int, default=200, help="requests per endpoint for the web load")
    options.add_argument("--concurrency", type=int, default=8)
    add_results_dir(options)
    args = options.parse_args()
    n, work = args.scale, args.work
    started = time.perf_counter()
    corpus = write_corpus(work / f"synthetic-{n}", n, vectors=True)
    extra = extra_corpus(work / f"extra-{n}", max(500, n // 4))
    report: dict[str, Any] = {
        "scale": n, "concurrency": args.concurrency, "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "load_before": load_text(" ", 2),
        "ingest": {}, "search": {}, "web": {}, "processes": {}}
    with ExitStack() as stack:
        chroma_dir = work / "chroma-server"
        shutil.rmtree(chroma_dir, ignore_errors=True)
        chroma_url = stack.enter_context(chroma_server(chroma_dir))
        database_url, report["postgres"] = stack.enter_context(postgres_server())
        backends = {"embedded Chroma": (work / "embedded", {}, "SQLite"),
                    "Chroma server": (work / "server", {"TTC_CHROMA_URL": chroma_url},
                                      "PostgreSQL" if database_url else "SQLite")}
        for name, (data_dir, env, _) in backends.items():
            print(f"[scaleout {n}] ingest, search: {name}", file=sys.stderr)
            report["ingest"][name] = measure_ingest(corpus, data_dir, n, env.get("TTC_CHROMA_URL"))
            report["search"][name] = measure_search(data_dir, env.get("TTC_CHROMA_URL"), args.rounds)
        if database_url:
            backends["Chroma server"][1]["TTC_DATABASE_URL"] = database_url
        for name, (data_dir, env, inquiries) in backends.items():
            label = f"{name} + {inquiries} inquiries"
            print(f"[scaleout {n}] web, several processes: {label}", file=sys.stderr)
            with ttc_serve(data_dir, env) as (server, timings):
                web = measure_web(server.url, server.pid, args.requests, args.concurrency)
                report["web"][label] = {**timings, **web}
                report["processes"][name] = several_processes(server.url, data_dir, extra, env, n)
                if name == "Chroma server":
                    print(f"[scaleout {n}] second node", file=sys.stderr)
                    report["second_node"] = second_node(work, env, server.url)
    report["load_after"] = load_text(" ", 2)
    report["wall_s"] = round(time.perf_counter() - started)
    write_results(args.results_dir, f"scaleout-{n}", report, markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
