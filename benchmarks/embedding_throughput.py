"""The embedding choices' encoding throughput (benchmarks/embedding_choices.py, part a): records/s of each choice
in fresh worker processes, so that a choice's OMP_NUM_THREADS applies, extrapolated to the platform's size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.harness import ROOT
from retrieval.embedder import make_embeddings
from retrieval.record import Record

if TYPE_CHECKING:
    from benchmarks.embedding_choice import Choice

__all__ = ["PLATFORM_RECORDS", "throughput", "worker"]

PLATFORM_RECORDS = 150_000


def worker(embedder: str, texts_file: Path) -> None:
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
        workers.append(subprocess.Popen([sys.executable, "-m", "benchmarks.embedding_choices", "--worker",
                                         choice.embedder, str(path)], env=env, stdout=subprocess.PIPE, text=True,
                                        cwd=ROOT))
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
