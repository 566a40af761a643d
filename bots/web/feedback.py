"""Feedback route: a thumbs up or down (and an optional comment) on one answer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from assistant.insights.service import MAX_COMMENT
from bots.web.deps import ServicesDep
from bots.web.ratelimit import rate_limited

__all__ = ["FeedbackIn", "router"]

router = APIRouter(tags=["feedback"])


class FeedbackIn(BaseModel):
    """A rating of one answer; the latest rating of an answer replaces the earlier one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer_id: Annotated[str, Field(min_length=1, max_length=64,
                                    description="`answer_id` of a `/v1/chat` answer (or of the stream's `done`).")]
    rating: Literal["up", "down"]
    comment: Annotated[str | None, Field(max_length=MAX_COMMENT, description="What was good or missing.")] = None


@router.post("/v1/feedback", status_code=201, dependencies=[Depends(rate_limited)], summary="Rate an answer",
             responses={404: {"description": "No answer with this id"}})
async def feedback(body: FeedbackIn, services: ServicesDep) -> dict[str, Any]:
    """201 `{"answer_id","rating","comment"}`; 404 for an unknown answer id."""
    # the OpenAI-compatible route's completion id is `chatcmpl-` + the answer id
    answer_id = body.answer_id.removeprefix("chatcmpl-")
    return await run_in_threadpool(services.insights.rate, answer_id, body.rating, body.comment)
