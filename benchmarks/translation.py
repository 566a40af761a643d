"""Machine translation of record content against a local fake LibreTranslate (real HTTP on 127.0.0.1).

    python -m benchmarks.translation --data-dir .ttc [--questions ../shared/eval/topical_dev.json]
        [--lang ru,zh,es] [--out benchmarks/results/translation.json]

Needs an index built with the default embedder (`ttc ingest data/sample/*.jsonl`); the benchmark works on a copy
of its catalog, so the index's own translation cache is not touched. It measures:
1. the cache hit rate over the dev questions asked twice, each in its own language (cold cache first);
2. texts/s of `ttc translate` (the real CLI, in a subprocess) pre-translating titles and leads;
3. the hit rate of the first pass when `ttc translate` has pre-translated into the questions' languages.
The fake answers at once, so (2) is the cost of our side (batching, HTTP, the cache); a real server adds its
own translation time per batch.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.locale.languages import LANGUAGES
from assistant.services import build_services
from assistant.settings import Settings
from benchmarks.harness import RESULTS, ROOT, SHARED_EVAL, add_data_dir, parser, write_json
from tests.support.fake_libretranslate import FakeLibreTranslate, default_pairs


def _copy_index(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("sessions.sqlite*", "ttc.sqlite*"))
    with sqlite3.connect(target / "catalog.sqlite") as db:
        db.execute("DROP TABLE IF EXISTS translations")


def _ask_twice(data_dir: Path, url: str, questions: list[dict[str, object]], rounds: int = 2) -> dict[str, object]:
    settings = Settings(_env_file=None, data_dir=data_dir, translator="libretranslate",  # type: ignore[call-arg]
                        translate_url=url, translate_timeout_seconds=30)
    services = build_services(settings)
    service = services.assistant.translations
    passes = []
    try:
        for number in range(1, rounds + 1):
            before = dict(service.counts)
            started = time.perf_counter()
            translated_citations = foreign = 0
            for question in questions:
                answer = services.assistant.answer(str(question["text"]))
                others = [c for c in answer.citations if c.language and c.language != answer.language]
                foreign += len(others)
                translated_citations += sum(1 for c in others if c.translation)
            cached = service.counts["cached"] - before.get("cached", 0)
            sent = service.counts["translated"] - before.get("translated", 0)
            passes.append({"pass": number, "texts_from_cache": cached, "texts_sent": sent,
                           "hit_rate": round(cached / (cached + sent), 4) if cached + sent else None,
                           "foreign_citations": foreign, "translated_citations": translated_citations,
                           "seconds": round(time.perf_counter() - started, 2)})
    finally:
        services.close()
    cached = sum(int(str(p["texts_from_cache"])) for p in passes)
    sent = sum(int(str(p["texts_sent"])) for p in passes)
    return {"passes": passes, "hit_rate_both_passes": round(cached / (cached + sent), 4) if cached + sent else None}


def _ttc_translate(data_dir: Path, url: str, languages: str) -> dict[str, object]:
    env = {**os.environ, "TTC_DATA_DIR": str(data_dir), "TTC_TRANSLATOR": "libretranslate", "TTC_TRANSLATE_URL": url}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bots.cli", "translate", "--lang", languages, "--json"], env=env,
                          capture_output=True, text=True, cwd=ROOT, check=True)
    report: dict[str, object] = json.loads(done.stdout)
    report["wall_seconds_with_startup"] = round(time.perf_counter() - started, 2)
    again = subprocess.run([sys.executable, "-m", "bots.cli", "translate", "--lang", languages, "--json"], env=env,
                           capture_output=True, text=True, cwd=ROOT, check=True)
    report["second_run_translated"] = json.loads(again.stdout)["translated"]
    return report


def main() -> None:
    options = parser(__doc__)
    add_data_dir(options, "an index of the sample corpus (default embedder)", default=Path(".ttc"))
    options.add_argument("--questions", type=Path, default=SHARED_EVAL / "topical_dev.json")
    options.add_argument("--lang", default="ru,zh,es")
    options.add_argument("--out", type=Path, default=RESULTS / "translation.json", help="the results file")
    args = options.parse_args()
    questions = json.loads(args.questions.read_text(encoding="utf-8"))["questions"]
    # a server offering every interface language with English as the hub, as LibreTranslate's pivots do
    fake = FakeLibreTranslate(pairs=default_pairs(tuple(LANGUAGES))).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            _copy_index(args.data_dir, data_dir)
            dev = _ask_twice(data_dir, fake.url, questions)
            dev_requests = len(fake.translate_requests)
            cli = _ttc_translate(data_dir, fake.url, args.lang)
            warm_dir = Path(tmp) / "warm"
            _copy_index(args.data_dir, warm_dir)
            asked = ",".join(sorted({str(q["lang"]) for q in questions} & set(LANGUAGES) - {"en"}))
            warm = {"languages": asked, "ttc_translate": _ttc_translate(warm_dir, fake.url, asked),
                    "first_pass": _ask_twice(warm_dir, fake.url, questions, rounds=1)["passes"]}
    finally:
        fake.stop()
    result = {"benchmark": "translation", "platform": platform.platform(), "cpus": os.cpu_count(),
              "questions": len(questions), "dev_questions_asked_twice": dev, "dev_translate_requests": dev_requests,
              "ttc_translate": cli, "prewarmed_by_ttc_translate": warm}
    write_json(args.out, result, ensure_ascii=False)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
