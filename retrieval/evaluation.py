"""Retrieval evaluation: the metrics of `shared/eval/score.py` and a harness that compares search methods.

The harness ingests an eval corpus into an index of its own, runs every query through each method
(`hybrid` = `Index.search`, `dense` = plain embedder cosine from the vector store, `lexical` = BM25 only;
on request `cosine` = exact plain cosine over the in-memory snapshot, where the store's approximate neighbour
search misses records) and scores the
rankings per query language. Query vectors are computed once and shared by all methods; document
vectors come from the index's vector cache, so a second run over the same work directory embeds nothing.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.catalog import Filters
from retrieval.embedder import embedder_slug, make_embeddings
from retrieval.errors import InvalidInput
from retrieval.index import Index, IndexConfig
from retrieval.ingest import ingest_paths
from retrieval.record import Record

__all__ = ["BUNDLED", "JUNK_CHARS", "METHODS", "EvalQuery", "MethodResult", "QueryScore", "TopicalQuery", "aggregate",
           "eval_index", "eval_index_for", "evaluate", "load_queries", "load_topical", "markdown_report", "percentiles",
           "score_ranking", "topical_scores"]

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "eval"
METHODS = ("hybrid", "dense", "lexical")
METRICS = ("recall", "mrr", "ndcg")
JUNK_CHARS = 60
"""A result whose description is shorter than this says too little to help (junk@5)."""


@dataclass(frozen=True)
class EvalQuery:
    """One eval question: its id, language, text and the ids of every relevant record."""

    qid: str
    lang: str
    query: str
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class QueryScore:
    """Recall@k (hit), reciprocal rank and nDCG@k of one ranking."""

    recall: float
    rr: float
    ndcg: float


@dataclass
class MethodResult:
    """Scores of one method: `scores[lang][metric]`, with the `ALL` and `macro` rows; latency in ms."""

    method: str
    scores: dict[str, dict[str, float]]
    latencies_ms: list[float] = field(default_factory=list)
    rankings: dict[str, list[str]] = field(default_factory=dict)

    def latency(self) -> dict[str, float]:
        """p50 and p95 search time per query (query embedding excluded: it is shared)."""
        return percentiles(self.latencies_ms)


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50 (median) and p95 (nearest rank) of a list of timings."""
    if not values:
        return {"p50": 0.0, "p95": 0.0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"p50": statistics.median(ordered), "p95": p95}


def score_ranking(ranked: Sequence[str], relevant: Sequence[str], k: int = 10) -> QueryScore:
    """Score one ranking exactly as score.py: duplicates count once, binary nDCG over all relevant ids."""
    wanted = set(relevant)
    top = list(dict.fromkeys(ranked))[:k]
    recall = rr = dcg = 0.0
    for position, doc_id in enumerate(top):
        if doc_id in wanted:
            if not recall:
                recall, rr = 1.0, 1.0 / (position + 1)
            dcg += 1.0 / math.log2(position + 2)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(wanted), k)))
    return QueryScore(recall, rr, dcg / ideal if ideal else 0.0)


def aggregate(queries: Sequence[EvalQuery], rankings: Mapping[str, Sequence[str]],
              k: int = 10) -> dict[str, dict[str, float]]:
    """Mean metrics per query language, `ALL` (micro) and `macro`; a query without a ranking scores 0."""
    per_lang: dict[str, list[QueryScore]] = {}
    for query in queries:
        per_lang.setdefault(query.lang, []).append(score_ranking(rankings.get(query.qid, []), query.relevant, k))

    def mean(scores: list[QueryScore]) -> dict[str, float]:
        n = len(scores)
        return {"n": float(n), "recall": sum(s.recall for s in scores) / n if n else 0.0,
                "mrr": sum(s.rr for s in scores) / n if n else 0.0,
                "ndcg": sum(s.ndcg for s in scores) / n if n else 0.0}

    out = {lang: mean(per_lang[lang]) for lang in sorted(per_lang)}
    langs = list(out)
    out["ALL"] = mean([s for lang in langs for s in per_lang[lang]])
    out["macro"] = {"n": float(len(langs))}
    for metric in METRICS:
        out["macro"][metric] = sum(out[lang][metric] for lang in langs) / len(langs) if langs else 0.0
    return out


def load_queries(path: Path) -> list[EvalQuery]:
    """Read eval queries (JSONL: qid, query, relevant, optional lang)."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    queries = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                queries.append(EvalQuery(str(item["qid"]), str(item.get("lang", "?")), str(item["query"]).strip(),
                                         tuple(str(i) for i in item["relevant"])))
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InvalidInput(f"{path}:{number}: expected {{\"qid\", \"query\", \"relevant\"}}") from None
    return queries


@dataclass(frozen=True)
class TopicalQuery:
    """A question with many right answers: records of one of `fields` (any, if empty) matching every pattern."""

    qid: str
    lang: str
    query: str
    fields: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    def relevant(self, record: Record) -> bool:
        """Whether `record` answers the question: its field is allowed and its text matches every pattern."""
        if self.fields and record.field not in self.fields:
            return False
        text = f"{record.title}\n{record.description}\n{' '.join(record.keywords)}"
        return all(pattern.search(text) for pattern in self.patterns)


def load_topical(path: Path) -> list[TopicalQuery]:
    """Read topical questions (JSONL: qid, lang, query, fields, all; see data/eval/README.md)."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            out.append(TopicalQuery(str(item["qid"]), str(item.get("lang", "?")), str(item["query"]).strip(),
                                    tuple(item.get("fields") or ()),
                                    tuple(re.compile(p, re.IGNORECASE) for p in item.get("all") or ())))
        except (json.JSONDecodeError, KeyError, TypeError, re.error):
            raise InvalidInput(f"{path}:{number}: expected {{\"qid\", \"query\", \"fields\", \"all\"}}") from None
    return out


def topical_scores(index: Index, queries: Sequence[TopicalQuery], methods: Sequence[str] = ("hybrid", "dense"),
                   k: int = 5) -> dict[str, dict[str, Any]]:
    """method → precision@k, junk@k (share of results shorter than `JUNK_CHARS`) and each query's top titles."""
    out: dict[str, dict[str, Any]] = {}
    for method in methods:
        ranker = _ranker(index, method, k)
        precision, junk, tops = [], [], {}
        for query in queries:
            ranked = ranker(query.query)[:k]
            records = index.catalog.get_many(ranked)
            found = [records[i] for i in ranked if i in records]
            precision.append(sum(query.relevant(r) for r in found) / k)
            junk.append(sum(len(r.description) < JUNK_CHARS for r in found) / k)
            tops[query.qid] = [f"[{r.language}] {r.title}" for r in found]
        out[method] = {"precision": sum(precision) / len(queries) if queries else 0.0,
                       "junk": sum(junk) / len(queries) if queries else 0.0,
                       "per_query": dict(zip([q.qid for q in queries], precision, strict=True)), "top": tops}
    return out


class _MemoQueries(Embeddings):
    """Shares query vectors between methods (and runs, through a file), so each query is embedded once."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.memo: dict[str, list[float]] = {}

    def load(self, path: Path) -> None:
        """Add the query vectors a previous run saved."""
        if path.is_file():
            with np.load(path) as data:
                self.memo.update(zip([str(t) for t in data["texts"]], np.asarray(data["vectors"]).tolist(),
                                     strict=True))

    def save(self, path: Path) -> None:
        """Keep the query vectors for the next run."""
        if self.memo:
            np.savez_compressed(path, texts=np.array(list(self.memo)),
                                vectors=np.asarray(list(self.memo.values()), dtype=np.float32))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if text not in self.memo:
            self.memo[text] = self.inner.embed_query(text)
        return self.memo[text]


def _exact_cosine(index: Index, query: str, k: int) -> list[str]:
    vector = np.asarray(index.embeddings.embed_query(query), dtype=np.float32)
    found = index.snapshot().top_by_language(vector, k, Filters())
    ranked = sorted((hit for hits in found.values() for hit in hits), key=lambda hit: -hit[1])
    return [doc_id for doc_id, _ in ranked[:k]]


def _ranker(index: Index, method: str, k: int) -> Callable[[str], list[str]]:
    if method == "hybrid":
        return lambda q: [h.record.id for h in index.search(q, k=k)]
    if method == "dense":
        return lambda q: [i for i, _ in index.dense(q, k, Filters())]
    if method == "lexical":
        return lambda q: [i for i, _ in index.lexical(q, k, Filters())]
    if method == "cosine":
        return lambda q: _exact_cosine(index, q, k)
    raise InvalidInput(f"unknown method {method!r}: use {', '.join(METHODS)}")


def eval_index(index: Index, queries: Sequence[EvalQuery], methods: Sequence[str] = METHODS,
               k: int = 10) -> list[MethodResult]:
    """Run every query through each method over a loaded index and score the rankings."""
    rankers = {method: _ranker(index, method, k) for method in methods}
    results = []
    for method, ranker in rankers.items():
        rankings: dict[str, list[str]] = {}
        latencies = []
        for query in queries:
            started = time.perf_counter()
            rankings[query.qid] = ranker(query.query)
            latencies.append((time.perf_counter() - started) * 1000)
        results.append(MethodResult(method, aggregate(queries, rankings, k), latencies, rankings))
    return results


@contextmanager
def eval_index_for(corpus: Path | None, embedder: str = "e5", work_dir: Path | None = None) -> Iterator[Index]:
    """An index holding `corpus` (a temporary one unless `work_dir` is given, which keeps the vectors).

    With `corpus` None, `work_dir` is an index that already holds the corpus.
    """
    with tempfile.TemporaryDirectory(prefix="ttc-eval-") as scratch:
        base = work_dir or Path(scratch)
        memo = _MemoQueries(make_embeddings(embedder))
        memo_file = base / f"queries.{embedder_slug(embedder)}.npz"
        memo.load(memo_file)
        index = Index(IndexConfig(base, embedder), memo)
        try:
            if corpus is not None:
                ingest_paths(index, [corpus])
            yield index
            memo.save(memo_file)
        finally:
            index.close()


def evaluate(corpus: Path, queries_path: Path, methods: Sequence[str] = METHODS, *, embedder: str = "e5",
             work_dir: Path | None = None, k: int = 10) -> dict[str, Any]:
    """Ingest `corpus`, run `queries_path` with each method; the JSON-ready report."""
    queries = load_queries(queries_path)
    for method in methods:
        if method not in METHODS:
            raise InvalidInput(f"unknown method {method!r}: use {', '.join(METHODS)}")
    with eval_index_for(corpus, embedder, work_dir) as index:
        started = time.perf_counter()
        for query in queries:
            index.embeddings.embed_query(query.query)
        embed_ms = (time.perf_counter() - started) * 1000 / max(len(queries), 1)
        results = eval_index(index, queries, methods, k)
    return {"k": k, "corpus": str(corpus), "queries": str(queries_path), "n_queries": len(queries),
            "embedder": embedder, "embed_ms_per_query": round(embed_ms, 2),
            "methods": {r.method: {"scores": r.scores, "search_ms": r.latency()} for r in results}}


def markdown_report(report: Mapping[str, Any]) -> str:
    """Per-language tables (one per metric, a row per method) and search times, as Markdown."""
    k = report["k"]
    methods: Mapping[str, Any] = report["methods"]
    first = next(iter(methods.values()))["scores"]
    langs = ["ALL", *[lang for lang in first if lang not in ("ALL", "macro")]]
    lines = []
    for metric in METRICS:
        lines += [f"**{metric}@{k}**", "", "| method | " + " | ".join(langs) + " |",
                  "|---" * (len(langs) + 1) + "|"]
        for name, result in methods.items():
            cells = [f"{result['scores'][lang][metric]:.3f}" for lang in langs]
            cells[0] = f"**{cells[0]}**"
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [f"search time per query, query embedding excluded (it is shared by the methods: "
              f"{report['embed_ms_per_query']:.1f} ms/query this run, 0 when an earlier run's vectors were kept):",
              "", "| method | p50 ms | p95 ms |", "|---|---|---|"]
    for name, result in methods.items():
        lines.append(f"| {name} | {result['search_ms']['p50']:.2f} | {result['search_ms']['p95']:.2f} |")
    return "\n".join(lines)
