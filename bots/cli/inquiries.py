"""`ttc inquiries`: the staff triage queue from the shell (list, show, reply)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from assistant.inquiries import STATUSES
from bots.cli.deps import load_settings, open_services
from bots.cli.options import AsJson, DataDir, FieldOpt
from bots.cli.output import emit

__all__ = ["inquiries_app"]

inquiries_app = typer.Typer(help="Staff triage queue: list, show and answer inquiries.", no_args_is_help=True)


def _check_status(value: str | None) -> str | None:
    if value is not None and value not in STATUSES:
        raise typer.BadParameter(f"must be one of {', '.join(STATUSES)}")
    return value


def _inquiry_line(d: dict[str, Any]) -> str:
    c, r = d["classification"], d["routed_to"]
    return (f"{d['id']}  {d['status']:<11} {c['intent']:<18} {c['field']:<20} {c['language']:<3} {c['urgency']:<6} "
            f"-> {r.get('queue', '')}  {d['message'][:60]!r}")


def _inquiry_text(d: dict[str, Any]) -> str:
    r = d["routed_to"]
    lines = [_inquiry_line(d), f"channel: {d['channel']}  contact: {d['contact'] or '-'}  "
             f"assignee: {d['assignee'] or '-'}", f"routed to: {r.get('institution')} ({r.get('country')}) "
             f"queue {r.get('queue')}: {r.get('reason')}", f"message: {d['message']}"]
    lines += [f"  {e['at']}  {e['type']:<14} {e['actor']}" for e in d.get("events", [])]
    return "\n".join(lines)


@inquiries_app.command("list")
def inquiries_list(
    status: Annotated[str | None, typer.Option("--status", callback=_check_status,
                                               help="new, in_progress, answered, closed or spam.")] = None,
    field: FieldOpt = None,
    language: Annotated[str | None, typer.Option("--language", help="Only inquiries in this language.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many.")] = 100,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """The queue, newest first."""
    with open_services(load_settings(data_dir)) as services:
        found = services.inquiries.list(status=status, field=field, language=language, limit=limit)
        emit({"inquiries": [i.as_dict(events=False) for i in found]}, as_json,
             lambda d: "\n".join(_inquiry_line(i) for i in d["inquiries"]) or "no inquiries")


@inquiries_app.command("show")
def inquiries_show(inquiry_id: Annotated[str, typer.Argument(help="Inquiry id.")], data_dir: DataDir = None,
                   as_json: AsJson = False) -> None:
    """One inquiry with its routing and audit trail."""
    with open_services(load_settings(data_dir)) as services:
        emit(services.inquiries.get(inquiry_id).as_dict(), as_json, _inquiry_text)


@inquiries_app.command("reply")
def inquiries_reply(
    inquiry_id: Annotated[str, typer.Argument(help="Inquiry id.")],
    text: Annotated[str, typer.Argument(help="The reply, delivered through the inquiry's channel.")],
    status: Annotated[str | None, typer.Option("--status", callback=_check_status,
                                               help="Also set this status (default: answered).")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Answer an inquiry: the reply is queued in the outbox of its channel and recorded."""
    with open_services(load_settings(data_dir)) as services:
        inquiry = services.inquiries.update(inquiry_id, reply=text, status=status, actor="staff:cli")
        emit(inquiry.as_dict(), as_json, _inquiry_text)
