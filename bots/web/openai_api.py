"""The OpenAI chat protocol: `GET /v1/models` and `POST /v1/chat/completions`, streamed or not.

Chat front ends (Open WebUI, LibreChat) and the OpenAI SDKs see the assistant as a model. The conversation is the
message list the client sends (no server-side session); the answer is the same grounded answer as `/v1/chat`, with
its sources as `url_citation` annotations pointing at record pages (`/records/{id}`).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from assistant.chat.history import Exchange, turns_from_exchanges
from bots.web.deps import ServicesDep
from bots.web.openai_citations import url_citations
from bots.web.openai_errors import OpenAIError, OpenAIRoute, require_api_key
from bots.web.openai_models import (
    MODELS,
    ChatCompletionRequest,
    ChatMessage,
    ModelCard,
    completion,
    completion_chunk,
    completion_id,
    model_object,
)
from bots.web.openai_usage import prompt_tokens, usage
from bots.web.ratelimit import rate_limited
from retrieval.catalog import Filters
from retrieval.errors import TTCError

__all__ = ["MAX_BODY_BYTES", "router"]

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Clients resend the whole conversation with every message (JSON-escaped, six bytes a character at worst): a
long chat outgrows the 64 KiB of the rest of the API. Only the last turns are read (`assistant.chat.history.KEEP`)."""

log = logging.getLogger(__name__)
router = APIRouter(tags=["openai"], route_class=OpenAIRoute, dependencies=[Depends(require_api_key)])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/json": {"example": {"error": {
        "message": text, "type": "invalid_request_error", "param": None, "code": None}}}}}
    for status, text in ((400, "Bad request (OpenAI error shape)"), (401, "Missing or wrong API key"),
                         (404, "Unknown model"), (429, "Rate limited (see Retry-After)"))}


@router.get("/v1/models", summary="Models (OpenAI protocol)", responses=_ERRORS)
async def list_models() -> dict[str, Any]:
    """The assistant as OpenAI-style models: every record, or only technologies on offer, or only needs."""
    return {"object": "list", "data": [model_object(card) for card in MODELS.values()]}


@router.get("/v1/models/{model_id}", summary="One model (OpenAI protocol)", responses=_ERRORS)
async def get_model(model_id: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
    """One model, or 404."""
    return model_object(_model(model_id))


@router.post("/v1/chat/completions", summary="Chat completion (OpenAI protocol)", response_model=None,
             dependencies=[Depends(rate_limited)],
             responses={**_ERRORS, 200: {"description": "A `chat.completion`, or with `stream` server-sent "
                                                        "`chat.completion.chunk` events ending with `[DONE]`",
                                         "content": {"text/event-stream": {}}}})
async def chat_completions(body: ChatCompletionRequest, request: Request,
                           services: ServicesDep) -> dict[str, Any] | EventSourceResponse:
    """The grounded answer to the last user message, the earlier messages being the conversation."""
    card = _model(body.model, param="model")
    question, exchanges = _conversation(body.messages)
    history = turns_from_exchanges(exchanges)
    filters = Filters(kind=card.kind) if card.kind else None
    base = services.settings.public_url or str(request.base_url)
    prompt = prompt_tokens(message.text() for message in body.messages)
    cid = completion_id()
    if not body.stream:
        answer = await run_in_threadpool(services.assistant.answer, question, filters=filters, history=history)
        # the completion's id is the answer's, so POST /v1/feedback takes either form
        cid = f"chatcmpl-{answer.answer_id}"
        services.insights.record(answer, channel="openai")
        cited = [citation.as_dict() for citation in answer.citations]
        return completion(cid, card.id, answer.answer, url_citations(answer.answer, cited, base, answer.language),
                          usage(prompt, answer.answer))
    events = services.assistant.stream(question, filters=filters, history=history)
    # retrieval runs before the response starts, so its errors are still plain (OpenAI-shaped) errors
    first = await run_in_threadpool(next, events, None)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    chunks = _Chunks(cid, card.id, base, prompt, include_usage,
                     on_done=lambda done: services.insights.record({**done, "answer_id": cid.removeprefix("chatcmpl-")},
                                                                   channel="openai", question=question))
    return EventSourceResponse(chunks.events(first, events), ping=15, sep="\n")


def _model(model_id: str, param: str | None = None) -> ModelCard:
    card = MODELS.get(model_id)
    if card is None:
        raise OpenAIError(404, f"The model '{model_id}' does not exist; see GET /v1/models", param=param,
                          code="model_not_found")
    return card


def _conversation(messages: list[ChatMessage]) -> tuple[str, list[Exchange]]:
    """The question (the last message, the user's) and the earlier user messages with the replies to them."""
    if not messages:
        raise OpenAIError(400, "messages must hold at least one message", param="messages", code="empty_messages")
    last = messages[-1]
    # earlier messages keep only their text (an image the user sent long ago must not block the chat)
    for part_number, part in enumerate(last.content if isinstance(last.content, list) else []):
        if part.type != "text" or part.text is None:
            raise OpenAIError(400, f"only text content is supported, not {part.type!r}",
                              param=f"messages[{len(messages) - 1}].content[{part_number}]",
                              code="unsupported_content")
    if last.role != "user":
        raise OpenAIError(400, f"the last message must be the user's, not the {last.role}'s",
                          param=f"messages[{len(messages) - 1}].role", code="last_message_not_user")
    question = last.text().strip()
    if not question:
        raise OpenAIError(400, "the last user message is empty", param=f"messages[{len(messages) - 1}].content",
                          code="empty_message")
    exchanges: list[Exchange] = []
    for message in messages[:-1]:
        if message.role == "user":
            exchanges.append(Exchange(message.text()))
        elif message.role == "assistant" and exchanges and not exchanges[-1].answer:
            exchanges[-1] = Exchange(exchanges[-1].question, message.text())
    return question, exchanges


class _Chunks:
    """The server-sent events of one streamed completion."""

    def __init__(self, cid: str, model: str, base: str, prompt: int, include_usage: bool,
                 on_done: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.cid, self.model, self.base = cid, model, base
        self.on_done = on_done
        self.prompt, self.include_usage = prompt, include_usage
        self.created = int(time.time())

    def _event(self, payload: dict[str, Any] | str) -> ServerSentEvent:
        return ServerSentEvent(data=payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False))

    def _chunk(self, delta: dict[str, Any] | None, finish: str | None = None,
               tokens: dict[str, int] | None = None) -> ServerSentEvent:
        return self._event(completion_chunk(self.cid, self.model, self.created, delta, finish, tokens))

    def events(self, first: tuple[str, Any] | None,
               events: Iterator[tuple[str, Any]]) -> Iterator[ServerSentEvent]:
        """Role, content deltas, the annotations, the finish, the usage (if asked), then `[DONE]`.

        Annotations index the text the client assembled from the deltas (after a model failure the assistant's
        final answer differs from it)."""
        if first is None:
            return
        yield self._chunk({"role": "assistant", "content": ""})
        pieces: list[str] = []
        done: dict[str, Any] = {}
        try:
            for name, data in itertools.chain([first], events):
                if name == "delta" and data:
                    pieces.append(data)
                    yield self._chunk({"content": data})
                elif name == "done":
                    done = data
        except Exception as exc:
            if not isinstance(exc, TTCError):
                log.exception("chat completion stream failed")
            message, code = (str(exc), exc.code) if isinstance(exc, TTCError) else ("internal error", "internal_error")
            # the status line is gone: OpenAI's SDKs raise an APIError for a chunk that is an error
            yield self._event({"error": {"message": message, "type": "server_error", "param": None, "code": code}})
            return
        if done and self.on_done is not None:
            self.on_done(done)
        text = "".join(pieces)
        notes = url_citations(text, done.get("citations", []), self.base, done.get("language"))
        if notes:
            yield self._chunk({"annotations": notes})
        yield self._chunk({}, "stop")
        if self.include_usage:
            yield self._chunk(None, tokens=usage(self.prompt, text))
        yield self._event("[DONE]")
