"""`ttc ask` and `ttc match`: grounded answers and counterpart records from the shell."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bots.cli.deps import load_settings, open_services
from bots.cli.errors import fail
from bots.cli.options import AsJson, DataDir, TopK, check_kind, exactly_one
from bots.cli.output import emit

__all__ = ["ask", "match"]


def ask(
    question: Annotated[str, typer.Argument(help="A question in any of the 17 languages.")],
    lang: Annotated[str | None, typer.Option("--lang", help="Answer language (default: the question's).")] = None,
    session: Annotated[str | None, typer.Option("--session", help="Session id; follow-ups remember it.")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """A grounded answer citing record ids, with partner suggestions."""
    if not question.strip():
        fail("the question is empty")
    with open_services(load_settings(data_dir), current=True) as services:
        answer = services.assistant.answer(question, language=lang, session_id=session)
        services.insights.record(answer, channel="cli")
        emit(answer.as_dict(), as_json, _ask_text)


def _ask_text(data: dict[str, Any]) -> str:
    lines = [data["answer"]]
    if data["metadata"].get("llm") == "used" and data["citations"]:
        # a model's text need not list the records or say why each fits; the offline answer's list does both
        lines += ["", "Sources:"]
        for number, citation in enumerate(data["citations"], 1):
            lines.append(f"[{number}] {citation['title']} ({citation['id']})")
            if citation.get("why"):
                lines.append(f"    ✓ {citation['why']}")
    return "\n".join(lines) + f"\n\n(session {data['session_id']})"


def match(
    record_id: Annotated[str | None, typer.Option("--id", help="Match this record.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Match this description.")] = None,
    kind: Annotated[str, typer.Option("--kind", callback=check_kind,
                                      help="Kind of the given text: demand or achievement.")] = "demand",
    k: TopK = 10,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of reasons (default: the text's).")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Counterpart records: demands for an achievement, achievements for a demand."""
    exactly_one("give --id ID or --text TEXT (not both)", record_id, text)
    with open_services(load_settings(data_dir), current=True) as services:
        matches = services.assistant.match(record_id=record_id, text=text, kind=kind, k=k, language=lang)
        emit({"matches": [m.as_dict() for m in matches]}, as_json, _match_text)


def _match_text(data: dict[str, Any]) -> str:
    if not data["matches"]:
        return "no matches"
    lines = []
    for rank, m in enumerate(data["matches"], 1):
        lines.append(f"{rank:2}. [{m['kind']}] {m['title']}  ({m['id']})  {m['score']:.3f}")
        if m["organization"]:
            lines.append(f"    {m['organization']}")
        lines.append("    " + "; ".join(m["reasons"]))
    return "\n".join(lines)
