"""Accuracy of the classifier on a labelled set: per intent (recall and precision), overall, and field."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.inquiries.classifier import Classifier, Example, load_examples
from assistant.inquiries.inquiry import INTENTS
from retrieval.embedder import make_embeddings

__all__ = ["evaluate", "main"]


def evaluate(classifier: Classifier, examples: Sequence[Example],
             field_votes: Callable[[str], list[tuple[str, float]]] | None = None) -> dict[str, Any]:
    """Classify every example (with its labelled language) and compare with its labels; `field_votes` gives the
    retrieved records' field vote for a text, as `InquiryService` does with its index."""
    predicted = [classifier.classify(e.text, e.language or "en", field_votes=field_votes(e.text) if field_votes else ())
                 for e in examples]
    per_intent: dict[str, dict[str, float]] = {}
    for intent in INTENTS:
        gold = [p.intent == intent for e, p in zip(examples, predicted, strict=True) if e.intent == intent]
        chosen = [e.intent == intent for e, p in zip(examples, predicted, strict=True) if p.intent == intent]
        per_intent[intent] = {"n": len(gold), "accuracy": round(sum(gold) / len(gold), 3) if gold else 0.0,
                              "precision": round(sum(chosen) / len(chosen), 3) if chosen else 0.0}
    correct = sum(p.intent == e.intent for e, p in zip(examples, predicted, strict=True))
    fields = sum(p.field == e.field for e, p in zip(examples, predicted, strict=True))
    errors = [{"text": e.text, "expected": e.intent, "got": p.intent}
              for e, p in zip(examples, predicted, strict=True) if p.intent != e.intent]
    return {"n": len(examples), "accuracy": round(correct / len(examples), 3) if examples else 0.0,
            "field_accuracy": round(fields / len(examples), 3) if examples else 0.0,
            "per_intent": per_intent, "errors": errors}


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m assistant.inquiries.evaluation FILE [--embedder NAME]`: print the report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path, help="JSONL of {text, intent, field, language}")
    parser.add_argument("--embedder", default="hash:64", help="e.g. hash:64 (tests), e5 (default), none")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="an indexed data dir: vote on the field with its records, as the service does")
    args = parser.parse_args(argv)
    if args.data_dir is not None:
        from assistant.services import build_services  # the whole service stack only for this mode
        from assistant.settings import Settings

        services = build_services(Settings(data_dir=args.data_dir, embedder=args.embedder))
        try:
            service = services.inquiries
            report = evaluate(service.classifier, load_examples(args.file), service.field_votes)
        finally:
            services.close()
    else:
        embeddings = None if args.embedder == "none" else make_embeddings(args.embedder)
        report = evaluate(Classifier(embeddings), load_examples(args.file))
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
