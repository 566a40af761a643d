"""Staff insights routes: what people ask and what we could not answer, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from bots.web.auth import StaffKey
from bots.web.deps import ServicesDep
from bots.web.errors import STAFF_RESPONSES

__all__ = ["CSV_COLUMNS", "router"]

router = APIRouter(tags=["insights"])

CSV_COLUMNS = ("question", "language", "channel", "asked_at", "answered", "cited", "rating", "comment")
Days = Annotated[int, Query(ge=1, le=366, description="The window: questions of the last N days.")]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[name]) for name in CSV_COLUMNS])
    return out.getvalue()


@router.get("/v1/insights", summary="What people ask and what we could not answer (staff key)",
            responses=STAFF_RESPONSES)
async def insights(_: StaffKey, services: ServicesDep, days: Days = 30) -> dict[str, Any]:
    """`{"questions","answered","unanswered":[{"question","language","count","last_asked"}…],
    "feedback":{"up","down"},"languages","fields","per_day":[…],"down_rated":[…]}`; near-duplicate
    unanswered questions are grouped."""
    return await run_in_threadpool(services.insights.summary, days)


@router.get("/v1/insights/questions.csv", summary="Every question of the window as CSV (staff key)",
            responses={**STAFF_RESPONSES, 200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a header"}})
async def questions_csv(_: StaffKey, services: ServicesDep, days: Days = 30) -> Response:
    """Header `question,language,channel,asked_at,answered,cited,rating,comment`; newest first; `cited` holds
    record ids separated by `;`."""
    rows = await run_in_threadpool(services.insights.questions, days)
    return Response(_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="ttc-questions-{days}d.csv"',
                             "Cache-Control": "no-store"})
