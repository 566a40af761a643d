"""`ttc eval`: retrieval quality per query language and search method."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bots.cli.options import AsJson, TopK
from bots.cli.output import emit

__all__ = ["eval_"]


def eval_(
    queries: Annotated[Path | None, typer.Option("--queries", help="JSONL {qid, lang, query, relevant}.")] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Records to search (JSONL).")] = None,
    methods: Annotated[str, typer.Option("--methods", help="Comma-separated: hybrid, dense, lexical.")] = (
        "hybrid,dense,lexical"),
    embedder: Annotated[str, typer.Option("--embedder", help="Embedder spec for the eval index.")] = "e5",
    k: TopK = 10,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Eval index directory, kept so a rerun embeds nothing (default: a temporary one).")] = None,
    as_json: AsJson = False,
) -> None:
    """Recall@k, MRR@k and nDCG@k per query language for each search method (default: the bundled XQuAD subset)."""
    from retrieval.evaluation import BUNDLED, evaluate, markdown_report

    report = evaluate(corpus or BUNDLED / "xquad_corpus.jsonl", queries or BUNDLED / "xquad_queries.jsonl",
                      [m.strip() for m in methods.split(",") if m.strip()], embedder=embedder, work_dir=data_dir, k=k)
    emit(report, as_json, markdown_report)
