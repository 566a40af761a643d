"""The kind a question seeks (offers or demands): the bundled model against the prototype reading, and its training.

Measures, on every labelled set at hand, how often each reading is right, how many readings say the kind outright
(they filter the search) and how often those are right:

- prototypes: 25 framings per kind and the seeking and offering phrases (`assistant.understanding.sought` without a
  model), the reading before the model;
- model: the logistic model over the question's vector and that reading (`assistant.understanding.sought_model`),
  held on the side of a seeking or offering phrase when the question has none of the other (`phrase_floor`).

Sets: `tests/data/sought_heldout.jsonl` (76, written beside the prototypes), `sought_heldout_2.jsonl` (80, own
searches), `sought_heldout_3.jsonl` (285 in 19 languages, written with the training set and never trained on), the
judged needs with a kind (`../shared/eval/topical_dev.json` when present, `benchmarks/data/topical_untuned.json`,
`topical_low_resource.json`), and the training set itself, each language scored by a model trained without it.

    python -m benchmarks.sought_kind [--label NAME]      # measure; writes benchmarks/results/sought-kind-<label>.*
    python -m benchmarks.sought_kind --train             # fit on benchmarks/data/sought_train.jsonl, write
                                                         # prompts/sought_model.json

Training: L2-regularized logistic regression (Newton's method), the regularization chosen among a few strengths by
leaving one language out at a time (the strongest within one standard error of the best); the default embedder (e5)
embeds. A few minutes on 2 cores.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from assistant.locale.languages import detect_with_score, neighbours
from assistant.understanding.framing import split_topic
from assistant.understanding.sought import EXPLICIT_LOG_ODDS, LOG_ODDS_PER_MARGIN, SoughtClassifier, phrase_floor
from assistant.understanding.sought_model import SoughtModel, features
from benchmarks.harness import RESULTS, SHARED_EVAL, add_label, parser, write_json, write_results
from benchmarks.harness.paths import ROOT
from retrieval.embedder import make_embeddings

DATA = ROOT / "benchmarks" / "data"
TESTS = ROOT / "tests" / "data"
TRAIN = DATA / "sought_train.jsonl"
MODEL = ROOT / "prompts" / "sought_model.json"
PROBE = "solar desalination"
STRENGTHS = (0.01, 0.03, 0.1, 0.3, 1.0)
SETS = {"heldout": TESTS / "sought_heldout.jsonl", "heldout_2": TESTS / "sought_heldout_2.jsonl",
        "heldout_3": TESTS / "sought_heldout_3.jsonl", "dev": SHARED_EVAL / "topical_dev.json",
        "untuned": DATA / "topical_untuned.json", "low_resource": DATA / "topical_low_resource.json"}


def read_set(path: Path) -> list[dict[str, str]]:
    """Labelled questions: JSON lines with text and sought, or a judged-needs file (the needs with a kind)."""
    if path.suffix == ".json":
        needs = json.loads(path.read_text(encoding="utf-8"))["questions"]
        return [{"text": q["text"], "sought": q["kind"], "lang": q["lang"]} for q in needs if q.get("kind")]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def inputs(classifier: SoughtClassifier, rows: list[dict[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """(the model's input per question, the prototype margin per question)."""
    xs, margins = [], []
    for row in rows:
        code, _ = detect_with_score(row["text"])
        vector, margin = classifier.inputs(row["text"], split_topic(row["text"], (code, *neighbours(code))
                                                                    if code else ()))
        assert vector is not None
        xs.append(features(vector, margin))
        margins.append(margin)
    return np.asarray(xs), np.asarray(margins)


def fit(x: np.ndarray, y: np.ndarray, strength: float) -> np.ndarray:
    """L2-regularized logistic regression (the constant unpenalized), by Newton's method."""
    weights = np.zeros(x.shape[1])
    penalty = strength * np.eye(x.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        step = np.linalg.solve((x * (p * (1 - p))[:, None]).T @ x + penalty, x.T @ (p - y) + penalty @ weights)
        weights -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return weights


def by_language_out(x: np.ndarray, y: np.ndarray, languages: np.ndarray, strength: float) -> np.ndarray:
    """Each question's log-odds from a model trained without its language."""
    out = np.zeros(len(y))
    for language in np.unique(languages):
        held = languages == language
        out[held] = x[held] @ fit(x[~held], y[~held], strength)
    return out


def labels(rows: list[dict[str, str]]) -> np.ndarray:
    return np.asarray([1.0 if row["sought"] == "demand" else 0.0 for row in rows])


def score(log_odds: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Right share, the share read outright, and the right share of those (kind cues left aside)."""
    outright = np.abs(log_odds) >= EXPLICIT_LOG_ODDS
    right = (log_odds > 0) == (y > 0.5)
    return {"n": len(y), "right": round(float(right.mean()), 3), "outright": round(float(outright.mean()), 3),
            "outright_right": round(float(right[outright].mean()), 3) if outright.any() else None}


def train() -> None:
    started = time.time()
    embeddings = make_embeddings("e5")
    classifier = SoughtClassifier(embeddings)
    rows = read_set(TRAIN)
    x, _ = inputs(classifier, rows)
    y, languages = labels(rows), np.asarray([row["lang"] for row in rows])
    held = {s: float(((by_language_out(x, y, languages, s) > 0) == (y > 0.5)).mean()) for s in STRENGTHS}
    # the strongest regularization within one standard error of the best (the simpler model, where the best is
    # within noise of it)
    best = max(held.values())
    error = float(np.sqrt(best * (1 - best) / len(y)))
    strength = max(s for s in STRENGTHS if held[s] >= best - error)
    probe = np.asarray(embeddings.embed_query(PROBE), dtype=np.float64)
    model = SoughtModel(weights=fit(x, y, strength), probe=PROBE, probe_vector=probe / np.linalg.norm(probe))
    write_json(MODEL, model.as_dict(embedder="e5", trained_on=f"benchmarks/data/sought_train.jsonl ({len(rows)})",
                                    strength=strength,
                                    leave_one_language_out={str(s): round(v, 3) for s, v in held.items()}),
               indent=1)
    print(f"strength {strength}: right {held[strength]:.3f} with each language left out "
          f"({len(set(languages))} languages); wrote {MODEL.relative_to(ROOT)} in {time.time() - started:.0f} s")


def measure(label: str) -> None:
    embeddings = make_embeddings("e5")
    classifier = SoughtClassifier(embeddings)
    model = classifier.model()
    if model is None:
        raise SystemExit("the bundled model does not fit the e5 embedder: run with --train")
    report: dict[str, Any] = {"sets": {}}
    errors: dict[str, list[dict[str, str]]] = defaultdict(list)
    named = {**{name: path for name, path in SETS.items() if path.exists()}, "train_language_out": TRAIN}
    for name, path in named.items():
        rows = read_set(path)
        x, margins = inputs(classifier, rows)
        y = labels(rows)
        if name == "train_language_out":
            languages = np.asarray([row["lang"] for row in rows])
            strength = json.loads(MODEL.read_text(encoding="utf-8"))["strength"]
            after = by_language_out(x, y, languages, strength)
        else:
            after = x @ model.weights
        after = np.asarray([phrase_floor(row["text"], s) for row, s in zip(rows, after, strict=True)])
        before = margins * LOG_ODDS_PER_MARGIN
        report["sets"][name] = {"prototypes": score(before, y), "model": score(after, y)}
        errors[name] = [{"text": row["text"], "sought": row["sought"]} for row, s, t in zip(rows, after, y, strict=True)
                        if (s > 0) != (t > 0.5)]
    report["errors"] = errors
    lines = ["# The kind a question seeks: prototypes vs the model", "",
             "Right = kind read right; outright = share read with odds of at least e^2 (the kind then filters); "
             "outright right = right share of those. Demand cue nouns (calls, prizes) are left aside. "
             "`python -m benchmarks.sought_kind`.", "",
             "| set | n | right: prototypes → model | outright | outright right |", "|---|---|---|---|---|"]
    for name, result in report["sets"].items():
        b, a = result["prototypes"], result["model"]
        lines.append(f"| {name} | {a['n']} | {b['right']:.3f} → **{a['right']:.3f}** | {b['outright']:.2f} → "
                     f"{a['outright']:.2f} | {b['outright_right']} → {a['outright_right']} |")
    page = write_results(RESULTS, f"sought-kind-{label}", report, "\n".join(lines) + "\n", ensure_ascii=False)
    print(page.read_text(encoding="utf-8"))


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--train", action="store_true", help="fit the model and write prompts/sought_model.json")
    add_label(options, default="e5")
    args = options.parse_args()
    if args.train:
        train()
    else:
        measure(args.label)


if __name__ == "__main__":
    main()
