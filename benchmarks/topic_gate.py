"""Off the topic or not: which questions the assistant refuses as not for a technology-transfer center, with the
subject alone (before) and with the way the question is asked as well (now, `assistant.chat.topic`), in one run.

Sets (one question per line, `lang|text`, `#` comments):
- needs, all of which must be answered (with a clear match or an honest "no clear match"): the dev needs
  (`../shared/eval/topical_dev.json`, when present) and `benchmarks/data/needs_*.txt`;
- `benchmarks/data/requests_off_topic.txt`: personal requests in 24 languages (cooking, shopping, films, travel,
  sports), all of which must be refused.

    python -m benchmarks.topic_gate --data-dir DIR [--label NAME]

Writes benchmarks/results/topic-gate-<label>.json and .md.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from assistant.chat.match_strength import match_strength
from assistant.chat.state import ChatState
from assistant.services import build_services
from assistant.settings import Settings
from benchmarks.harness import SHARED_EVAL, add_data_dir, add_label, parser, write_results
from benchmarks.harness.paths import ROOT
from benchmarks.match_judgement import DATA, read_needs


def question_sets() -> dict[str, tuple[bool, list[tuple[str, str]]]]:
    """name -> (whether it must be answered, its questions)."""
    sets: dict[str, tuple[bool, list[tuple[str, str]]]] = {}
    dev = SHARED_EVAL / "topical_dev.json"
    if dev.exists():
        sets["dev needs"] = (True, [(q["lang"], q["text"]) for q in json.loads(dev.read_text("utf-8"))["questions"]])
    for path in sorted(DATA.glob("needs_*.txt")):
        sets[path.stem.replace("_", " ")] = (True, read_needs(path))
    sets["personal requests"] = (False, read_needs(DATA / "requests_off_topic.txt"))
    return sets


def judge(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    services = build_services(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    chain = services.assistant.answer_chain
    gate = chain.topic_gate
    assert gate is not None, "the topic gate needs a meaningful embedder"
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        for name, (_, questions) in question_sets().items():
            rows = out.setdefault(name, [])
            for language, text in questions:
                state = chain.prepare.invoke(ChatState(message=text, session_id="benchmark"))
                reading = gate.read(state.condensed)
                # before: the subject alone; within its margin only a record beyond chance + 0.5 answered
                doubtful_refused = reading.subject < gate.margin and (not state.hits or match_strength(
                    state.hits, chain.relevance, corpus=services.index.catalog.count(),
                    margin=chain.strong_margin) != "strong")
                before = "off_topic" if reading.subject < 0 or doubtful_refused else "answered"
                now = "off_topic" if state.reply_key == "off_topic" else "answered"
                rows.append({"lang": language, "text": text, "subject": round(reading.subject, 4),
                             "asker": round(reading.asker, 4), "before": before, "now": now})
    finally:
        services.close()
    return out


def summarize(judged: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    sets = question_sets()
    return {name: {"n": len(rows), "answer": sets[name][0],
                   "refused_before": sum(r["before"] == "off_topic" for r in rows),
                   "refused_now": sum(r["now"] == "off_topic" for r in rows)} for name, rows in judged.items()}


def markdown(label: str, summary: dict[str, dict[str, Any]]) -> str:
    lines = [f"# Off the topic or not: {label} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             "Questions refused as not for a technology-transfer center: before = the subject alone (nearer to an "
             "off-topic phrase than to every domain phrase; within the margin, unless a record beyond chance + 0.5 "
             "answered), now = also how the question is asked (an organization's need is answered whatever its "
             "subject). Needs must be answered, personal requests refused.", "",
             "| set | questions | must be | refused before | refused now |", "|---|---|---|---|---|"]
    for name, row in summary.items():
        must = "answered" if row["answer"] else "refused"
        lines.append(f"| {name} | {row['n']} | {must} | {row['refused_before']} | {row['refused_now']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    options = parser(__doc__)
    add_data_dir(options, "an index of the sample corpus", required=True)
    add_label(options, "sample")
    args = options.parse_args()
    judged = judge(args.data_dir)
    summary = summarize(judged)
    page = markdown(args.label, summary)
    write_results(ROOT / "benchmarks" / "results", f"topic-gate-{args.label}",
                  {"summary": summary, "questions": judged}, page, indent=1, ensure_ascii=False)
    print(page)


if __name__ == "__main__":
    main()
