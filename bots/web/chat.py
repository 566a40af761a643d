"""Chat routes: one answer, or the same answer streamed as server-sent events."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from assistant.services import Services
from bots.web.deps import ServicesDep
from bots.web.fields import NOT_BLANK
from bots.web.ratelimit import rate_limited
from retrieval.catalog import Filters
from retrieval.errors import TTCError
from retrieval.record import FIELDS

__all__ = ["ChatFilters", "ChatRequest", "router"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["chat"], dependencies=[Depends(rate_limited)])


class ChatFilters(BaseModel):
    """Optional narrowing of the records an answer may cite."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["achievement", "demand"] | None = None
    field: Literal[FIELDS] | None = None  # type: ignore[valid-type]
    # ISO 3166-1 alpha-2, or a region: a UN M.49 code (150 Europe, 035 South-eastern Asia) or EU
    country: Annotated[str | None, Field(pattern=r"^([A-Za-z]{2}|[0-9]{3})$")] = None

    def to_filters(self) -> Filters:
        return Filters(kind=self.kind, field=self.field, country=self.country.upper() if self.country else None)


class ChatRequest(BaseModel):
    """A question to the assistant."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: Annotated[str, Field(min_length=1, max_length=4000, pattern=NOT_BLANK,
                                  description="The question, in any language.")]
    session_id: Annotated[str | None, Field(max_length=128, pattern=r"^[\w.:\-]+$",
                                            description="Continue a conversation.")] = None
    language: Annotated[str | None, Field(max_length=16, description="Answer language (ISO 639-1); "
                                          "detected from the message when absent.")] = None
    filters: ChatFilters | None = Field(default=None, description="Only cite records of this kind/field/country.")

    def retrieval_filters(self) -> Filters | None:
        return self.filters.to_filters() if self.filters else None


@router.post("/v1/chat", summary="Ask the assistant")
async def chat(body: ChatRequest, services: ServicesDep) -> dict[str, Any]:
    """`{"answer","language","citations","partners","session_id"}`."""
    answer = await run_in_threadpool(services.assistant.answer, body.message, language=body.language,
                                     session_id=body.session_id, filters=body.retrieval_filters())
    services.insights.record(answer, channel="api")
    return answer.as_dict()


@router.post("/v1/chat/stream", summary="Ask the assistant, streamed", response_class=EventSourceResponse,
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "Events `citations`, `partners`, `delta` (`{\"text\"}`), `done` "
                                             "(the whole answer) or `error` (`{\"code\",\"message\"}`); "
                                             "every `data` is JSON."}})
async def chat_stream(body: ChatRequest, services: ServicesDep) -> EventSourceResponse:
    """Server-sent events; retrieval runs before the response starts, so its errors are plain JSON errors."""
    events = services.assistant.stream(body.message, language=body.language, session_id=body.session_id,
                                       filters=body.retrieval_filters())
    events = _recorded(events, services, body.message)
    first = await run_in_threadpool(next, events, None)
    return EventSourceResponse(_sse(first, events), ping=15)


def _recorded(events: Iterator[tuple[str, Any]], services: Services, question: str) -> Iterator[tuple[str, Any]]:
    """The events unchanged; the finished answer (`done`) is recorded for staff insights."""
    for name, data in events:
        if name == "done":
            services.insights.record(data, channel="web", question=question)
        yield name, data


def _sse(first: tuple[str, Any] | None, events: Iterator[tuple[str, Any]]) -> Iterator[ServerSentEvent]:
    if first is None:
        return
    try:
        yield _event(*first)
        for name, data in events:
            yield _event(name, data)
    except TTCError as exc:
        yield _event("error", {"code": exc.code, "message": str(exc)})
    except Exception:
        # The status line is gone already; tell the client in-band, keep the trace in the log.
        log.exception("chat stream failed")
        yield _event("error", {"code": "internal_error", "message": "internal error"})


def _event(name: str, data: Any) -> ServerSentEvent:
    payload = {"text": data} if name == "delta" else data
    return ServerSentEvent(data=json.dumps(payload, ensure_ascii=False), event=name)
