"""The optional LLM second opinion: used only when the offline labels are unsure, never trusted blindly."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import BaseMessage

from assistant.inquiries import InquiryService
from assistant.inquiries.classifier import Classifier
from assistant.inquiries.llm_triage import LLMTriage
from assistant.llm import LLMError
from assistant.services import Services, build_services
from tests.support.settings import make_settings

UNSURE = "Hello, I have a question about your centre."


class FakeModel:
    """Answers from a script and remembers what it was asked."""

    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.calls: list[list[BaseMessage]] = []

    def complete(self, messages: list[BaseMessage]) -> str:
        self.calls.append(messages)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


def test_unsure_inquiry_takes_the_model_labels_and_records_both(services: Services) -> None:
    model = FakeModel('Sure! {"intent": "event", "field": "other"}')
    service = InquiryService(services.inquiries.engine, triage=LLMTriage(model))
    inquiry = service.create(message=UNSURE, channel="api")
    assert inquiry.intent == "event"
    detail = inquiry.events[1].detail
    assert detail["method"] == "llm" and "intent" in detail["evidence"]["offline"]
    assert "<inquiry>" in str(model.calls[0][1].content)


def test_confident_offline_result_does_not_call_the_model() -> None:
    model = FakeModel('{"intent": "spam", "field": "other"}')
    result = Classifier(None).classify("We want to license your patent; send the licence and royalty terms.", "en")
    assert LLMTriage(model).refine("...", result) == result and model.calls == []


def test_model_failure_or_invalid_labels_keep_the_offline_result() -> None:
    unsure = Classifier(None).classify(UNSURE, "en")
    for reply in (LLMError("timeout"), "no json here", '{"intent": "buy_now", "field": "other"}',
                  '{"intent": "event", "field": "quantum"}'):
        assert LLMTriage(FakeModel(reply)).refine(UNSURE, unsure) == unsure


def test_inquiry_text_cannot_raise_its_own_urgency() -> None:
    unsure = Classifier(None).classify(UNSURE, "en")
    refined = LLMTriage(FakeModel('{"intent": "investment", "field": "ai", "urgency": "high"}')).refine(UNSURE, unsure)
    assert refined.intent == "investment" and refined.urgency == unsure.urgency


def test_settings_without_an_llm_build_no_triage(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path / "d"))
    try:
        assert services.llm is None and services.inquiries.triage is None
    finally:
        services.close()


def test_settings_with_an_llm_give_the_triage_and_the_assistant_one_shared_model(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "d", llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    services = build_services(settings)
    try:
        assert services.llm is not None and services.inquiries.triage is not None
        assert services.inquiries.triage.llm is services.llm and services.assistant.llm is services.llm
    finally:
        services.close()
