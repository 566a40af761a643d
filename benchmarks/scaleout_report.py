"""The scale-out benchmark's Markdown page (benchmarks/scaleout.py): ingestion and search per dense backend, the web
API per backend, ingestion in other processes beside a serving node, and what a second node sees."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown"]


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
              "of ingestion and `ttc embed`. With PostgreSQL the records are shared too: a node with an empty "
              "data dir warms its catalog and snapshot from PostgreSQL and the Chroma server before it serves "
              "(`python -m benchmarks.nodes`, docs/deployment.md). The records phase does not touch Chroma: its "
              "difference between the columns is machine load."]
    return "\n".join(lines) + "\n"
