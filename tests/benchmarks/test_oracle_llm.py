"""The stand-in model of `benchmarks.topical_eval --oracle-rewrite`, through the real client the assistant uses."""

from __future__ import annotations

from langchain_core.messages import HumanMessage

from assistant.llm import LLM
from benchmarks.harness.oracle_llm import oracle_model


def test_it_rewrites_a_need_as_its_summary_and_cites_what_it_is_given() -> None:
    question = "Кто делает <солнечные>   опреснители?"
    with oracle_model({question: "solar desalination"}) as url:
        llm = LLM(url, "oracle", None, 5.0)
        assert llm.rewrite(question) == "solar desalination"
        assert llm.rewrite("a question it has no summary for") == ""
        records = '<records>\n<record id="a-1">x</record>\n<record id="b-2">y</record>\n</records>'
        assert llm.complete([HumanMessage(content=records)]) == "[a-1] [b-2]"
