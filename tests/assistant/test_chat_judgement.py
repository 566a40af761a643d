"""The model's judgement of the candidates (`assistant.chat.judgement`, `LLM.judge`) against a fake
OpenAI-compatible model on 127.0.0.1 (real HTTP, the prompt's JSON contract, no patching)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from assistant.chat.assistant import Assistant
from assistant.chat.sessions import SessionStore
from assistant.llm import LLM, Verdict, parse_verdicts
from assistant.services import Services
from assistant.understanding.reader import NeedReader
from tests.support.fake_llm import FakeModel

SOLAR = "Who offers solar photovoltaic module technology?"
SOLAR_TRAIN = "cordis-h2020-721452"
Judge = Callable[[str, str], tuple[int, str]]


def _assistant(services: Services, url: str, *, rerank: bool = True, timeout: float = 5.0) -> Assistant:
    return Assistant(services.index, SessionStore(services.settings.data_dir / "judge-sessions.sqlite").open(),
                     LLM(url, "fake-model", "sk-test", timeout), strong_margin=None, reader=NeedReader(None),
                     rewrite=False, rerank=rerank)


def _is_judgement(request: dict[str, Any]) -> bool:
    content = request["messages"][-1]["content"]
    return "<request>" in content and "<records>" in content


def _records(request: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, title) of the records in a prompt."""
    return re.findall(r'<record id="([^"]+)"[^>]*>\nTitle: ([^\n]*)', request["messages"][-1]["content"])


def _model(judge: Judge) -> Callable[[dict[str, Any]], str]:
    """A model that judges each record with `judge(id, title)` and answers by citing the records it is given."""
    def reply(request: dict[str, Any]) -> str:
        if _is_judgement(request):
            verdicts = [{"id": rid, "fit": fit, "reason": reason}
                        for rid, title in _records(request) for fit, reason in [judge(rid, title)]]
            return "```json\n" + json.dumps({"records": sorted(verdicts, key=lambda v: -v["fit"])}) + "\n```"
        return " ".join(f"[{rid}]" for rid, _ in _records(request)) or "Nothing fits."
    return reply


def test_verdicts_are_read_from_the_json_asked_for_and_nothing_else() -> None:
    allowed = ["a", "b", "c"]
    reply = ('Here: {"records": [{"id": "b", "fit": 2, "reason": "  same   topic "}, {"id": "ghost", "fit": 2},'
             ' {"id": "a", "fit": "1", "reason": "related"}, {"id": "b", "fit": 0}, {"id": "c", "fit": 0,'
             ' "reason": "not about it"}]} thanks')
    assert parse_verdicts(reply, allowed) == [Verdict("b", 2, "same topic"), Verdict("a", 1, "related"),
                                              Verdict("c", 0, "")]
    for broken in ["no json", '{"records": "b"}', '{"query": "solar"}', '{"records": [{"id": "a", "fit": 3}]}',
                   '{"records": [{"id": "a", "fit": true}]}', '{"records": [{"id": "a"}]}', "{not json}"]:
        assert parse_verdicts(broken, allowed) == [], broken
    long = json.dumps({"records": [{"id": "a", "fit": 2, "reason": "x" * 1000}]})
    assert parse_verdicts(long, allowed) == [Verdict("a", 2, "x" * 300)]


def test_the_models_verdict_decides_what_is_shown_and_says_why(
        loaded_services: Services, fake_model: tuple[FakeModel, str]) -> None:
    model, url = fake_model
    model.reply = _model(lambda rid, title: (2, "Оценивает срок службы фотоэлектрических модулей.")
                         if rid == SOLAR_TRAIN else (0, ""))
    offline = _assistant(loaded_services, url, rerank=False).answer(SOLAR, language="ru")
    assert not any(_is_judgement(r) for r in model.requests) and "rerank" not in offline.metadata

    answer = _assistant(loaded_services, url).answer(SOLAR, language="ru")

    (judgement,) = [r for r in model.requests if _is_judgement(r)]
    judged = [rid for rid, _ in _records(judgement)]
    assert SOLAR_TRAIN in judged and len(judged) == min(10, len(offline.metadata["retrieved"]))
    assert "one short sentence in Русский" in judgement["messages"][-1]["content"]
    assert [c.id for c in answer.citations] == [SOLAR_TRAIN]
    assert answer.citations[0].why == "Оценивает срок службы фотоэлектрических модулей."
    assert answer.metadata["rerank"] == {"judged": len(judged), "answers": 1, "related": 0}
    assert answer.metadata["match"] == "strong" and answer.next_step is None
    assert _records(model.requests[-1]) == [(SOLAR_TRAIN, _records(judgement)[judged.index(SOLAR_TRAIN)][1])], \
        "the model answers from the records it judged fit, and only those"
    unfit = set(judged) - {SOLAR_TRAIN}
    assert not any(unfit & set(p.evidence) for p in answer.partners), \
        "a record judged not about the request is no partner's evidence"


def test_nothing_the_model_judges_fit_is_a_weak_match_with_the_next_step(
        loaded_services: Services, fake_model: tuple[FakeModel, str]) -> None:
    model, url = fake_model
    model.reply = _model(lambda rid, title: (0, ""))
    answer = _assistant(loaded_services, url).answer(SOLAR, language="en")

    assert answer.metadata["rerank"]["answers"] == 0 and answer.metadata["rerank"]["related"] == 0
    assert answer.metadata["match"] == "weak" and answer.next_step is not None
    assert answer.next_step["action"] == "post_demand" and answer.partners == []
    assert 1 <= len(answer.citations) <= 3


def test_related_records_only_are_shown_as_the_closest(
        loaded_services: Services, fake_model: tuple[FakeModel, str]) -> None:
    model, url = fake_model
    model.reply = _model(lambda rid, title: (1, "Same field: energy.") if "solar" in title.casefold()
                         else (0, ""))
    answer = _assistant(loaded_services, url).answer(SOLAR, language="en")

    assert answer.metadata["match"] == "weak" and answer.next_step is not None
    assert answer.citations and len(answer.citations) <= 3
    assert all(c.why == "Same field: energy." for c in answer.citations), [(c.title, c.why) for c in answer.citations]


def test_an_unusable_or_failing_judgement_leaves_the_offline_answer(
        loaded_services: Services, fake_model: tuple[FakeModel, str]) -> None:
    model, url = fake_model
    model.reply = lambda r: "I think the first one is best." if _is_judgement(r) else "No answer in the records."
    offline = _assistant(loaded_services, url, rerank=False).answer(SOLAR, language="en")
    answer = _assistant(loaded_services, url).answer(SOLAR, language="en")

    assert answer.metadata["rerank_error"] == "unusable" and "rerank" not in answer.metadata
    assert answer.metadata["retrieved"] == offline.metadata["retrieved"]
    assert answer.metadata["match"] == offline.metadata["match"]

    model.delay = 2.0
    slow = _assistant(loaded_services, url, timeout=0.5).answer(SOLAR, language="en")
    assert slow.metadata["rerank_error"] == "timeout"
    assert slow.metadata["llm"] == "fallback" and slow.citations, "too slow to judge is too slow to answer"
    assert sum(_is_judgement(r) for r in model.requests) == 2
