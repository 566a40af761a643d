"""HTTP adapter of the staff triage queue: public intake, staff queue/detail/update, replies, the staff page."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from assistant.inquiries import Inquiry
from assistant.services import Services
from bots.web.auth import StaffKey
from bots.web.deps import ServicesDep
from bots.web.errors import STAFF_RESPONSES
from bots.web.fields import NOT_BLANK_STORED
from bots.web.headers import page_headers
from bots.web.ratelimit import rate_limited
from retrieval.record import FIELDS

__all__ = ["router"]

STATIC = Path(__file__).parent / "static"
router = APIRouter(tags=["inquiries"])

Status = Literal["new", "in_progress", "answered", "closed", "spam"]
Intent = Literal["partner_search", "licensing", "technology_request", "investment", "event", "support", "spam"]
RecordId = Annotated[str, Field(min_length=1, max_length=200)]

_PAGE_HEADERS = page_headers(private=True)


class InquiryIn(BaseModel):
    """A public inquiry (docs/contract.md), optionally tied to a web chat session."""

    model_config = ConfigDict(extra="ignore")

    message: Annotated[str, Field(min_length=1, max_length=10_000, pattern=NOT_BLANK_STORED)]
    contact: Annotated[str | None, Field(max_length=320)] = None
    language: Annotated[str | None, Field(max_length=16)] = None
    record_ids: Annotated[list[RecordId] | None, Field(max_length=20)] = None
    session_id: Annotated[str | None, Field(min_length=1, max_length=128)] = None
    channel: Literal["web", "api"] | None = None


class InquiryPatch(BaseModel):
    """A staff change: any of status, assignee, reply."""

    # "at least one change", in JSON Schema terms for the published spec
    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": [name], "properties": {name: {"type": "string"}}} for name in ("status", "assignee", "reply")]})

    status: Status | None = None
    assignee: Annotated[str | None, Field(max_length=120)] = None
    reply: Annotated[str | None, Field(min_length=1, max_length=4_000, pattern=NOT_BLANK_STORED)] = None


def _actor(key: str) -> str:
    """Which staff key acted, without writing the key itself into the audit trail."""
    return "staff:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def _detail(services: Services, inquiry: Inquiry) -> dict[str, Any]:
    data = inquiry.as_dict()
    related = []
    for record_id in [*inquiry.record_ids, *inquiry.suggested_record_ids]:
        record = services.records.get(record_id)
        if record is not None:
            related.append({"id": record.id, "kind": record.kind, "title": record.title,
                            "organization": record.organization, "country": record.country,
                            "field": record.field, "suggested": record_id not in inquiry.record_ids})
    data["related_records"] = related
    data["deliveries"] = [d.as_dict() for d in services.inquiries.deliveries(inquiry.id)]
    return data


@router.post("/v1/inquiries", status_code=201, dependencies=[Depends(rate_limited)],
             summary="Send an inquiry to the center's staff",
             responses={200: {"description": "A repeat of an inquiry already received: merged into it"}})
async def create_inquiry(body: InquiryIn, services: ServicesDep, response: Response) -> dict[str, Any]:
    """201 with the classified, routed inquiry; 200 when it repeats one already received (merged)."""
    channel = body.channel or ("web" if body.session_id else "api")
    inquiry = await run_in_threadpool(lambda: services.inquiries.create(
        message=body.message, channel=channel, contact=body.contact, language=body.language,
        record_ids=body.record_ids, session_id=body.session_id))
    merged = any(e.type == "merged" for e in inquiry.events)
    if merged:
        response.status_code = 200
    return {**inquiry.public_dict(), "merged": merged}


@router.get("/v1/inquiries", summary="The staff queue (staff key)", responses=STAFF_RESPONSES)
async def list_inquiries(
    _: StaffKey,
    services: ServicesDep,
    status: Status | None = None,
    field: Annotated[str | None, Query(max_length=40, json_schema_extra={"enum": list(FIELDS)})] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    intent: Intent | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Newest first, filtered by status, field, language and intent."""
    found = await run_in_threadpool(lambda: services.inquiries.list(status=status, field=field, language=language,
                                                                     limit=limit, intent=intent))
    return {"inquiries": [i.as_dict(events=False) for i in found], "count": len(found)}


@router.get("/v1/inquiries/{inquiry_id}", summary="One inquiry with audit trail, related records, deliveries",
            responses=STAFF_RESPONSES)
async def get_inquiry(inquiry_id: str, _: StaffKey, services: ServicesDep) -> dict[str, Any]:
    """The staff detail view."""
    return await run_in_threadpool(lambda: _detail(services, services.inquiries.get(inquiry_id)))


@router.patch("/v1/inquiries/{inquiry_id}", summary="Change status or assignee, or reply through the channel",
              responses=STAFF_RESPONSES)
async def update_inquiry(inquiry_id: str, body: InquiryPatch, key: StaffKey, services: ServicesDep) -> dict[str, Any]:
    """A reply is queued for delivery through the inquiry's channel and recorded in the audit trail."""
    def run() -> dict[str, Any]:
        inquiry = services.inquiries.update(inquiry_id, status=body.status, assignee=body.assignee,
                                            reply=body.reply, actor=_actor(key))
        return _detail(services, inquiry)

    return await run_in_threadpool(run)


@router.get("/v1/sessions/{session_id}/replies", summary="Staff replies for a web chat session")
async def session_replies(session_id: Annotated[str, PathParam(max_length=128)],
                          services: ServicesDep) -> dict[str, Any]:
    """Shown by the chat page when the user returns; fetching them marks them delivered."""
    replies = await run_in_threadpool(services.inquiries.replies_for_session, session_id)
    return {"session_id": session_id,
            "replies": [{"inquiry_id": d.inquiry_id, "text": d.text, "language": d.language,
                         "created_at": d.as_dict()["created_at"]} for d in replies]}


@router.get("/staff", include_in_schema=False)
async def staff_page() -> FileResponse:
    """The triage page (it asks for the staff key and sends it as a Bearer token)."""
    return FileResponse(STATIC / "staff.html", media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)


@router.get("/staff/{name}", include_in_schema=False)
async def staff_asset(name: Literal["staff.js", "staff.css"]) -> FileResponse:
    """The page's script and style sheet."""
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(STATIC / name, media_type=f"{media}; charset=utf-8", headers={"Cache-Control": "no-cache"})
