"""What the answer chain knows about one question as it moves through the steps (`ChatState`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.chat.results import Citation, Partner
from assistant.chat.sessions import Turn
from assistant.llm import Verdict
from assistant.understanding.intent import Intent
from retrieval.catalog import Filters
from retrieval.index import Hit

__all__ = ["ChatState"]


@dataclass
class ChatState:
    """What the chain knows about one question as it moves through the steps."""

    message: str
    session_id: str
    requested: str | None = None
    filters: Filters = field(default_factory=Filters)
    history: list[Turn] = field(default_factory=list)
    language: str = "en"
    condensed: str = ""
    topic: str = ""
    country: str | None = None
    intent: Intent = field(default_factory=Intent)
    reply_key: str | None = None
    hits: list[Hit] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    partner_hits: list[Hit] = field(default_factory=list)
    next_step: dict[str, Any] | None = None
    institutions: list[dict[str, Any]] = field(default_factory=list)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    """The model's judgement of the best candidates by id, in its order (`assistant.chat.judgement`); empty offline."""
    country_relaxed: bool = False
    """The country the question named fit no record clearly, so the answer cites records from elsewhere."""
