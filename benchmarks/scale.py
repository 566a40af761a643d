"""Scale benchmark: a synthetic corpus of N records from empty to searchable, filtered search, cold start, web load.

    python -m benchmarks.scale --scale 5000                 # default small run (make bench)
    python -m benchmarks.scale --scale 150000 --work /tmp/ttc-bench

Steps (results in benchmarks/results/scale-<N>.json and .md, or in --results-dir):
  a. generate N synthetic records (benchmarks/corpus.py) with synthetic seed vectors (a benchmark device: a mix of
     the real e5 vectors of their source records), then ingest into an empty index: time until every record is
     lexically searchable (records phase), until the dense store holds every vector (vectors phase), and the
     snapshot load; plus the real e5 throughput (200 distinct records embedded) extrapolated to N;
  b. filtered search p50/p95 (query vector cached, so this is the search itself; e5 query cost reported apart)
     for kind, field, country, language and combinations, with correctness checks against exact filtering;
  c. cold start of `ttc serve` on the index: until /healthz answers, until the first /v1/search answers;
  d. /v1/search and /v1/chat p50/p95/p99 and requests/s on loopback (benchmarks/web_latency.py), server RSS.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.corpus import write_corpus
from benchmarks.harness import (
    add_results_dir,
    load_text,
    machine,
    memory_mb,
    ms_since,
    parser,
    pct,
    serve,
    write_results,
)
from benchmarks.web_latency import run_load
from retrieval.catalog import Filters
from retrieval.embedder import make_embeddings
from retrieval.index import Index, IndexConfig
from retrieval.ingest import ingest_paths
from retrieval.query_cache import QueryCache
from retrieval.record import Record

QUERIES = [
    "solar cell efficiency", "drone inspection of power lines", "biodegradable packaging materials",
    "光伏组件寿命预测技术", "Технологии переработки отходов", "tecnologia de baterias para armazenamento de energia",
    "soluciones de inteligencia artificial para hospitales", "capteurs pour la maintenance ferroviaire",
    "hydrogen storage tanks", "satellite communication antenna", "crop disease detection", "碳纤维复合材料",
]
FILTERS: dict[str, Filters] = {
    "none": Filters(),
    "kind": Filters(kind="demand"),
    "field": Filters(field="renewable_energy"),
    "country": Filters(country="DE"),
    "language": Filters(language="zh"),
    "kind+field": Filters(kind="achievement", field="aerospace"),
    "kind+country": Filters(kind="achievement", country="CN"),
    "field+language": Filters(field="biomedicine", language="en"),
    "kind+field+country": Filters(kind="demand", field="aerospace", country="US"),
    "rare: kind+field": Filters(kind="demand", field="railway_equipment"),
}


def passes(record: Record, filters: Filters) -> bool:
    return all(getattr(record, name) == value for name, value in filters.items())


# -- a. ingestion ---------------------------------------------------------------------------------------------
def measure_ingest(corpus: Path, data_dir: Path, n: int) -> dict[str, Any]:
    shutil.rmtree(data_dir, ignore_errors=True)
    index = Index(IndexConfig(data_dir=data_dir, embedder_name="e5"), make_embeddings("e5"))
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int) -> None:
        marks[phase] = time.perf_counter() - started

    report = ingest_paths(index, [corpus], progress=progress, parallel=True)
    total = time.perf_counter() - started
    stats = index.stats()
    index.close()
    # what a later process (`ttc serve`) pays: mapping the snapshot the ingest stored
    load_started = time.perf_counter()
    reopened = Index(IndexConfig(data_dir=data_dir, embedder_name="e5"), make_embeddings("hash"))
    snapshot = reopened.snapshot()
    load = time.perf_counter() - load_started
    reopened.close()
    records_s = marks.get("records", total)
    vectors_s = marks.get("vectors", records_s)
    return {
        "added": report.added, "rejected": report.rejected, "embedded": report.embedded,
        "lexically_searchable_s": round(records_s, 1),
        "records_per_s": round(n / records_s, 1) if records_s else None,
        "dense_complete_s": round(total, 1),
        "vectors_phase_s": round(vectors_s - records_s, 1),
        "snapshot_build_s": round(total - vectors_s, 1),
        "snapshot_load_s": round(load, 2),
        "snapshot_vectors": len(snapshot),
        "catalog_mb": round(stats["index"]["catalog_bytes"] / 2**20, 1),
        "chroma_vectors": stats["index"]["vectors"],
        "pending_vectors": stats["index"]["pending_vectors"],
    }


def measure_e5(corpus: Path, n: int, sample: int = 200) -> dict[str, Any]:
    """Real e5 document throughput on `sample` distinct synthetic records (title + 400-char lead)."""
    texts: list[str] = []
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(Record.model_validate_json(line).embedding_text(400))
            if len(texts) >= sample:
                break
    embeddings = make_embeddings("e5")
    embeddings.embed_documents(texts[:4])  # model load
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        embeddings.embed_documents(texts[start:start + 64])
    seconds = time.perf_counter() - started
    rate = len(texts) / seconds
    return {"records": len(texts), "seconds": round(seconds, 1), "records_per_s": round(rate, 1),
            "extrapolated_full_backfill_h": round(n / rate / 3600, 2)}


# -- b. filtered search ---------------------------------------------------------------------------------------
def measure_search(data_dir: Path, rounds: int) -> dict[str, Any]:
    cache = QueryCache(make_embeddings("e5"))
    index = Index(IndexConfig(data_dir=data_dir, embedder_name="e5"), cache)
    cache.inner.embed_query("warm-up: load the model")
    embed_ms = []
    for query in QUERIES:
        started = time.perf_counter()
        cache.embed_query(query)
        embed_ms.append(ms_since(started))
    index.snapshot()
    out: dict[str, Any] = {"e5_query_embed_ms_p50": pct(embed_ms, 0.5, 2), "filters": {}, "checks": []}
    for name, filters in FILTERS.items():
        times: list[float] = []
        violations = 0
        for _ in range(rounds):
            for query in QUERIES:
                started = time.perf_counter()
                hits = index.search(query, k=10, filters=filters)
                times.append(ms_since(started))
                violations += sum(not passes(h.record, filters) for h in hits)
        out["filters"][name] = {"p50_ms": pct(times, 0.5, 2), "p95_ms": pct(times, 0.95, 2), "queries": len(times),
                                "results_failing_filter": violations}
    out["checks"] = correctness(index, cache)
    index.close()
    return out


def correctness(index: Index, cache: QueryCache) -> list[dict[str, Any]]:
    """Filtered results against exact filtering: dense top candidates vs brute force, and a rare filter's set."""
    snapshot = index.snapshot()
    checks: list[dict[str, Any]] = []
    rows = {name: np.asarray([getattr(r, name) or "" for r in _records_of(index, snapshot.ids)], dtype=object)
            for name in ("kind", "field", "country", "language")}
    vectors = snapshot.vectors
    for name, filters in FILTERS.items():
        mask = np.ones(len(snapshot), dtype=bool)
        for column, value in filters.items():
            mask &= rows[column] == value
        selected = int(mask.sum())
        equal = True
        for query in QUERIES:
            q = np.asarray(cache.embed_query(query), dtype=np.float32)
            q /= np.linalg.norm(q)
            got = snapshot.top_by_language(q, 50, filters)
            cosines = vectors @ q
            for language, pairs in got.items():
                candidates = np.flatnonzero(mask & (rows["language"] == language))
                best = candidates[np.argsort(-cosines[candidates], kind="stable")[:50]]
                expected = {snapshot.ids[i] for i in best}
                equal &= {i for i, _ in pairs} == expected or _ties(pairs, cosines, best)
        check: dict[str, Any] = {"filter": name, "records_selected": selected, "dense_top50_equals_brute_force": equal}
        if 0 < selected <= 100:
            expected_ids = {snapshot.ids[i] for i in np.flatnonzero(mask)}
            found = {h.record.id for h in index.search(QUERIES[0], k=100, filters=filters)}
            check["search_k100_equals_filtered_set"] = found == expected_ids
        checks.append(check)
    return checks


def _ties(pairs: list[tuple[str, float]], cosines: np.ndarray, best: np.ndarray) -> bool:
    """Equal up to ties at the boundary: the k-th scores agree."""
    return bool(len(pairs) == len(best) and abs(pairs[-1][1] - float(cosines[best[-1]])) < 1e-6)


def _records_of(index: Index, ids: list[str]) -> list[Record]:
    found: dict[str, Record] = {}
    for start in range(0, len(ids), 5000):
        found.update(index.catalog.get_many(ids[start:start + 5000]))
    return [found[i] for i in ids]


# -- c, d. the server -----------------------------------------------------------------------------------------
def measure_server(data_dir: Path, requests: int, concurrency: int, workers: int = 1) -> dict[str, Any]:
    """Cold start of `ttc serve`, then search and chat latency and throughput on loopback; server memory."""
    out: dict[str, Any] = {}
    with serve(data_dir, env={"TTC_EMBEDDER": "e5"}, workers=workers, timeout=300, poll=0.05) as server:
        out["cold_start_healthz_s"] = round(time.perf_counter() - server.started, 2)
        response = httpx.get(server.url + "/v1/search", params={"q": QUERIES[0], "k": 10}, timeout=300)
        out["cold_start_first_search_s"] = round(time.perf_counter() - server.started, 2)
        out["first_search_status"] = response.status_code
        out["workers"] = workers
        out["memory_after_start"] = memory_mb(server.pid)
        out["rss_after_start_mb"] = out["memory_after_start"]["rss_mb"]

        async def load() -> dict[str, Any]:
            # latency one request at a time, then throughput with `concurrency` in flight
            out = {f"{endpoint}_c1": await run_load(server.url, endpoint, max(50, requests // 2), 1)
                   for endpoint in ("search", "chat")}
            out.update({endpoint: await run_load(server.url, endpoint, requests, concurrency)
                        for endpoint in ("search", "chat")})
            return out

        out.update(asyncio.run(load()))
        out["memory_after_load"] = memory_mb(server.pid)
        out["rss_after_load_mb"] = out["memory_after_load"]["rss_mb"]
    return out


# -- report ---------------------------------------------------------------------------------------------------
def markdown(report: dict[str, Any]) -> str:
    n = report["scale"]
    a, b, s = report["ingest"], report["search"], report["server"]
    lines = [f"# Scale benchmark, {n:,} synthetic records", "",
             f"Machine: {report['machine']}, load average {report.get('load_average', '?')} at the start. "
             "Corpus: benchmarks/corpus.py (recombined sample records, synthetic "
             "seed vectors: a benchmark device, not e5 output).", "",
             "| measure | value |", "|---|---|",
             f"| empty → lexically searchable | {a['lexically_searchable_s']} s ({a['records_per_s']} records/s) |",
             f"| empty → dense complete (seeded vectors) | {a['dense_complete_s']} s (vectors phase "
             f"{a['vectors_phase_s']} s) |",
             f"| search snapshot: built and stored at the end of the ingest / mapped by a new process | "
             f"{a.get('snapshot_build_s', '–')} s / {a['snapshot_load_s']} s ({a['snapshot_vectors']:,} vectors) |",
             f"| real e5 backfill (measured on {report['e5']['records']} records) | {report['e5']['records_per_s']} "
             f"records/s → {report['e5']['extrapolated_full_backfill_h']} h for {n:,} |",
             f"| catalog size | {a['catalog_mb']} MB |",
             f"| e5 query embedding p50 | {b['e5_query_embed_ms_p50']} ms |",
             f"| `ttc serve` cold start: /healthz | {s['cold_start_healthz_s']} s |",
             f"| `ttc serve` cold start: first /v1/search | {s['cold_start_first_search_s']} s |"]
    for endpoint in ("search_c1", "chat_c1", "search", "chat"):
        e, route = s[endpoint], endpoint.removesuffix("_c1")
        lines.append(f"| /v1/{route} (concurrency {e['concurrency']}, {e['requests']} requests) | "
                     f"p50 {e['p50_ms']} ms, p95 {e['p95_ms']} ms, p99 {e['p99_ms']} ms, "
                     f"{e['throughput_rps']} req/s, {e['errors']} errors |")
    lines += [f"| server memory ({s.get('workers', 1)} worker(s), RSS / PSS summed over processes) | "
              f"{s['rss_after_start_mb']} / {s.get('memory_after_start', {}).get('pss_mb', '–')} MB after start, "
              f"{s['rss_after_load_mb']} / {s.get('memory_after_load', {}).get('pss_mb', '–')} MB after load |", "",
              "Filtered search in process (query vector cached; add the e5 query embedding for a new question):", "",
              "| filter | p50 ms | p95 ms | results failing the filter | dense top-50 = brute force | "
              "k=100 = filtered set |", "|---|---|---|---|---|---|"]
    checks = {c["filter"]: c for c in b["checks"]}
    for name, f in b["filters"].items():
        c = checks[name]
        lines.append(f"| {name} ({c['records_selected']:,} records) | {f['p50_ms']} | {f['p95_ms']} | "
                     f"{f['results_failing_filter']} | {c['dense_top50_equals_brute_force']} | "
                     f"{c.get('search_k100_equals_filtered_set', '–')} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--scale", type=int, default=5000, help="records (default 5,000; 150000 for the full run)")
    options.add_argument("--work", type=Path, default=Path("/tmp/ttc-bench"), help="work directory (not committed)")
    options.add_argument("--rounds", type=int, default=3, help="passes over the queries per filter")
    options.add_argument("--requests", type=int, default=300, help="requests per endpoint for the web load")
    options.add_argument("--concurrency", type=int, default=8)
    options.add_argument("--workers", type=int, default=2, help="`ttc serve --workers` for the web measures")
    options.add_argument("--keep", action="store_true", help="keep the index in the work directory")
    add_results_dir(options)
    args = options.parse_args()
    n = args.scale
    corpus_dir = args.work / f"synthetic-{n}"
    started = time.perf_counter()
    corpus = write_corpus(corpus_dir, n, vectors=True)
    report: dict[str, Any] = {"scale": n, "generate_s": round(time.perf_counter() - started, 1),
                              "load_average": load_text(), "machine": machine()}
    data_dir = args.work / f"index-{n}"
    print(f"[scale {n}] ingest", file=sys.stderr)
    report["ingest"] = measure_ingest(corpus, data_dir, n)
    print(f"[scale {n}] e5 throughput", file=sys.stderr)
    report["e5"] = measure_e5(corpus, n)
    print(f"[scale {n}] filtered search", file=sys.stderr)
    report["search"] = measure_search(data_dir, args.rounds)
    print(f"[scale {n}] server", file=sys.stderr)
    report["server"] = measure_server(data_dir, args.requests, args.concurrency, args.workers)
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    write_results(args.results_dir, f"scale-{n}", report, markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
