"""The optional language model: any OpenAI-compatible chat endpoint through langchain-openai.

The model sees only retrieved records, fenced as data; its citations are checked afterwards
(`validate_citations`), and any failure is reported as an `LLMError` so the caller can fall back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from string import Template

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.locale.languages import LANGUAGES
from retrieval.index import Hit

__all__ = ["LLM", "LLMError", "Verdict", "fence_records", "parse_verdicts", "prompt", "validate_citations"]

_BRACKET = re.compile(r"\s?\[([^\[\]\n]{1,600})\]")
_ID = re.compile(r"^[\w.:\-]{1,200}$")
_DESCRIPTION_CHARS = 1200
REWRITE_CHARS = 200
"""The longest search query taken from the model's rewrite of a question."""
REASON_CHARS = 300
"""The longest reason taken from the model's judgement of a record."""
JUDGED_DESCRIPTION_CHARS = 600
"""How much of each record's text the model judges by (ten records in one request)."""
_SOUGHT = {"achievement": "technologies or research results that organizations offer (achievements)",
           "demand": "needs that organizations have posted (demands)",
           "partner": "organizations to work with (partners)"}


@dataclass(frozen=True)
class Verdict:
    """The model's judgement of one record: `fit` 2 answers the request, 1 is related, 0 is not about it; `reason`
    says why, in the answer's language ("" for 0)."""

    id: str
    fit: int
    reason: str


class LLMError(Exception):
    """The model could not answer; `reason` is short and safe to show (timeout, connection, http_503…)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=8)
def prompt(name: str) -> Template:
    """A prompt template of the prompts package (prompts/<name>.txt)."""
    return Template(files("prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8"))


def _data(text: str) -> str:
    """Record text as inert data: angle brackets cannot close the fence."""
    return text.replace("<", "‹").replace(">", "›")


def fence_records(hits: Sequence[Hit], description_chars: int = _DESCRIPTION_CHARS) -> str:
    """The records as <record> blocks with their fields as attributes."""
    blocks = []
    for hit in hits:
        r = hit.record
        attributes = {"id": r.id, "kind": r.kind, "organization": r.organization, "country": r.country,
                      "field": r.field, "trl": str(r.trl) if r.trl else None, "language": r.language}
        head = " ".join(f'{k}="{_data(v).replace(chr(34), chr(39))}"' for k, v in attributes.items() if v)
        blocks.append(f"<record {head}>\nTitle: {_data(r.title)}\nText: {_data(r.description[:description_chars])}"
                      "\n</record>")
    return "\n".join(blocks)


def validate_citations(text: str, allowed: Sequence[str]) -> tuple[str, list[str]]:
    """Keep only bracketed ids that were retrieved; drop invented ones from the text.

    Returns the cleaned text and the cited ids in order of first use.
    """
    known = set(allowed)
    cited: list[str] = []

    def keep(match: re.Match[str]) -> str:
        parts = [p.strip() for p in re.split(r"[,;]", match.group(1))]
        if not all(_ID.match(p) for p in parts if p):
            return match.group(0)
        good = [p for p in parts if p in known]
        cited.extend(p for p in good if p not in cited)
        lead = match.group(0)[0] if match.group(0)[0].isspace() else ""
        return f"{lead}[{', '.join(good)}]" if good else ""

    return _BRACKET.sub(keep, text).strip(), cited


def _fit(value: object) -> int | None:
    """0, 1 or 2 from a model's JSON (an int, or a digit in a string); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value in (0, 1, 2) else None


def parse_verdicts(reply: str, allowed: Sequence[str]) -> list[Verdict]:
    """The verdicts of a judgement reply (prompts/judge.txt), in the model's order: only ids it was given, the
    first verdict of each, a fit of 0, 1 or 2; [] when the reply is not the JSON asked for."""
    match = re.search(r"\{.*\}", reply, re.DOTALL)
    try:
        entries = json.loads(match.group(0)).get("records") if match else None
    except (ValueError, AttributeError):
        return []
    if not isinstance(entries, list):
        return []
    known, verdicts = set(allowed), {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("id") not in known or entry["id"] in verdicts:
            continue
        fit = _fit(entry.get("fit"))
        reason = entry.get("reason")
        if fit is None:
            continue
        text = " ".join(reason.split())[:REASON_CHARS] if isinstance(reason, str) and fit else ""
        verdicts[entry["id"]] = Verdict(entry["id"], fit, text)
    return list(verdicts.values())


def _reason(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.APIStatusError):
        return f"http_{exc.status_code}"
    return type(exc).__name__


class LLM:
    """Answer and condensation calls to the configured chat model."""

    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float, max_sentences: int = 8) -> None:
        from langchain_openai import ChatOpenAI

        self.model_name = model
        self.max_sentences = max_sentences
        self._chat = ChatOpenAI(base_url=base_url, model=model, api_key=api_key or "not-needed",  # type: ignore[arg-type]
                                timeout=timeout, max_retries=0, temperature=0)

    def answer_messages(self, question: str, language: str, hits: Sequence[Hit]) -> list[BaseMessage]:
        """System rules plus the fenced records and the question."""
        system = prompt("answer_system").substitute(
            language=language, language_name=LANGUAGES.get(language, "English"),
            example_id=hits[0].record.id if hits else "record-id", max_sentences=str(self.max_sentences))
        user = prompt("answer_user").substitute(records=fence_records(hits), question=_data(question))
        return [SystemMessage(content=system), HumanMessage(content=user)]

    def stream(self, messages: list[BaseMessage]) -> Iterator[str]:
        """Text chunks of the model's reply; raises LLMError on any failure or an empty reply."""
        produced = False
        try:
            for chunk in self._chat.stream(messages):
                text = chunk.text if isinstance(chunk.text, str) else str(chunk.content)
                if text:
                    produced = True
                    yield text
        except Exception as exc:  # every transport, HTTP and parsing failure means "fall back"
            raise LLMError(_reason(exc)) from exc
        if not produced:
            raise LLMError("empty")

    def complete(self, messages: list[BaseMessage]) -> str:
        """The whole reply at once."""
        return "".join(self.stream(messages))

    def rewrite(self, question: str) -> str:
        """The need as a short English search query (prompts/rewrite.txt); "" when the model finds no topic or its
        reply is not the JSON asked for. Raises LLMError when the model cannot be reached."""
        reply = self.complete([HumanMessage(content=prompt("rewrite").substitute(question=_data(question)))])
        match = re.search(r"\{.*\}", reply, re.DOTALL)
        try:
            query = json.loads(match.group(0)).get("query") if match else None
        except (ValueError, AttributeError):
            return ""
        if not isinstance(query, str):
            return ""
        return " ".join(query.split())[:REWRITE_CHARS]

    def judge(self, question: str, language: str, hits: Sequence[Hit], sought: str | None = None) -> list[Verdict]:
        """The model's verdict on each record (prompts/judge.txt), best first; [] when its reply is not the JSON
        asked for. Raises LLMError when the model cannot be reached."""
        text = prompt("judge").substitute(
            question=_data(question), sought=_SOUGHT.get(sought or "", "anything the records hold"),
            records=fence_records(hits, JUDGED_DESCRIPTION_CHARS), language_name=LANGUAGES.get(language, "English"))
        return parse_verdicts(self.complete([HumanMessage(content=text)]), [h.record.id for h in hits])

    def condense(self, question: str, earlier: Sequence[str]) -> str:
        """A standalone version of a follow-up question."""
        text = prompt("condense").substitute(history="\n".join(f"- {_data(q)}" for q in earlier),
                                             question=_data(question))
        return " ".join(self.complete([HumanMessage(content=text)]).split())
