"""What the assistant returns: answers with citations and partners, and matches; plain dataclasses."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from dataclasses import field as default
from typing import Any

from retrieval.index import Hit

__all__ = ["Answer", "Citation", "Match", "Partner"]


@dataclass
class Citation:
    """A retrieved record the answer relies on; its content stays in the record's own language."""

    id: str
    title: str
    kind: str
    organization: str | None
    country: str | None
    field: str | None
    snippet: str
    language: str | None
    translation: dict[str, str] | None = None
    """`{"language","title","snippet","provider"}`: a machine translation for the reader, or None."""
    # what the person sees (assistant.chat.presentation): why the record fits, and ids of records with the same title
    why: str = ""
    also: list[str] = default(default_factory=list)  # `field` is a Citation attribute here

    @classmethod
    def from_hit(cls, hit: Hit) -> Citation:
        """The citation of one search hit."""
        r = hit.record
        return cls(id=r.id, title=r.title, kind=r.kind, organization=r.organization, country=r.country,
                   field=r.field, snippet=hit.snippet, language=r.language)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass
class Partner:
    """An organization named by retrieved records, with the ids of those records as evidence."""

    organization: str
    country: str | None
    score: float
    evidence: list[str]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass
class Answer:
    """A grounded answer in the user's language."""

    answer: str
    language: str
    citations: list[Citation]
    partners: list[Partner]
    session_id: str
    metadata: dict[str, Any] = field(default_factory=dict)
    answer_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Names this answer for feedback (`POST /v1/feedback`) and staff insights."""
    question: str = ""
    """The message answered (kept out of `as_dict`: the client sent it)."""
    next_step: dict[str, Any] | None = None
    institutions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The shape of docs/contract.md: answer, language, citations, partners, session_id, metadata, answer_id;
        and, when
        the records do not fit clearly, `next_step` (post the need as a demand), and for "who can help" questions
        the transfer `institutions` of the routing directory."""
        return {"answer": self.answer, "language": self.language,
                "citations": [c.as_dict() for c in self.citations],
                "partners": [p.as_dict() for p in self.partners],
                "session_id": self.session_id, "metadata": dict(self.metadata), "answer_id": self.answer_id,
                "next_step": self.next_step, "institutions": list(self.institutions)}


@dataclass
class Match:
    """A counterpart record (a demand for an achievement, or the reverse) and why it matches."""

    id: str
    kind: str
    title: str
    organization: str | None
    score: float
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)
