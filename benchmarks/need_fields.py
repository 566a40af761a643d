"""The field of a need: how often the assistant's reading names the field the need's relevant records are in.

Reads judged needs (default: `../shared/eval/topical_dev.json` when present, `benchmarks/data/topical_untuned.json`
and `benchmarks/data/topical_low_resource.json`). A need's fields are the truth where its relevant records' fields
(weighted by grade) reach 30% of the leading one's weight. For every need, three readings:

- nearest: the catalogue's field nearest to the question (`retrieval.field_centroids`), what an answer that finds no
  clear match reports (`metadata.intent.fields`) and prefills the demand draft with;
- classifier: the inquiry classifier's reading of the question's own words (its rules and labelled examples, no
  records), what it reported before;
- answer: the first of the fields the answer reports (a clear match: its records' vote; a weak one: the nearest
  field when a record the answer shows is of it too, else none).

The weak answers to needs no record fits (`benchmarks/data/needs_no_fit.txt`) are listed with the field they report,
to be read: there is no truth to score them against.

    python -m benchmarks.need_fields --data-dir DIR [--label NAME]

Writes benchmarks/results/need-fields-<label>.json and .md.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.services import build_services
from assistant.settings import Settings
from assistant.understanding.fields import nearest_field
from benchmarks.harness import RESULTS, SHARED_EVAL, add_data_dir, add_label, parser, write_results
from benchmarks.harness.paths import ROOT
from benchmarks.match_judgement import read_needs

SETS = {"dev": SHARED_EVAL / "topical_dev.json", "untuned": ROOT / "benchmarks" / "data" / "topical_untuned.json",
        "low_resource": ROOT / "benchmarks" / "data" / "topical_low_resource.json"}
NO_FIT = ROOT / "benchmarks" / "data" / "needs_no_fit.txt"
SHARE = 0.3


def true_fields(grades: dict[str, int], field_of: dict[str, str | None]) -> set[str]:
    """The fields of the relevant records that hold at least `SHARE` of the leading field's grade weight."""
    weight: Counter[str] = Counter()
    for record_id, grade in grades.items():
        field = field_of.get(record_id)
        if grade >= 1 and field and field != "other":
            weight[field] += grade
    top = max(weight.values(), default=0)
    return {field for field, w in weight.items() if top and w >= SHARE * top}


def judge(data_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(judged needs with their readings, the no-fit needs' weak answers with the field they report)."""
    services = build_services(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    rows, no_fit = [], []
    try:
        for language, text in read_needs(NO_FIT):
            answer = services.assistant.answer(text)
            if answer.metadata.get("match") == "weak":
                fields = answer.metadata.get("intent", {}).get("fields") or []
                no_fit.append({"lang": language, "text": text, "field": fields[0] if fields else None,
                               "nearest": nearest_field(services.index, text)})
        for name, path in SETS.items():
            if not path.exists():
                continue
            for q in json.loads(path.read_text("utf-8"))["questions"]:
                grades = {d: int(g) for d, g in q["relevant"].items()}
                records = services.index.catalog.get_many(list(grades))
                truth = true_fields(grades, {i: r.field for i, r in records.items()})
                if not truth:
                    continue
                answer = services.assistant.answer(q["text"])
                own = services.inquiries.classifier.classify(q["text"], answer.language).field
                reported = answer.metadata.get("intent", {}).get("fields") or []
                rows.append({"set": name, "lang": q["lang"], "truth": sorted(truth),
                             "match": answer.metadata.get("match"), "nearest": nearest_field(services.index, q["text"]),
                             "classifier": None if own == "other" else own,
                             "answer": reported[0] if reported else None})
    finally:
        services.close()
    return rows, no_fit


def summarize(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """set (and "weak answers", "all") → reading → right / wrong / none counts."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["set"], []).append(row)
        groups.setdefault("all", []).append(row)
        if row["match"] == "weak":
            groups.setdefault("weak answers", []).append(row)
    out: dict[str, dict[str, dict[str, int]]] = {}
    for name, group in groups.items():
        out[name] = {}
        for reading in ("nearest", "classifier", "answer"):
            counts = Counter("none" if r[reading] is None else "right" if r[reading] in r["truth"] else "wrong"
                             for r in group)
            out[name][reading] = {"n": len(group), "right": counts["right"], "wrong": counts["wrong"],
                                  "none": counts["none"]}
    return out


def markdown(label: str, summary: dict[str, dict[str, dict[str, int]]], no_fit: list[dict[str, Any]]) -> str:
    lines = [f"# The field of a need: {label} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             "Right / wrong / no field, against the fields of each need's relevant records. nearest = the catalogue's "
             "field nearest to the question, alone; classifier = the inquiry classifier's reading of the question's "
             "words (what a weak answer reported before); answer = the first field the answer reports now (a clear "
             "match: its records' vote; a weak one: the nearest field when a record it shows is of it too).", "",
             "| set | needs | nearest | classifier | answer |", "|---|---|---|---|---|"]
    for name, readings in summary.items():
        cells = [f"{r['right']} / {r['wrong']} / {r['none']}" for r in readings.values()]
        lines.append(f"| {name} | {readings['nearest']['n']} | " + " | ".join(cells) + " |")
    given = [r for r in no_fit if r["field"]]
    lines += ["", f"Needs no record fits (`{NO_FIT.name}`), weak answers: {len(no_fit)}; reporting a field: "
              f"{len(given)} (the nearest field alone would give one to all). To read:", ""]
    lines += [f"- {r['field']}: {r['text']}" for r in given]
    return "\n".join(lines) + "\n"


def main() -> None:
    options = parser(__doc__)
    add_data_dir(options, "an index of the sample corpus", required=True)
    add_label(options, "sample")
    args = options.parse_args()
    rows, no_fit = judge(args.data_dir)
    summary = summarize(rows)
    page = markdown(args.label, summary, no_fit)
    write_results(RESULTS, f"need-fields-{args.label}", {"summary": summary, "needs": rows, "no_fit": no_fit}, page,
                  indent=1, ensure_ascii=False)
    print(page)


if __name__ == "__main__":
    main()
