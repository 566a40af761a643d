"""Retrieval quality and latency: hybrid (ours) vs plain e5 dense vs lexical-only, in one run.

1. Cross-lingual XQuAD: `../shared/eval/xquad_dev` when it is beside the repository, else the bundled subset
   `data/eval/xquad_*.jsonl` (or --xquad-dir); Recall@10, MRR@10, nDCG@10 per query language (metrics of
   shared/eval/score.py). Unless --skip-sample, also the same set mixed into the sample corpus, hybrid vs dense:
   languages of unequal composition, where the hybrid's MRR@10 falls below plain e5's (`cosine`: exact; the
   store's approximate search, `dense`, misses some paragraphs among 4,500 records).
2. The real corpus (`data/sample`, English + Chinese): `data/eval/sample_xling.jsonl`, known-item questions in
   en/zh/ru/es about English and Chinese records, split into same-language and cross-language questions; and
   `data/eval/sample_topical.jsonl`, topical questions in 8 languages judged by field and topic: precision@5
   and junk@5 (results whose description has fewer than 60 characters), hybrid vs plain e5 dense.
3. Latency of a single `Index.search` (embed + dense + lexical + fuse + snippets) on the sample corpus.

Writes benchmarks/results/retrieval_dev.json and .md (or into --results-dir). Vectors are kept in --work-dir,
so only the first run embeds (the sample corpus: ~4,200 records, several minutes with e5 on 2 cores;
--sample-index reuses an existing index directory of the sample corpus instead).

    python -m benchmarks.retrieval_eval [--work-dir DIR] [--xquad-dir DIR] [--sample-index DIR] [--skip-sample]
                                        [--results-dir DIR]
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import SAMPLE_FILES, add_results_dir, ms_since, parser, shared_eval, write_results
from retrieval.embedder import make_embeddings
from retrieval.evaluation import (
    BUNDLED,
    METHODS,
    EvalQuery,
    aggregate,
    eval_index,
    eval_index_for,
    evaluate,
    load_queries,
    load_topical,
    markdown_report,
    percentiles,
    topical_scores,
)
from retrieval.index import Index, IndexConfig
from retrieval.ingest import ingest_paths


def xquad_set(folder: Path | None) -> tuple[Path, Path, str]:
    """(corpus, queries, name) of the XQuAD set: `folder`, else ../shared/eval/xquad_dev, else the bundled subset."""
    shared = folder / "queries.jsonl" if folder is not None else shared_eval("xquad_dev", "queries.jsonl")
    if shared is not None:
        return shared.with_name("corpus.jsonl"), shared, shared.parent.name
    return BUNDLED / "xquad_corpus.jsonl", BUNDLED / "xquad_queries.jsonl", "xquad_subset"


def xquad(work_dir: Path, embedder: str, folder: Path | None = None) -> dict[str, Any]:
    """The cross-lingual XQuAD evaluation with every method, plus a check of the issue's targets."""
    corpus, queries, name = xquad_set(folder)
    work = work_dir / f"{name}-{embedder}"
    work.mkdir(parents=True, exist_ok=True)
    report = evaluate(corpus, queries, METHODS, embedder=embedder, work_dir=work)
    report["name"] = name
    ours, base = report["methods"]["hybrid"]["scores"], report["methods"]["dense"]["scores"]
    worst = min(row["mrr"] for lang, row in ours.items() if lang not in ("ALL", "macro"))
    report["targets"] = {
        "ndcg_at_least_dense_plus_0.05": ours["ALL"]["ndcg"] >= base["ALL"]["ndcg"] + 0.05,
        "mrr_at_least_dense": ours["ALL"]["mrr"] >= base["ALL"]["mrr"],
        "worst_language_mrr_ratio": round(worst / ours["ALL"]["mrr"], 3),
        "worst_language_mrr_at_least_0.8x": worst >= 0.8 * ours["ALL"]["mrr"],
    }
    return report


def sample_index(work_dir: Path, embedder: str, existing: Path | None) -> Path:
    """A data directory holding the sample corpus (ingested here unless `existing` is given)."""
    if existing is not None:
        return existing
    data_dir = work_dir / f"sample-{embedder}"
    index = Index(IndexConfig(data_dir, embedder), make_embeddings(embedder))
    try:
        started = time.perf_counter()
        report = ingest_paths(index, SAMPLE_FILES)
        print(f"sample corpus: {report.as_dict()} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        index.close()
    return data_dir


def xquad_mixed(work_dir: Path, embedder: str, folder: Path | None = None) -> dict[str, Any]:
    """XQuAD mixed into the sample corpus (one index): hybrid vs dense when the languages differ in composition.

    The sample corpus is English and Chinese tech-transfer records, so English and Chinese hold thousands of
    unrelated records around the Wikipedia paragraphs while Spanish and Russian hold only those paragraphs:
    per-language statistics then describe different populations. The XQuAD vectors come from `xquad`'s index.
    """
    corpus, queries, name = xquad_set(folder)
    source = work_dir / f"{name}-{embedder}"
    data_dir = work_dir / f"{name}-mixed-{embedder}"
    with tempfile.TemporaryDirectory(prefix="ttc-mixed-") as scratch:
        seed_dir = Path(scratch)
        shutil.copy(corpus, seed_dir / "corpus.jsonl")
        index = Index(IndexConfig(source, embedder), make_embeddings(embedder))
        try:
            index.export_vectors(seed_dir / index.seed_name)
        finally:
            index.close()
        with eval_index_for(None, embedder, data_dir) as index:
            ingest_paths(index, [*SAMPLE_FILES, seed_dir / "corpus.jsonl"])
            results = eval_index(index, load_queries(queries), ("hybrid", "dense", "cosine"))
            records = index.catalog.count()
    return {"name": f"{name} + data/sample", "records": records,
            "methods": {r.method: {"scores": r.scores} for r in results}}


def sample_check(data_dir: Path, embedder: str) -> dict[str, Any]:
    """Known-item cross-lingual questions over the real corpus, per query language and same/cross."""
    queries = load_queries(BUNDLED / "sample_xling.jsonl")
    cross = {json.loads(line)["qid"]: json.loads(line)["cross"]
             for line in (BUNDLED / "sample_xling.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
    by_kind = [EvalQuery(q.qid, "cross-language" if cross[q.qid] else "same-language", q.query, q.relevant)
               for q in queries]
    topical = load_topical(BUNDLED / "sample_topical.jsonl")
    with eval_index_for(None, embedder, data_dir) as index:
        results = eval_index(index, queries)
        topics = topical_scores(index, topical)
    out: dict[str, Any] = {"n_queries": len(queries), "methods": {}, "n_topical": len(topical),
                           "topical": topics, "topical_queries": {q.qid: q.query for q in topical}}
    for result in results:
        out["methods"][result.method] = {"scores": result.scores,
                                         "by_kind": aggregate(by_kind, result.rankings)}
    return out


def latency(data_dir: Path, embedder: str, texts: list[str]) -> dict[str, Any]:
    """Wall time of single searches with a real (not cached) query embedding, and of the embedding alone.

    Every text is searched once (no query repeats), after one warm-up search.
    """
    index = Index(IndexConfig(data_dir, embedder), make_embeddings(embedder))
    try:
        started = time.perf_counter()
        index.search("warm up the model and the vector snapshot")
        warm_s = time.perf_counter() - started
        total, embed = [], []
        for text in texts:
            started = time.perf_counter()
            index.search(text, k=10)
            total.append(ms_since(started))
            started = time.perf_counter()
            index.embeddings.embed_query(text)
            embed.append(ms_since(started))
        records = index.catalog.count()
    finally:
        index.close()
    load = os.getloadavg()
    return {"records": records, "queries": len(total), "first_search_s": round(warm_s, 2),
            "search_ms": percentiles(total), "embed_only_ms": percentiles(embed),
            "load_average_1m": round(load[0], 2), "cpus": os.cpu_count()}


def to_markdown(results: dict[str, Any]) -> str:
    """The results as the Markdown of benchmarks/results/retrieval_dev.md."""
    xq = results["xquad"]
    lines = [f"# Retrieval benchmark ({results['date']})", "",
             f"## Cross-lingual XQuAD ({xq['name']}: {xq['n_queries']} queries, embedder {xq['embedder']})", "",
             "hybrid = ours (per-language calibrated e5 + BM25 score fusion); dense = plain e5 cosine; "
             "lexical = BM25 only.", "", markdown_report(xq), "", "targets: " + json.dumps(xq["targets"]), ""]
    mixed = results.get("xquad_mixed")
    if mixed:
        lines += [f"## XQuAD mixed into the sample corpus ({mixed['name']}: {mixed['records']} records)", "",
                  "English and Chinese hold thousands of tech-transfer records besides the paragraphs, Spanish and "
                  "Russian only the paragraphs.", "", "| method | Recall@10 | MRR@10 | nDCG@10 |", "|---|---|---|---|"]
        lines += [f"| {method} | {row['scores']['ALL']['recall']:.3f} | {row['scores']['ALL']['mrr']:.3f} | "
                  f"{row['scores']['ALL']['ndcg']:.3f} |" for method, row in mixed["methods"].items()]
        lines.append("")
    sample = results.get("sample")
    if sample:
        lines += ["## Real corpus: cross-lingual known-item check (data/eval/sample_xling.jsonl)", "",
                  "| method | group | n | Recall@10 | MRR@10 |", "|---|---|---|---|---|"]
        for method, data in sample["methods"].items():
            rows = [*[(g, r) for g, r in data["by_kind"].items() if g != "ALL"], *data["scores"].items()]
            for group, row in rows:
                if group != "macro":
                    lines.append(f"| {method} | {group} | {int(row['n'])} | {row['recall']:.3f} | {row['mrr']:.3f} |")
        lines.append("")
        topical = sample["topical"]
        lines += [f"## Real corpus: topical questions (data/eval/sample_topical.jsonl, {sample['n_topical']} queries)",
                  "", "junk@5 = share of the top 5 whose description is shorter than 60 characters.", "",
                  "| method | precision@5 | junk@5 |", "|---|---|---|"]
        lines += [f"| {method} | {row['precision']:.3f} | {row['junk']:.3f} |" for method, row in topical.items()]
        lines += ["", "Top 5 of the first questions:", ""]
        for qid, text in list(sample["topical_queries"].items())[:4]:
            lines.append(f"* {text}")
            lines += [f"  * {method}: " + " · ".join(row["top"][qid]) for method, row in topical.items()]
        lines.append("")
    lat = results.get("latency")
    if lat:
        search, embed = lat["search_ms"], lat["embed_only_ms"]
        lines += ["## Latency of one search on the sample corpus", "",
                  f"{lat['records']} records, {lat['queries']} searches, k = 10, load average "
                  f"{lat['load_average_1m']} on {lat['cpus']} CPUs (shared machine); first search "
                  f"(model + snapshot load) {lat['first_search_s']} s.", "",
                  "| | p50 ms | p95 ms |", "|---|---|---|",
                  f"| search (embed + dense + lexical + fuse + snippets) | {search['p50']:.1f} | {search['p95']:.1f} |",
                  f"| query embedding alone | {embed['p50']:.1f} | {embed['p95']:.1f} |", ""]
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and write its results."""
    options = parser(__doc__)
    options.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "ttc-bench")
    options.add_argument("--embedder", default="e5")
    options.add_argument("--sample-index", type=Path, help="An existing data directory holding data/sample.")
    options.add_argument("--skip-sample", action="store_true", help="Only the XQuAD evaluation.")
    options.add_argument("--xquad-dir", type=Path,
                         help="A folder with corpus.jsonl and queries.jsonl (default ../shared/eval/xquad_dev "
                              "beside the repository, else the bundled subset).")
    add_results_dir(options)
    args = options.parse_args()
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                               "xquad": xquad(args.work_dir, args.embedder, args.xquad_dir)}
    if not args.skip_sample:
        results["xquad_mixed"] = xquad_mixed(args.work_dir, args.embedder, args.xquad_dir)
        data_dir = sample_index(args.work_dir, args.embedder, args.sample_index)
        results["sample"] = sample_check(data_dir, args.embedder)
        texts = [q.query for q in load_queries(BUNDLED / "sample_xling.jsonl")]
        texts += [q.query for q in load_queries(BUNDLED / "xquad_queries.jsonl")][::4]
        results["latency"] = latency(data_dir, args.embedder, texts)
    markdown = to_markdown(results)
    write_results(args.results_dir, "retrieval_dev", results, markdown + "\n", indent=1, ensure_ascii=False)
    print(markdown)


if __name__ == "__main__":
    main()
