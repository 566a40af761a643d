"""The embedding choices' retrieval quality (benchmarks/embedding_choices.py, parts b and c): hybrid and dense
scores on the XQuAD dev set and the real-corpus sets with every vector, and while the vectors are backfilled."""

from __future__ import annotations

import json
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from benchmarks.corpus import text_hash
from benchmarks.harness import SAMPLE_FILES, shared_eval
from retrieval.embedder import embedder_slug, make_embeddings
from retrieval.evaluation import BUNDLED, EvalQuery, aggregate, eval_index, load_queries, load_topical, topical_scores
from retrieval.index import Index, IndexConfig
from retrieval.ingest import ingest_paths
from retrieval.record import Record

if TYPE_CHECKING:
    from benchmarks.embedding_choice import Choice

__all__ = ["SEED", "EvalSet", "length_profile", "read_records", "run_quality", "sample_set", "xquad_set"]

SEED = 7


class QueryMemo(Embeddings):
    """Embeds each query once for every choice and method that shares the embedder."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.memo: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if text not in self.memo:
            self.memo[text] = self.inner.embed_query(text)
        return self.memo[text]


def read_records(paths: Sequence[Path]) -> list[Record]:
    """Every record of JSONL files, in file order."""
    return [Record.model_validate_json(line) for line in _lines(paths)]


def _lines(paths: Sequence[Path]) -> list[str]:
    """The non-empty lines of JSONL files (split on newlines only: descriptions may hold U+2028)."""
    return [line for path in paths for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


# -- b. quality ------------------------------------------------------------------------------------------------
@dataclass


class EvalSet:
    """A corpus file (copied into the work directory, so no seed vector file beside it applies) and its queries."""

    name: str
    corpus: Path
    queries: list[EvalQuery]
    cross: dict[str, bool] | None = None
    topical: bool = False


def xquad_set(work: Path, per_language: int) -> EvalSet:
    """The dev XQuAD set (the bundled subset when ../shared is absent), `per_language` random queries per language."""
    shared = shared_eval("xquad_dev", "queries.jsonl")
    folder, name = (shared.parent, "xquad_dev") if shared is not None else (BUNDLED, "xquad_sub")
    corpus = folder / ("corpus.jsonl" if name == "xquad_dev" else "xquad_corpus.jsonl")
    queries = load_queries(folder / ("queries.jsonl" if name == "xquad_dev" else "xquad_queries.jsonl"))
    by_lang: dict[str, list[EvalQuery]] = {}
    for query in queries:
        by_lang.setdefault(query.lang, []).append(query)
    rng = random.Random(SEED)
    chosen = {q.qid for group in by_lang.values() for q in rng.sample(group, min(per_language, len(group)))}
    shutil.copy(corpus, work / f"{name}.jsonl")
    return EvalSet(name, work / f"{name}.jsonl", [q for q in queries if q.qid in chosen])


def sample_set(work: Path, others: int) -> EvalSet:
    """The real-corpus known-item questions over their targets plus `others` random records of data/sample."""
    path = BUNDLED / "sample_xling.jsonl"
    queries = load_queries(path)
    cross = {str(item["qid"]): bool(item["cross"]) for item in map(json.loads, _lines([path]))}
    targets = {i for q in queries for i in q.relevant}
    lines = _lines(SAMPLE_FILES)
    keep = [line for line in lines if json.loads(line)["id"] in targets]
    rest = [line for line in lines if json.loads(line)["id"] not in targets]
    keep += random.Random(SEED).sample(rest, min(others, len(rest)))
    corpus = work / f"sample-{len(keep)}.jsonl"
    corpus.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return EvalSet(f"sample_{len(keep)}", corpus, queries, cross, topical=True)


def build_index(choice: Choice, evalset: EvalSet, work: Path, embeddings: Embeddings, embed: bool) -> Index:
    """An index of the eval corpus in a directory of its own: embedded, or written only (vectors come later)."""
    folder = work / f"{evalset.name}-{choice.name}-{'full' if embed else 'backfill'}"
    config = IndexConfig(folder, choice.embedder, lead_chars=choice.lead_chars, freshness_seconds=0.0)
    index = Index(config, embeddings)
    ingest_paths(index, [evalset.corpus], embed=embed)
    return index


def quality(index: Index, evalset: EvalSet) -> dict[str, Any]:
    """Hybrid and dense scores (every language, ALL, macro; same/cross-language groups; topical precision@5)."""
    out: dict[str, Any] = {}
    for result in eval_index(index, evalset.queries, ("hybrid", "dense")):
        out[result.method] = {"scores": result.scores}
        if evalset.cross is not None:
            kinds = [EvalQuery(q.qid, "cross" if evalset.cross[q.qid] else "same", q.query, q.relevant)
                     for q in evalset.queries]
            out[result.method]["by_kind"] = aggregate(kinds, result.rankings)
    if evalset.topical:
        topics = topical_scores(index, load_topical(BUNDLED / "sample_topical.jsonl"))
        for method, row in topics.items():
            out[method]["topical_precision@5"] = row["precision"]
    return out


# -- c. the backfill -------------------------------------------------------------------------------------------
def backfill(choice: Choice, evalset: EvalSet, full: Index, work: Path, embeddings: Embeddings,
             fractions: Sequence[float]) -> dict[str, dict[str, float]]:
    """Hybrid scores (ALL row) while a growing, nested random share of the records has its vector."""
    index = build_index(choice, evalset, work, embeddings, embed=False)
    try:
        records = list(index.catalog.iter_records())
        random.Random(SEED).shuffle(records)
        hashes = [text_hash(r.embedding_text(choice.lead_chars)) for r in records]
        model = embedder_slug(choice.embedder)
        vectors = full.catalog.cached_vectors(model, hashes)
        out, done = {}, 0
        for fraction in sorted(fractions):
            upto = round(fraction * len(records))
            index.catalog.cache_vectors(model, [(h, vectors[h]) for h in hashes[done:upto]])
            done = max(done, upto)
            result = eval_index(index, evalset.queries, ("hybrid",))[0]
            out[f"{fraction:g}"] = result.scores["ALL"]
    finally:
        index.close()
    return out


def run_quality(choices: Sequence[Choice], sets: Sequence[EvalSet], work: Path,
                fractions: Sequence[float]) -> dict[str, Any]:
    """Quality at full vectors and during the backfill, per choice and eval set; embedding time of each corpus."""
    memos: dict[str, QueryMemo] = {}
    out: dict[str, Any] = {}
    for choice in choices:
        memo = memos.setdefault(choice.embedder, QueryMemo(make_embeddings(choice.embedder)))
        out[choice.name] = {}
        for evalset in sets:
            started = time.perf_counter()
            index = build_index(choice, evalset, work, memo, embed=True)
            embed_s = time.perf_counter() - started
            try:
                row = quality(index, evalset)
                row["backfill"] = backfill(choice, evalset, index, work, memo, fractions)
            finally:
                index.close()
            row["embed_s"] = round(embed_s, 1)
            out[choice.name][evalset.name] = row
            print(f"{choice.name} {evalset.name}: embedded in {embed_s:.0f} s", file=sys.stderr)
    return out


def length_profile(records: Sequence[Record]) -> dict[str, float]:
    """How many descriptions a lead of 200, 400 or 1000 characters cuts, and their mean length."""
    lengths = [len(r.description) for r in records]
    out = {f"over_{n}": round(sum(x > n for x in lengths) / len(lengths), 3) for n in (200, 400, 1000)}
    out["mean_chars"] = round(sum(lengths) / len(lengths))
    return out
