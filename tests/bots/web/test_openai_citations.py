"""url_citation spans and the token estimate of the OpenAI-compatible API, as specified in README."""

from __future__ import annotations

from bots.web.openai_citations import url_citations
from bots.web.openai_usage import estimate_tokens, prompt_tokens, usage

ANSWER = ("Here is what I found:\n\n1. Solar tiles [rec-1]\n   Brazil · technology offer\n"
          "2. Wind blades [rec-2]\n\nPossible partners:\n• Acme (Brazil) — offers it [rec-1, rec-3]\n"
          "A model's sentence citing the third source [3].")


def spans(citations: list[dict[str, str]]) -> list[str]:
    notes = url_citations(ANSWER, citations, "http://h", "pt")
    return [ANSWER[n["url_citation"]["start_index"]:n["url_citation"]["end_index"]] for n in notes]


def test_a_span_runs_from_the_line_after_its_list_marker_to_the_first_reference() -> None:
    assert spans([{"id": "rec-1", "title": "Solar tiles"}, {"id": "rec-2", "title": "Wind blades"}]) == [
        "Solar tiles [rec-1]", "Wind blades [rec-2]"]


def test_a_record_named_only_in_a_list_of_ids_or_by_number_is_found_there() -> None:
    found = spans([{"id": "rec-9", "title": "x"}, {"id": "rec-8", "title": "y"}, {"id": "rec-3", "title": "z"}])

    assert found[1] == ANSWER  # neither named nor numbered: the whole answer
    assert found[2] == "Acme (Brazil) — offers it [rec-1, rec-3]"
    assert spans([{"id": "a", "title": "a"}, {"id": "b", "title": "b"}, {"id": "c", "title": "c"}])[2] == (
        "A model's sentence citing the third source [3]")


def test_the_url_is_the_record_page_in_the_answers_language() -> None:
    (note,) = url_citations(ANSWER, [{"id": "rec-1", "title": "Solar tiles"}], "http://h:8000/", "pt")

    assert note == {"type": "url_citation", "url_citation": {
        "url": "http://h:8000/records/rec-1?lang=pt", "title": "Solar tiles",
        "start_index": ANSWER.index("Solar tiles"), "end_index": ANSWER.index("[rec-1]") + len("[rec-1]")}}


def test_tokens_are_estimated_by_script() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1 and estimate_tokens("abcde") == 2
    assert estimate_tokens("太阳能电池") == 5
    assert estimate_tokens("Привет мир!") == 3
    assert prompt_tokens(["abcd", "太阳"]) == (1 + 4) + (2 + 4) + 3
    assert usage(10, "abcdefgh") == {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
