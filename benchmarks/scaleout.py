"""Scale-out benchmark: the embedded backends against a Chroma server and PostgreSQL, in one invocation.

    python benchmarks/scaleout.py --scale 5000                  # default small run
    nice -n 5 python benchmarks/scaleout.py --scale 20000 --work /tmp/ttc-scaleout

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
  e. a second node: `ttc serve` on an empty data dir pointed at the same Chroma server and PostgreSQL, to show
     what is shared between machines and what is not.

Results: benchmarks/results/scaleout-<N>.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus  # noqa: E402
from scale import QUERIES, pct, rss_mb  # noqa: E402
from web_latency import QUESTIONS, free_port, run_load  # noqa: E402

from assistant.query_cache import QueryCache  # noqa: E402
from retrieval.catalog import Filters  # noqa: E402
from retrieval.embedder import make_embeddings  # noqa: E402
from retrieval.index import Index, IndexConfig  # noqa: E402
from retrieval.ingest import ingest_paths  # noqa: E402

RESULTS = Path(__file__).parent / "results"
STAFF_KEY = "scaleout-bench-staff-key"
INQUIRIES = [
    "We are looking for a partner with drone inspection technology for power lines, request {n}.",
    "Precisamos de uma tecnologia de reciclagem de baterias de lítio (pedido {n}).",
    "我们公司希望引进光伏组件寿命预测技术，编号 {n}。",
    "Nous cherchons des capteurs pour la maintenance ferroviaire, demande {n}.",
    "Ищем технологию переработки пластиковых отходов, заявка {n}.",
]


# -- the servers ----------------------------------------------------------------------------------------------
def _wait_http(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else ""
            raise SystemExit(f"{url}: the process exited with {process.returncode}: {err}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer in {seconds:.0f} s")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` on a free loopback port; yields its URL."""
    binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    process = subprocess.Popen([binary, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}/api/v2/heartbeat", process, 60)
        yield url
    finally:
        _stop(process)


def _pg_binaries() -> tuple[str, str] | None:
    found = [shutil.which("initdb"), shutil.which("pg_ctl")]
    if None in found:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        found = [str(versions[0] / "initdb"), str(versions[0] / "pg_ctl")] if versions else [None, None]
    return (found[0], found[1]) if found[0] and found[1] else None


@contextmanager
def postgres_server() -> Iterator[tuple[str | None, str]]:
    """A throwaway PostgreSQL on a free loopback port: yields (URL, note), or (None, why not)."""
    binaries = _pg_binaries()
    if binaries is None:
        yield None, "skipped: initdb/pg_ctl not found (apt-get install postgresql)"
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        yield None, "skipped: psycopg is not installed (pip install '.[postgres]')"
        return
    user = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            yield None, "skipped: running as root and there is no 'postgres' user to run the server"
            return
        user = "postgres"
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


@contextmanager
def ttc_serve(data_dir: Path, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes], dict[str, Any]]]:
    """`ttc serve` with `env` added; yields (URL, process, cold-start timings)."""
    port = free_port()
    environment = {**os.environ, "TTC_RATE_LIMIT_PER_MINUTE": "0", "TTC_EMBEDDER": "e5",
                   "TTC_STAFF_API_KEYS": STAFF_KEY, **env}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bots.cli", "serve", "--port", str(port),
                                "--data-dir", str(data_dir)], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(url + "/healthz", process, 300)
        timings = {"cold_start_healthz_s": round(time.perf_counter() - started, 2)}
        httpx.get(url + "/v1/search", params={"q": QUERIES[0], "k": 10}, timeout=300).raise_for_status()
        timings["cold_start_first_search_s"] = round(time.perf_counter() - started, 2)
        yield url, process, timings
    finally:
        _stop(process)


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
                times.append((time.perf_counter() - started) * 1000)
        out[name] = {"p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "queries": len(times)}
    out["chroma_calls_during_search"] = calls
    direct = []
    for _ in range(rounds):
        for text in QUERIES:
            started = time.perf_counter()
            query(cache.embed_query(text), 50, Filters())
            direct.append((time.perf_counter() - started) * 1000)
    out["chroma_query_top50"] = {"p50_ms": pct(direct, 0.5), "p95_ms": pct(direct, 0.95)}
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
                created.append((time.perf_counter() - started) * 1000)
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
            listing.append((time.perf_counter() - began) * 1000)
            errors += response.status_code != 200
    return {"requests": requests, "concurrency": concurrency, "errors": errors,
            "create_p50_ms": pct(created, 0.5), "create_p95_ms": pct(created, 0.95),
            "create_per_s": round(len(created) / wall, 1),
            "list100_p50_ms": pct(listing, 0.5), "list100_p95_ms": pct(listing, 0.95)}


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
            ms = (time.perf_counter() - started) * 1000
            records = client.get("/healthz").json()["records"] if n % 5 == 0 else -1
            log.append((started - origin, ms, status, records))
            n += 1


def _phase(log: list[tuple[float, float, int, int]], start: float, end: float) -> dict[str, Any]:
    rows = [r for r in log if start <= r[0] < end]
    times = [ms for _, ms, status, _ in rows if status == 200]
    return {"requests": len(rows), "errors": sum(status != 200 for _, _, status, _ in rows),
            "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "max_ms": round(max(times), 1) if times else None,
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
    with ttc_serve(data_dir, env) as (url, _, _):
        search = httpx.get(url + "/v1/search", params={"q": QUERIES[0], "k": 10}, timeout=60)
        listed = httpx.get(url + "/v1/inquiries", params={"limit": 500}, headers=headers, timeout=60).json()
        first = httpx.get(first_url + "/v1/inquiries", params={"limit": 500}, headers=headers, timeout=60).json()
        return {"healthz_records": httpx.get(url + "/healthz", timeout=10).json()["records"],
                "search_status": search.status_code,
                "search_results": len(search.json().get("results", [])) if search.status_code == 200 else None,
                "inquiries_listed": listed["count"], "inquiries_listed_on_first_node": first["count"]}


# -- report ---------------------------------------------------------------------------------------------------
def _web_rows(web: dict[str, dict[str, Any]], concurrency: int) -> list[str]:
    names = list(web)
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label: str, cell: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(web[name]) for name in names) + " |")

    row("cold start: /healthz / first search", lambda w: f"{w['cold_start_healthz_s']} s / "
                                                         f"{w['cold_start_first_search_s']} s")
    for key in ("search_c1", f"search_c{concurrency}", "chat_c1", f"chat_c{concurrency}"):
        endpoint, level = key.split("_c")
        row(f"/v1/{endpoint}, {level} in flight: p50 / p95, req/s, errors",
            lambda w, k=key: f"{w[k]['p50_ms']} / {w[k]['p95_ms']} ms, {w[k]['throughput_rps']}, {w[k]['errors']}")
    row(f"POST /v1/inquiries, {concurrency} in flight: p50 / p95, created/s",
        lambda w: f"{w['inquiries']['create_p50_ms']} / {w['inquiries']['create_p95_ms']} ms, "
                  f"{w['inquiries']['create_per_s']}")
    row("GET /v1/inquiries?limit=100 (staff), p50 / p95; errors",
        lambda w: f"{w['inquiries']['list100_p50_ms']} / {w['inquiries']['list100_p95_ms']} ms; "
                  f"{w['inquiries']['errors']}")
    row("server RSS after load", lambda w: f"{w['rss_after_load_mb']} MB")
    return lines


def _process_rows(runs: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| backend | new records | `ttc ingest --no-embed` | `ttc embed` | all served after | Chroma vectors "
             "after | phase: searches, errors, p50 / p95 / max ms, > 500 ms |", "|---|---|---|---|---|---|---|"]
    for name, r in runs.items():
        phases = "; ".join(f"{p.replace('_', ' ')}: {r[p]['requests']}, {r[p]['errors']}, {r[p]['p50_ms']} / "
                           f"{r[p]['p95_ms']} / {r[p]['max_ms']}, {r[p]['over_500ms']}"
                           for p in ("before", "during_ingest", "during_embed", "after"))
        lines.append(f"| {name} | {r['added']:,} | {r['ingest_s']} s | {r['embed_s']} s ({r['embedded']:,}) | "
                     f"{r['all_records_served_after_s']} s | {r['chroma_vectors_after']:,} of "
                     f"{r['records_before'] + r['added']:,} | {phases} |")
    return lines


def markdown(report: dict[str, Any]) -> str:
    n, ingest, search = report["scale"], report["ingest"], report["search"]
    lines = [f"# Scale-out benchmark, {n:,} synthetic records", "",
             f"Machine: {report['machine']}. Run {report['date']}, load average {report['load_before']} before, "
             f"{report['load_after']} after (other jobs share the cores); {report['wall_s']} s in all. Chroma server: "
             f"`chroma run` on loopback; PostgreSQL: {report['postgres']}. Corpus: benchmarks/corpus.py with "
             "seeded vectors (no e5 for documents).", "",
             "## Ingestion and search in process", "",
             "| measure | " + " | ".join(ingest) + " |", "|---|" + "---|" * len(ingest)]
    for label, key in (("records phase (lexically searchable)", "records_phase_s"),
                       ("vectors phase (dense store complete)", "vectors_phase_s"),
                       ("snapshot build at the end of ingestion", "snapshot_build_s"), ("total", "total_s")):
        cells = [f"{a[key]} s" if key in a else "(in the vectors phase)" for a in ingest.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| vectors/s into Chroma | " + " | ".join(f"{a['vectors_per_s']}" for a in ingest.values()) + " |")
    for name in ("none", "kind+field"):
        lines.append(f"| search in process, filter {name}: p50 / p95 | "
                     + " | ".join(f"{s[name]['p50_ms']} / {s[name]['p95_ms']} ms" for s in search.values()) + " |")
    lines.append("| Chroma calls made by those searches | "
                 + " | ".join(str(s["chroma_calls_during_search"]) for s in search.values()) + " |")
    lines.append("| a direct Chroma top-50 query (not on the search path): p50 / p95 | "
                 + " | ".join(f"{s['chroma_query_top50']['p50_ms']} / {s['chroma_query_top50']['p95_ms']} ms"
                              for s in search.values()) + " |")
    lines += ["", "## Web API (`ttc serve`, one process)", "", *_web_rows(report["web"], report["concurrency"])]
    lines += ["", "## Several processes: ingestion beside a serving `ttc serve`", "",
              *_process_rows(report["processes"])]
    if "second_node" in report:
        s = report["second_node"]
        lines += ["", "## A second node: empty data dir, same TTC_CHROMA_URL and TTC_DATABASE_URL", "",
                  f"/healthz records: {s['healthz_records']}; /v1/search: HTTP {s['search_status']}, "
                  f"{s['search_results']} results; staff queue: {s['inquiries_listed']} inquiries "
                  f"(first node: {s['inquiries_listed_on_first_node']})."]
    writing = [(r[p]["max_ms"] or 0, name) for name, r in report["processes"].items()
               for p in ("during_ingest", "during_embed")]
    lines += ["", f"Slowest search while another process wrote: {max(writing)[0]:,.0f} ms ({max(writing)[1]})."]
    searches = sum(s[name]["queries"] for s in search.values() for name in ("none", "kind+field"))
    calls = sum(s["chroma_calls_during_search"] for s in search.values())
    lines += ["", "Reading: search reads the in-memory snapshot of the vectors built from the node's SQLite catalog "
              f"({calls} Chroma calls in {searches} searches), so the Chroma backend changes only the vectors phase "
              "of ingestion and `ttc embed`. Chroma is queried only while a node's catalog caches no vector at all, "
              "and a hit is shown only if that catalog holds the record: a node with an empty data dir finds "
              "nothing although the shared Chroma server holds every vector. The records phase does not touch "
              "Chroma: its difference between the columns is machine load."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=5000, help="records (default 5,000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ttc-scaleout"), help="work directory (not committed)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the queries for in-process search")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint for the web load")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    n, work = args.scale, args.work
    started = time.perf_counter()
    corpus = write_corpus(work / f"synthetic-{n}", n, vectors=True)
    extra = extra_corpus(work / f"extra-{n}", max(500, n // 4))
    report: dict[str, Any] = {
        "scale": n, "concurrency": args.concurrency, "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"{platform.system()}", "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
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
            with ttc_serve(data_dir, env) as (url, process, timings):
                report["web"][label] = {**timings, **measure_web(url, process.pid, args.requests, args.concurrency)}
                report["processes"][name] = several_processes(url, data_dir, extra, env, n)
                if name == "Chroma server":
                    print(f"[scaleout {n}] second node", file=sys.stderr)
                    report["second_node"] = second_node(work, env, url)
    report["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report["wall_s"] = round(time.perf_counter() - started)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"scaleout-{n}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"scaleout-{n}.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()
