"""Honest when nothing fits: how often the assistant calls a need a clear match, for needs that fit and needs that
do not, with the best-score rule alone (before) and with the coherence of the records found (now), in one run.

Sets (one need per line, `lang|text`, `#` comments):
- dev: `../shared/eval/topical_dev.json` when present, 30 needs judged record by record, every one with relevant
  records in the sample (a clear match is right);
- no fit: `benchmarks/data/needs_no_fit.txt`, 48 needs in 16 languages on topics the sample does not cover (a
  clear match is wrong);
- unjudged: `benchmarks/data/needs_unjudged.txt`, 34 needs in 17 languages written for the sample's topics (mostly
  fit, not judged);
- held-out: `benchmarks/data/topical_heldout.json` (52 needs that fit, judged record by record) and
  `benchmarks/data/needs_no_fit_heldout.txt` (20 that do not), written by a helper that saw no answer.

    python -m benchmarks.match_judgement --data-dir DIR [--label NAME]

Writes benchmarks/results/match-<label>.json and .md.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from assistant.chat.match_strength import coherence_of, match_strength
from assistant.chat.state import ChatState
from assistant.services import build_services
from assistant.settings import Settings
from benchmarks.harness import SHARED_EVAL, add_data_dir, add_label, parser, write_results
from benchmarks.harness.paths import ROOT

DATA = ROOT / "benchmarks" / "data"


def read_needs(path: Path) -> list[tuple[str, str]]:
    """(language, text) of every `lang|text` line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(lang, text) for lang, _, text in (line.partition("|") for line in lines if line and line[0] != "#")]


def needs_sets() -> dict[str, list[tuple[str, str]]]:
    sets: dict[str, list[tuple[str, str]]] = {}
    dev = SHARED_EVAL / "topical_dev.json"
    if dev.exists():
        sets["dev (all fit)"] = [(q["lang"], q["text"]) for q in json.loads(dev.read_text("utf-8"))["questions"]]
    sets["no fit"] = read_needs(DATA / "needs_no_fit.txt")
    sets["unjudged"] = read_needs(DATA / "needs_unjudged.txt")
    heldout = json.loads((DATA / "topical_heldout.json").read_text("utf-8"))["questions"]
    sets["held-out (all fit)"] = [(q["lang"], q["text"]) for q in heldout]
    sets["held-out no fit"] = read_needs(DATA / "needs_no_fit_heldout.txt")
    return sets


def judge(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every need through the chain up to what it shows, judged both ways."""
    services = build_services(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    chain = services.assistant.answer_chain
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        for name, needs in needs_sets().items():
            rows = out.setdefault(name, [])
            for language, text in needs:
                state = chain.prepare.invoke(ChatState(message=text, session_id="benchmark"))
                kind = state.filters.kind or (state.intent.kind if state.intent.explicit_kind else None)
                before = match_strength(state.hits, chain.relevance, corpus=services.index.catalog.count(),
                                        margin=chain.strong_margin) if state.hits else "none"
                coherence = coherence_of(services.index, state.hits, kind) if state.hits else None
                rows.append({"lang": language, "text": text, "reply": state.reply_key, "before": before,
                             "now": state.metadata.get("match", "none"), "coherence": coherence,
                             "best": max((h.strength for h in state.hits), default=None),
                             "shown": len(state.citations)})
    finally:
        services.close()
    return out


def summarize(judged: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    summary = {}
    for name, rows in judged.items():
        answered = [r for r in rows if r["reply"] is None]
        summary[name] = {"n": len(rows), "refused": len(rows) - len(answered),
                         "strong_before": sum(r["before"] == "strong" for r in answered),
                         "strong_now": sum(r["now"] == "strong" for r in answered)}
    return summary


def markdown(label: str, summary: dict[str, dict[str, Any]]) -> str:
    lines = [f"# Clear match or not: {label} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             "Needs the assistant answered (not refused as off-topic) and called a clear match: before = the best "
             "record's score alone (chance maximum + 0.5), now = the best beyond chance and the records coherent "
             "(`retrieval.coherence`). Right answer: clear for `dev` and `held-out (all fit)`, not clear for the "
             "`no fit` sets.", "",
             "| set | needs | refused as off-topic | clear before | clear now |", "|---|---|---|---|---|"]
    for name, row in summary.items():
        lines.append(f"| {name} | {row['n']} | {row['refused']} | {row['strong_before']} | {row['strong_now']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    options = parser(__doc__)
    add_data_dir(options, "an index of the sample corpus", required=True)
    add_label(options, "sample")
    args = options.parse_args()
    judged = judge(args.data_dir)
    summary = summarize(judged)
    page = markdown(args.label, summary)
    write_results(ROOT / "benchmarks" / "results", f"match-{args.label}", {"summary": summary, "needs": judged},
                  page, indent=1, ensure_ascii=False)
    print(page)


if __name__ == "__main__":
    main()
