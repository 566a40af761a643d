"""Record routes: anyone reads a record; staff add and delete them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bots.web.auth import StaffKey
from bots.web.deps import ServicesDep
from bots.web.errors import STAFF_RESPONSES, error_response
from bots.web.fields import ReaderLanguage

__all__ = ["router"]

router = APIRouter(tags=["records"])
_SOURCE = "request"


@router.get("/v1/records/{record_id}", summary="One record")
async def get_record(record_id: str, services: ServicesDep, lang: ReaderLanguage = None) -> dict[str, Any]:
    """Every field of the record; with `lang`, also `translation` (`{"language","title","description",
    "provider"}`, machine-translated, or null when the record is in that language or no translator answered)."""
    record = await run_in_threadpool(services.records.require, record_id)
    if lang is None:
        return record.model_dump()
    translation = await run_in_threadpool(services.assistant.translate_record, record, lang)
    return {**record.model_dump(), "translation": translation.as_dict() if translation else None}


@router.post("/v1/records", summary="Add or update records (staff)", response_model=None,
             responses=STAFF_RESPONSES)
async def post_records(
    _: StaffKey,
    services: ServicesDep,
    records: Annotated[list[Any], Body(min_length=1, max_length=1000,
                                       description="Record objects as in ingest; an item that is not one is rejected "
                                                   "and reported by its index, as any bad record is.")],
    kind: Annotated[Literal["achievement", "demand"] | None, Query(description="Kind for rows without one.")] = None,
    strict: Annotated[bool, Query(description="Write nothing if any record is invalid.")] = False,
) -> dict[str, Any] | JSONResponse:
    """The ingest report; `errors` name each rejected record by its 0-based `index` in the list.

    Bad records are skipped and reported; with `strict`, any bad record makes it a 422 that writes nothing.
    """
    report = await run_in_threadpool(lambda: services.records.add(records, source=_SOURCE, kind=kind, strict=strict))
    errors = [{"index": e["line"], "error": e["error"]} for e in report.errors]
    if not report.written:
        return error_response(422, "invalid_record", f"{len(errors)} of {len(records)} records are invalid; "
                              "nothing was written (strict)", errors=errors)
    return {**report.as_dict(), "errors": errors, "ids": report.ids}


@router.delete("/v1/records/{record_id}", status_code=204, summary="Delete a record (staff)",
               responses=STAFF_RESPONSES)
async def delete_record(record_id: str, _: StaffKey, services: ServicesDep) -> Response:
    """204, or 404 for an unknown id."""
    await run_in_threadpool(services.records.delete, record_id)
    return Response(status_code=204)
