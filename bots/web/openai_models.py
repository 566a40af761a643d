"""The shapes of OpenAI's chat protocol that the OpenAI-compatible routes read and write.

Requests are pydantic models that ignore fields they do not know (temperature, top_p, tools, user, ...), as
OpenAI-compatible servers do; responses are plain dicts in the shapes of `chat.completion`,
`chat.completion.chunk` and `model`.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MODELS", "ChatCompletionRequest", "ChatMessage", "ContentPart", "ModelCard", "StreamOptions",
           "completion", "completion_chunk", "completion_id", "model_object"]

Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class ContentPart(BaseModel):
    """One part of a message's content; only `text` parts carry anything we read."""

    model_config = ConfigDict(extra="ignore")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """One message of the conversation."""

    model_config = ConfigDict(extra="ignore")

    role: Role
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's text: the string, or its text parts joined by newlines."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(part.text or "" for part in self.content if part.type == "text")


class StreamOptions(BaseModel):
    """`stream_options`: with `include_usage`, a last chunk carries the token counts."""

    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """`POST /v1/chat/completions`: the conversation so far, the last message being the user's question."""

    model_config = ConfigDict(extra="ignore")

    model: Annotated[str, Field(max_length=200, description="One of the ids of `GET /v1/models`.")]
    messages: Annotated[list[ChatMessage], Field(max_length=1000, description="The conversation, oldest first; "
                                                 "the last message must be the user's.")]
    stream: bool | None = False
    stream_options: StreamOptions | None = None


@dataclass(frozen=True)
class ModelCard:
    """A model id we serve and the kind of record it answers from (None: every kind)."""

    id: str
    kind: str | None
    description: str


MODELS: dict[str, ModelCard] = {card.id: card for card in (
    ModelCard("ttc-assistant", None, "grounded answers over every record: technologies on offer and needs"),
    ModelCard("ttc-assistant-achievements", "achievement", "answers only from technologies on offer"),
    ModelCard("ttc-assistant-demands", "demand", "answers only from technology needs"),
)}
_CREATED = 1767225600  # 2026-01-01: when these model ids were first served


def model_object(card: ModelCard) -> dict[str, Any]:
    """One entry of `GET /v1/models`."""
    return {"id": card.id, "object": "model", "created": _CREATED, "owned_by": "ttc",
            "description": card.description}


def completion_id() -> str:
    """A fresh `chatcmpl-…` id."""
    return f"chatcmpl-{uuid.uuid4().hex}"


def completion(cid: str, model: str, content: str, annotations: list[dict[str, Any]],
               usage: dict[str, int]) -> dict[str, Any]:
    """A whole `chat.completion`."""
    message = {"role": "assistant", "content": content, "refusal": None, "annotations": annotations}
    return {"id": cid, "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
            "usage": usage}


def completion_chunk(cid: str, model: str, created: int, delta: dict[str, Any] | None,
                     finish_reason: str | None = None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    """One `chat.completion.chunk`; with `delta` None it is the usage chunk (no choices)."""
    chunk: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                             "choices": []}
    if delta is not None:
        chunk["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
    if usage is not None:
        chunk["usage"] = usage
    return chunk
