"""Search and matching routes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from bots.web.deps import ServicesDep
from bots.web.fields import NOT_BLANK, ReaderLanguage
from retrieval.catalog import Filters
from retrieval.errors import InvalidInput
from retrieval.record import FIELDS

__all__ = ["MatchRequest", "router"]

router = APIRouter(tags=["search"])

Kind = Literal["achievement", "demand"]


@router.get("/v1/search", summary="Hybrid search over the records")
async def search(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="Query, in any language.")],
    kind: Kind | None = None,
    field: Annotated[str | None, Query(max_length=40, description=f"One of {', '.join(FIELDS)}.",
                                       json_schema_extra={"enum": list(FIELDS)})] = None,
    country: Annotated[str | None, Query(pattern=r"^([A-Za-z]{2}|[0-9]{3})$", description=(
        "ISO 3166-1 alpha-2, or a region: a UN M.49 code (150 Europe) or EU."))] = None,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    lang: ReaderLanguage = None,
) -> dict[str, Any]:
    """`{"query","results":[{"id","kind","title","organization","country","field","score","snippet"}]}`; with
    `lang`, each result also has `translation` (`{"language","title","snippet","provider"}` or null)."""
    if field is not None and field not in FIELDS:
        raise InvalidInput(f"field must be one of {', '.join(FIELDS)}")
    filters = Filters(kind=kind, field=field, country=country.upper() if country else None)
    hits = await run_in_threadpool(services.records.search, q, k, filters)
    if lang is None:
        return {"query": q, "results": [hit.as_dict() for hit in hits]}
    translations = await run_in_threadpool(services.assistant.translate_hits, [(h.record, h.snippet) for h in hits],
                                           lang)
    return {"query": q, "results": [{**hit.as_dict(), "translation": translation}
                                    for hit, translation in zip(hits, translations, strict=True)]}


class MatchRequest(BaseModel):
    """Counterparts for a record (by id) or for a free-text need or offer."""

    # "exactly one of record_id and text", in JSON Schema terms for the published spec
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"oneOf": [
        {"required": ["record_id"], "properties": {"record_id": {"type": "string"}}},
        {"required": ["text"], "properties": {"text": {"type": "string"}}},
    ]})

    record_id: Annotated[str | None, Field(min_length=1, max_length=200, pattern=NOT_BLANK)] = None
    text: Annotated[str | None, Field(min_length=1, max_length=4000, pattern=NOT_BLANK)] = None
    kind: Annotated[Kind, Field(description="The kind of the given text; ignored with record_id.")] = "demand"
    k: Annotated[int, Field(ge=1, le=50)] = 10
    language: Annotated[str | None, Field(max_length=16, description="Language of the reasons (ISO 639-1); "
                                          "default: the text's, else English.")] = None

    @model_validator(mode="after")
    def _one_source(self) -> MatchRequest:
        if (self.record_id is None) == (self.text is None):
            raise ValueError("give exactly one of record_id and text")
        return self


@router.post("/v1/match", summary="Demands for an achievement, achievements for a demand")
async def match(body: MatchRequest, services: ServicesDep) -> dict[str, Any]:
    """`{"matches":[{"id","kind","title","organization","score","reasons"}]}`."""
    matches = await run_in_threadpool(lambda: services.assistant.match(record_id=body.record_id, text=body.text,
                                                                       kind=body.kind, k=body.k,
                                                                       language=body.language))
    return {"matches": [m.as_dict() for m in matches]}
