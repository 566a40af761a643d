"""Cross-lingual retrieval on XQuAD articles the ranking was never tuned on: hybrid (ours) vs plain e5 vs BM25.

`../shared/eval/xquad_dev` holds XQuAD's articles 0-15; the other 32 are kept aside. Given a folder with XQuAD's
`xquad.<lang>.json` files (the public dataset, CC BY-SA 4.0: https://github.com/deepmind/xquad; nothing is
downloaded here), this builds held-out sets the way the dev set was built (its README): every paragraph of the
chosen articles as one record per corpus language (en, es, ru, zh; title = the English article title), and a fixed
random sample of their questions (`random.Random(13)`) asked in all 12 languages, each relevant to its paragraph's
four language versions. Split "a" is articles 16-31 and "b" 32-47, each the dev set's size (80 paragraphs, 125
questions, 1,500 queries); "all" is 16-47 with 300 questions. Scores as `benchmarks/retrieval_eval.py`, on the
set alone and mixed into the sample corpus (its `xquad_mixed`).

    python -m benchmarks.xquad_heldout --xquad-json-dir DIR [--work-dir DIR] [--splits a,b,all] [--skip-mixed]

Writes benchmarks/results/xquad-heldout.json and .md; the built sets stay in the work dir, not in the repository.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import RESULTS, parser, write_results
from benchmarks.retrieval_eval import xquad_mixed
from retrieval.evaluation import METHODS, evaluate

LANGUAGES = ("en", "es", "de", "el", "ru", "tr", "ar", "vi", "th", "zh", "hi", "ro")
CORPUS_LANGUAGES = ("en", "es", "ru", "zh")
SPLITS = {"a": (range(16, 32), 125), "b": (range(32, 48), 125), "all": (range(16, 48), 300)}
SEED = 13


def build(source: Path, articles: range, questions: int, folder: Path) -> tuple[Path, Path]:
    """corpus.jsonl and queries.jsonl of `articles` in `folder` (see the module docstring)."""
    data = {lang: json.loads((source / f"xquad.{lang}.json").read_text("utf-8"))["data"] for lang in LANGUAGES}
    corpus, asked = [], []
    for article in articles:
        title = data["en"][article]["title"].replace("_", " ")
        for number, paragraph in enumerate(data["en"][article]["paragraphs"]):
            for lang in CORPUS_LANGUAGES:
                context = data[lang][article]["paragraphs"][number]["context"].strip()
                corpus.append({"id": f"xq-{article}-{number}-{lang}", "kind": "achievement", "title": title,
                               "description": context, "language": lang})
            asked += [(article, number, n) for n in range(len(paragraph["qas"]))]
    sample = sorted(random.Random(SEED).sample(range(len(asked)), questions))
    queries = []
    for lang in LANGUAGES:
        for index in sample:
            article, number, n = asked[index]
            qa = data[lang][article]["paragraphs"][number]["qas"][n]
            paragraph = f"xq-{article}-{number}"
            queries.append({"qid": f"{qa['id']}-{lang}", "lang": lang, "query": qa["question"].strip(),
                            "relevant": [f"{paragraph}-{c}" for c in CORPUS_LANGUAGES], "para": paragraph})
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "corpus.jsonl", folder / "queries.jsonl"
    for path, rows in zip(paths, (corpus, queries), strict=True):
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    return paths


def markdown(results: dict[str, Any]) -> str:
    lines = [f"# XQuAD held-out articles ({results['date']})", "",
             "Articles the ranking was never tuned on (`benchmarks/xquad_heldout.py`); hybrid = ours, dense = plain "
             "e5 cosine, lexical = BM25. The dev set (articles 0-15) for comparison: hybrid MRR@10 0.906, "
             "dense 0.899 (`retrieval_dev.md`).", "",
             "| split | articles | records | queries | method | Recall@10 | MRR@10 | nDCG@10 | worst language MRR@10 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, split in results["splits"].items():
        for method, row in split["methods"].items():
            scores = row["scores"]
            worst = min((r["mrr"], lang) for lang, r in scores.items() if lang not in ("ALL", "macro"))
            lines.append(f"| {name} | {split['articles']} | {split['records']} | {split['n_queries']} | {method} | "
                         f"{scores['ALL']['recall']:.3f} | {scores['ALL']['mrr']:.3f} | {scores['ALL']['ndcg']:.3f} | "
                         f"{worst[0]:.3f} ({worst[1]}) |")
    mixed = {name: split["mixed"] for name, split in results["splits"].items() if "mixed" in split}
    if mixed:
        lines += ["", "Mixed into the sample corpus (English and Chinese hold thousands of tech-transfer records "
                  "besides the paragraphs, Spanish and Russian only the paragraphs; cosine = plain e5, exact):", "",
                  "| split | records | method | Recall@10 | MRR@10 | nDCG@10 |", "|---|---|---|---|---|---|"]
        for name, split in mixed.items():
            for method, row in split["methods"].items():
                scores = row["scores"]["ALL"]
                lines.append(f"| {name} | {split['records']} | {method} | {scores['recall']:.3f} | "
                             f"{scores['mrr']:.3f} | {scores['ndcg']:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--xquad-json-dir", type=Path, required=True, help="a folder with xquad.<lang>.json")
    options.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "ttc-xquad-heldout")
    options.add_argument("--splits", default="a,b,all")
    options.add_argument("--embedder", default="e5")
    options.add_argument("--skip-mixed", action="store_true", help="without the sets mixed into the sample corpus")
    args = options.parse_args()
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "splits": {}}
    for name in args.splits.split(","):
        articles, questions = SPLITS[name]
        folder = args.work_dir / f"split-{name}"
        corpus, queries = build(args.xquad_json_dir, articles, questions, folder)
        # the index directory `xquad_mixed` takes the paragraphs' vectors from
        report = evaluate(corpus, queries, METHODS, embedder=args.embedder,
                          work_dir=args.work_dir / f"{folder.name}-{args.embedder}")
        if not args.skip_mixed:
            mixed = xquad_mixed(args.work_dir, args.embedder, folder)
            report["mixed"] = {"records": mixed["records"], "methods": mixed["methods"]}
        report.update(corpus=f"split-{name}/corpus.jsonl", queries=f"split-{name}/queries.jsonl")  # not this machine's
        report["articles"] = f"{articles.start}-{articles.stop - 1}"
        report["records"] = sum(1 for _ in corpus.open(encoding="utf-8"))
        results["splits"][name] = report
    page = markdown(results)
    write_results(RESULTS, "xquad-heldout", results, page, indent=1, ensure_ascii=False)
    print(page)


if __name__ == "__main__":
    main()
