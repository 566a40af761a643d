"""Needs as people type them: what the assistant cites, suggests and finds, on graded topical questions.

Reads a topical eval file (default `../shared/eval/topical_dev.json`: realistic needs in 15 languages with
graded relevance, 2 = answers the need, 1 = related) and runs every question through the whole assistant
(`Assistant.answer`, offline composer) and through `/v1/search`'s ranking (`Index.search`, k = 10) over an
index of the sample corpus. Scores, per language and overall:

- cited P@5 and graded nDCG@5 of the records an answer cites (the metrics of shared/eval/score.py);
- `/v1/search` graded nDCG@10 and P@5;
- kind accuracy: share of cited records of the kind the question asks for (questions that ask for a kind);
- partner evidence: share of the top-3 suggested partners with at least one relevant record as evidence;
- nothing-found answers.

    python -m benchmarks.topical_eval --data-dir DIR [--eval FILE] [--label NAME] [--split even|odd]
                                      [--oracle-rewrite | --oracle-rerank | --oracle-translator]

`--oracle-rewrite` answers through a stand-in model that rewrites each need as the English summary written for it
(`topic_en`) and cites what it is given: what retrieval reaches when the model path understands the need.
`--oracle-rerank` answers through a stand-in model that judges the ten best offline candidates by the set's own
grades: what the model's judgement can add to offline retrieval (each record shown is then relevant; the
limit is how many relevant records the ten hold).

Writes benchmarks/results/topical-<label>.json and .md, and RUN files (`{"qid","ids"}` per line) beside them
so that `python3 ../shared/eval/score.py --topical FILE RUN.jsonl` reproduces the cited and search scores.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.chat.relevance import retrieve
from assistant.services import build_services
from assistant.settings import Settings
from benchmarks.harness import RESULTS, SHARED_EVAL, add_data_dir, add_label, parser, write_results
from benchmarks.harness.oracle_llm import oracle_model
from retrieval.catalog import Filters
from tests.support.fake_libretranslate import FakeLibreTranslate, default_pairs

DEV = SHARED_EVAL / "topical_dev.json"


def graded_ndcg(ranked: list[str], grades: dict[str, int], k: int) -> float:
    """Graded nDCG@k as in shared/eval/score.py (gain = grade)."""
    top = list(dict.fromkeys(ranked))[:k]
    dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(top))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision5(ranked: list[str], grades: dict[str, int]) -> float:
    """Share of the first five (always divided by five) with grade >= 1."""
    return sum(1 for d in list(dict.fromkeys(ranked))[:5] if grades.get(d, 0) >= 1) / 5.0


def run(data_dir: Path, questions: list[dict[str, Any]], llm_url: str | None = None,
        translate_url: str | None = None, *, rewrite: bool = True, rerank: bool = True) -> list[dict[str, Any]]:
    """Every question through the assistant and the search ranking; with `llm_url`, through that model (asked to
    rewrite and to judge as `rewrite` and `rerank` say); with `translate_url`, with that LibreTranslate server as
    the translator."""
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    if llm_url:
        settings = settings.model_copy(update={"llm_base_url": llm_url, "llm_model": "oracle", "llm_rewrite": rewrite,
                                               "llm_rerank": rerank})
    if translate_url:
        settings = settings.model_copy(update={"translator": "libretranslate", "translate_url": translate_url})
    services = build_services(settings)
    rows = []
    try:
        services.assistant.answer("warm-up: solar cells")
        for q in questions:
            grades = {d: int(g) for d, g in q["relevant"].items()}
            started = time.perf_counter()
            answer = services.assistant.answer(q["text"])
            elapsed = time.perf_counter() - started
            cited = [c.id for c in answer.citations]
            # the same run's baseline: the whole sentence searched as it is (the chain before question understanding)
            sentence = [h.record.id for h in retrieve(services.index, q["text"]).hits[:5]]
            kinds = [c.kind for c in answer.citations]
            search = [h.record.id for h in services.index.search(q["text"], k=10, filters=Filters())]
            partners = answer.partners[:3]
            rows.append({
                "qid": q["id"], "lang": q["lang"], "kind": q.get("kind") or "any", "cited": cited,
                "cited_kinds": kinds, "search": search,
                "partners": [{"organization": p.organization, "evidence": p.evidence} for p in partners],
                "partners_relevant": [any(grades.get(e, 0) >= 1 for e in p.evidence) for p in partners],
                "cited_p5": precision5(cited, grades), "cited_ndcg5": graded_ndcg(cited, grades, 5),
                "sentence": sentence, "sentence_p5": precision5(sentence, grades),
                "sentence_ndcg5": graded_ndcg(sentence, grades, 5),
                "search_ndcg10": graded_ndcg(search, grades, 10), "search_p5": precision5(search, grades),
                "nothing_found": not cited, "metadata": {k: v for k, v in answer.metadata.items()
                                                         if k in ("intent", "match", "reply", "retrieved")},
                "seconds": round(elapsed, 3),
            })
    finally:
        services.close()
    return rows


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means per language and overall."""
    def agg(group: list[dict[str, Any]]) -> dict[str, Any]:
        n = len(group)
        asked = [r for r in group if r["kind"] != "any"]
        kind_total = sum(len(r["cited_kinds"]) for r in asked)
        kind_ok = sum(sum(1 for k in r["cited_kinds"] if k == r["kind"]) for r in asked)
        partners = [ok for r in group for ok in r["partners_relevant"]]
        return {
            "n": n,
            "cited_p5": round(sum(r["cited_p5"] for r in group) / n, 4),
            "cited_ndcg5": round(sum(r["cited_ndcg5"] for r in group) / n, 4),
            "sentence_p5": round(sum(r["sentence_p5"] for r in group) / n, 4),
            "sentence_ndcg5": round(sum(r["sentence_ndcg5"] for r in group) / n, 4),
            "search_ndcg10": round(sum(r["search_ndcg10"] for r in group) / n, 4),
            "search_p5": round(sum(r["search_p5"] for r in group) / n, 4),
            "kind_accuracy": round(kind_ok / kind_total, 4) if kind_total else None,
            "partners_relevant_top3": round(sum(partners) / len(partners), 4) if partners else None,
            "nothing_found": sum(1 for r in group if r["nothing_found"]),
            "seconds_p50": sorted(r["seconds"] for r in group)[n // 2],
        }

    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_lang[r["lang"]].append(r)
    out = {lang: agg(group) for lang, group in sorted(by_lang.items())}
    out["ALL"] = agg(rows)
    return out


def markdown(label: str, source: str, summary: dict[str, Any]) -> str:
    cols = ["n", "sentence_p5", "cited_p5", "sentence_ndcg5", "cited_ndcg5", "search_ndcg10", "search_p5",
            "kind_accuracy", "partners_relevant_top3", "nothing_found", "seconds_p50"]
    lines = [f"# Topical needs: {label} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             f"Questions: `{source}`. Cited = the records an answer cites (offline composer); sentence = the same "
             "run's baseline, the whole question searched as it is behind the same relevance gate (the chain before "
             "question understanding); search = "
             "`/v1/search` top 10; kind accuracy over questions that ask for a kind; partners = share of the "
             "top-3 partners with a relevant record as evidence.", "",
             "| lang | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for lang, row in summary.items():
        lines.append(f"| {lang} | " + " | ".join("–" if row[c] is None else str(row[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    options = parser(__doc__)
    add_data_dir(options, "an index of the sample corpus", required=True)
    options.add_argument("--eval", type=Path, default=DEV)
    add_label(options, "dev")
    options.add_argument("--split", choices=["all", "even", "odd"], default="all",
                         help="half of the questions (by position), for tuning on one half and checking the other")
    options.add_argument("--out", type=Path, default=RESULTS, help="the results folder")
    options.add_argument("--oracle-rewrite", action="store_true",
                         help="answer through a stand-in model that rewrites each need as its `topic_en` summary "
                              "(benchmarks/harness/oracle_llm.py): the bound of the model path, not a real model")
    options.add_argument("--oracle-rerank", action="store_true",
                         help="answer through a stand-in model that judges the candidates by the set's own relevance "
                              "grades and does not rewrite (benchmarks/harness/oracle_llm.py): the bound of the "
                              "model's judgement over offline retrieval, not a real model")
    options.add_argument("--oracle-translator", action="store_true",
                         help="with a stand-in LibreTranslate (tests/support/fake_libretranslate.py) that translates "
                              "each need into its `topic_en`: a translation for the low-resource set, a summary for "
                              "the dev set")
    args = options.parse_args()
    questions = json.loads(args.eval.read_text(encoding="utf-8"))["questions"]
    if args.split != "all":
        questions = questions[args.split == "odd"::2]
    if args.oracle_rewrite:
        with oracle_model({q["text"]: q.get("topic_en", "") for q in questions}) as url:
            rows = run(args.data_dir, questions, url, rerank=False)
    elif args.oracle_rerank:
        with oracle_model({}, grades={q["text"]: q["relevant"] for q in questions}) as url:
            rows = run(args.data_dir, questions, url, rewrite=False)
    elif args.oracle_translator:
        languages = ("en", *sorted({q["lang"] for q in questions} - {"en"}))
        fake = FakeLibreTranslate(pairs=default_pairs(languages),
                                  known={q["text"]: q.get("topic_en", "") for q in questions}).start()
        try:
            rows = run(args.data_dir, questions, translate_url=fake.url)
        finally:
            fake.stop()
    else:
        rows = run(args.data_dir, questions)
    summary = summarize(rows)
    stem = f"topical-{args.label}"
    write_results(args.out, stem, {"eval": str(args.eval.name), "summary": summary, "rows": rows},
                  markdown(args.label, args.eval.name, summary), indent=1, ensure_ascii=False, newline=False)
    for name in ("cited", "sentence", "search"):
        (args.out / f"{stem}-{name}.run.jsonl").write_text(
            "".join(json.dumps({"qid": r["qid"], "ids": r[name]}) + "\n" for r in rows), encoding="utf-8")
    print(markdown(args.label, args.eval.name, summary))


if __name__ == "__main__":
    main()
