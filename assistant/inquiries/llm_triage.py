"""Optional second opinion from the configured chat model when the offline classification is unsure."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path
from string import Template
from typing import Protocol

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.inquiries.classifier import Classification
from assistant.inquiries.inquiry import INTENTS
from retrieval.record import FIELDS

__all__ = ["Completer", "LLMTriage"]

log = logging.getLogger(__name__)
_PROMPT = Path(__file__).parent / "triage_prompt.txt"
_OBJECT = re.compile(r"\{[^{}]*\}")


class Completer(Protocol):
    """What the triage needs from a model: `assistant.llm.LLM` fits."""

    def complete(self, messages: list[BaseMessage]) -> str:
        """The model's whole reply."""
        ...


class LLMTriage:
    """Asks the model for intent and field when the offline confidence is below `threshold`.

    Urgency stays with the offline rules, so text inside an inquiry cannot talk its way up the queue.
    """

    def __init__(self, llm: Completer, threshold: float = 0.5) -> None:
        self.llm = llm
        self.threshold = threshold
        self._system = Template(_PROMPT.read_text(encoding="utf-8")).substitute(fields=", ".join(FIELDS))

    def refine(self, text: str, offline: Classification) -> Classification:
        """The model's labels when it gives valid ones for an unsure case; else the offline result unchanged."""
        if offline.confidence >= self.threshold:
            return offline
        fenced = text.replace("<", "‹").replace(">", "›")
        messages: list[BaseMessage] = [SystemMessage(content=self._system),
                                       HumanMessage(content=f"<inquiry>\n{fenced}\n</inquiry>")]
        try:
            reply = self.llm.complete(messages)
        except Exception as exc:  # any model failure means: keep the offline labels
            log.warning("LLM triage unavailable: %s", exc)
            return offline
        labels = self._parse(reply)
        if labels is None:
            log.warning("LLM triage reply not usable: %.200r", reply)
            return offline
        intent, field = labels
        evidence = {**offline.evidence, "offline": {"intent": offline.intent, "field": offline.field,
                                                    "confidence": offline.confidence}}
        return dataclasses.replace(offline, intent=intent, field=field, method="llm", evidence=evidence,
                                   urgency="low" if intent == "spam" else offline.urgency)

    @staticmethod
    def _parse(reply: str) -> tuple[str, str] | None:
        match = _OBJECT.search(reply)
        if match is None:
            return None
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            return None
        intent, field = data.get("intent"), data.get("field", "other")
        if intent not in INTENTS or field not in FIELDS:
            return None
        return str(intent), str(field)
