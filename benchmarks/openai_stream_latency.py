"""First-token latency of the OpenAI-compatible API, streamed, with the official `openai` SDK as the client.

Starts `ttc serve` in a subprocess on a free 127.0.0.1 port over an existing index (rate limit off), then asks
one question at a time through `client.chat.completions.create(stream=True)`: every question once while it is
new to the server (its embedding not cached), then the same questions again. For each request it records the
time from sending the request to the first content delta (first token) and to the end of the stream, and for
comparison the same question without streaming. Writes benchmarks/results/openai_stream_latency-<label>.{json,md}
(or into --results-dir).

    python -m benchmarks.openai_stream_latency --data-dir .ttc           # the sample corpus, indexed with e5
    python -m benchmarks.openai_stream_latency --url http://127.0.0.1:8000
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from typing import Any

import openai

from benchmarks.harness import (
    add_label,
    add_results_dir,
    add_source,
    load_text,
    ms_since,
    parser,
    pct,
    serve,
    write_results,
)

QUESTIONS = [
    "Who offers drone technology for remote areas?",
    "recycled carbon fibre composites for wind turbines",
    "AI solutions for monitoring soil and crops",
    "hydrogen storage tanks for vehicles",
    "Кто предлагает технологии солнечных батарей?",
    "Технологии переработки отходов",
    "Кто может помочь перевести наши медицинские технологии в практику?",
    "光伏组件寿命预测技术",
    "谁能提供太阳能电池技术？",
    "tecnologia de baterias para armazenamento de energia",
    "soluciones de inteligencia artificial para hospitales",
    "capteurs pour la maintenance ferroviaire",
    "تقنيات تحلية المياه",
    "सौर ऊर्जा भंडारण तकनीक",
    "teknologi pengolahan air limbah",
    "เทคโนโลยีพลังงานลม",
    "công nghệ pin mặt trời",
    "жел энергиясы технологиялары",
    "quyosh panellari texnologiyasi",
    "sonkrag tegnologie vir plase",
]


WARM_UP = ["warm-up: solar energy", "预热：风能", "разогрев: ветер", "تسخين: طاقة", "วอร์มอัพ พลังงาน"]


def _stats(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": pct(values, 0.5), "p95_ms": pct(values, 0.95),
            "mean_ms": round(statistics.fmean(values), 1) if values else float("nan"),
            "max_ms": round(max(values), 1) if values else float("nan")}


def _streamed(client: openai.OpenAI, question: str) -> tuple[float, float, int]:
    """(ms to the first content delta, ms to the end, content deltas)."""
    started = time.perf_counter()
    first = None
    deltas = 0
    stream = client.chat.completions.create(model="ttc-assistant", stream=True,
                                            stream_options={"include_usage": True},
                                            messages=[{"role": "user", "content": question}])
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            deltas += 1
            if first is None:
                first = ms_since(started)
    total = ms_since(started)
    return (first if first is not None else total), total, deltas


def _whole(client: openai.OpenAI, question: str) -> float:
    started = time.perf_counter()
    client.chat.completions.create(model="ttc-assistant", messages=[{"role": "user", "content": question}])
    return ms_since(started)


def measure(url: str) -> dict[str, Any]:
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="benchmark", max_retries=0)
    for question in WARM_UP:  # model loads and first-request costs (not in QUESTIONS)
        _streamed(client, question)
    passes: dict[str, Any] = {}
    for name in ("new questions", "repeated questions"):
        first, total, deltas = [], [], []
        for question in QUESTIONS:
            f, t, d = _streamed(client, question)
            first.append(f)
            total.append(t)
            deltas.append(d)
        passes[name] = {"first_token": _stats(first), "stream_total": _stats(total),
                        "deltas_per_answer_min": min(deltas),
                        "first_token_ms_by_question": dict(zip(QUESTIONS, (round(f, 1) for f in first), strict=True))}
    passes["non-streamed, repeated"] = {"whole": _stats([_whole(client, q) for q in QUESTIONS])}
    return passes


def markdown(report: dict[str, Any]) -> str:
    setup = report["setup"]
    lines = ["# First-token latency, OpenAI-compatible API (streamed)", "",
             f"`{setup['command']}` — {setup['machine']}, {setup['cpus']} CPUs, load average {setup['load']}, "
             f"embedder {setup['embedder']}, {len(QUESTIONS)} questions in 12 languages, one at a time, "
             "official `openai` SDK over loopback.", "",
             "| pass | first token p50 | p95 | max | whole stream p50 | p95 |", "|---|---|---|---|---|---|"]
    for name in ("new questions", "repeated questions"):
        row = report["results"][name]
        lines.append(f"| {name} | {row['first_token']['p50_ms']} ms | {row['first_token']['p95_ms']} ms | "
                     f"{row['first_token']['max_ms']} ms | {row['stream_total']['p50_ms']} ms | "
                     f"{row['stream_total']['p95_ms']} ms |")
    whole = report["results"]["non-streamed, repeated"]["whole"]
    lines += ["", f"Non-streamed (`stream: false`), repeated questions: p50 {whole['p50_ms']} ms, "
              f"p95 {whole['p95_ms']} ms.", ""]
    return "\n".join(lines)


def main() -> None:
    options = parser(__doc__)
    add_source(options, url_help="measure a running server instead")
    add_label(options, "e5-sample")
    add_results_dir(options)
    args = options.parse_args()

    if args.url:
        results = measure(args.url)
    else:
        with serve(args.data_dir) as server:
            results = measure(server.url)
    report = {"results": results, "setup": {
        "command": "python -m benchmarks.openai_stream_latency " + " ".join(sys.argv[1:]),
        "embedder": os.environ.get("TTC_EMBEDDER", "e5"), "cpus": os.cpu_count(),
        "machine": f"{platform.machine()}, Python {platform.python_version()}", "load": load_text()}}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    write_results(args.results_dir, f"openai_stream_latency-{args.label}", report, markdown(report), ensure_ascii=False)


if __name__ == "__main__":
    main()
