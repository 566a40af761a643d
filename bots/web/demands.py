"""Public demand posting: anyone may publish one technology need (rate-limited), as Telegram's /demand does; the
response carries the published record and the achievements that match it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from assistant.services import Services
from bots.web.deps import ServicesDep
from bots.web.fields import NOT_BLANK
from bots.web.ratelimit import rate_limited
from retrieval.record import FIELDS

__all__ = ["DemandRequest", "router"]

router = APIRouter(tags=["records"])
MATCHES = 5
# what `assistant.records.valid_contact` accepts, as a schema pattern (a phone number: six digits or more)
CONTACT = r"^(?:[^@\s]+@[^@\s]+\.[^@\s]{2,}|\+?(?:[\s().\-]*\d){6}[\d\s().\-]*)$"
Cooperation = Literal["licensing", "joint_development", "investment", "sale", "consulting"]  # as the /demand dialogue


class DemandRequest(BaseModel):
    """A technology need, as the `next_step.draft` of an answer prefills it, plus a contact."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    title: Annotated[str, Field(min_length=5, max_length=200, pattern=NOT_BLANK)]
    description: Annotated[str, Field(min_length=20, max_length=5000, pattern=NOT_BLANK)]
    contact: Annotated[str, Field(max_length=200, pattern=CONTACT, description="An e-mail address or a phone number.")]
    field: Literal[FIELDS] | None = None  # type: ignore[valid-type]
    country: Annotated[str | None, Field(pattern=r"^[A-Za-z]{2}$")] = None
    language: Annotated[str | None, Field(pattern=r"^[A-Za-z]{2}$")] = None
    organization: Annotated[str | None, Field(max_length=300)] = None
    cooperation: list[Cooperation] = Field(default_factory=list, max_length=6)

    @field_validator("field", "country", "language", "organization", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


def _publish(services: Services, body: DemandRequest) -> dict[str, Any]:
    data = body.model_dump(exclude_none=True, exclude={"language"})
    if body.language:
        data["language"] = body.language
    if body.country:
        data["country"] = body.country.upper()
    record = services.records.publish_demand(data, source="web")
    matches = services.assistant.match(record_id=record.id, kind="demand", k=MATCHES, language=body.language)
    return {"id": record.id, "record": record.model_dump(), "matches": [m.as_dict() for m in matches]}


@router.post("/v1/demands", status_code=201, summary="Post a technology need (public, rate-limited)",
             dependencies=[Depends(rate_limited)])
async def post_demand(body: DemandRequest, services: ServicesDep) -> dict[str, Any]:
    """Publish one demand record; searchable at once. `{"id","record","matches"}`, matches being achievements."""
    return await run_in_threadpool(_publish, services, body)
