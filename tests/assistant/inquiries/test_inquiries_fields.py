"""Triage shares the answers' field understanding: the field of an inquiry combines its own rules and examples with
the weighted vote of the records retrieved for it (`assistant.understanding.fields`)."""

from __future__ import annotations

import pytest

from assistant.inquiries.classifier import Classifier
from assistant.understanding.fields import fields_from_hits
from retrieval.index import Hit
from retrieval.record import Record


def _hit(n: int, field: str | None, score: float) -> Hit:
    return Hit(Record(id=f"r{n}", kind="achievement", title="t", description="d", field=field), score, "")


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(None)  # rules only: the vote is what these tests vary


def test_the_vote_weighs_each_record_by_its_score_and_rank_and_sums_to_one() -> None:
    hits = [_hit(0, "agriculture", 5.5), _hit(1, "environment", 5.5), _hit(2, None, 9.0), _hit(3, "agriculture", 1.0)]

    votes = fields_from_hits(hits, floor=1.5)

    assert [f for f, _ in votes] == ["agriculture", "environment"]  # the same score counts more at a better rank
    assert votes[0][1] == pytest.approx(4.0 / (4.0 + 2.0)) and sum(w for _, w in votes) == pytest.approx(1.0)
    assert fields_from_hits([_hit(0, "ai", 1.0)], floor=1.5) == []


def test_records_settle_the_field_when_the_text_names_none(classifier: Classifier) -> None:
    text = "Could you put us in touch with someone about this, please?"
    assert classifier.classify(text, "en").field == "other"

    clear = classifier.classify(text, "en", field_votes=[("agriculture", 0.7), ("environment", 0.3)])
    split = classifier.classify(text, "en", field_votes=[("agriculture", 0.4), ("environment", 0.35), ("ai", 0.25)])

    assert clear.field == "agriculture"
    assert split.field == "other"  # no majority among the records: nothing to settle


def test_the_text_own_field_outweighs_a_contrary_vote_and_spam_ignores_votes(classifier: Classifier) -> None:
    text = "We look for a partner to build solar photovoltaic power plants and wind turbines."
    own = classifier.classify(text, "en").field

    assert own == "renewable_energy"
    assert classifier.classify(text, "en", field_votes=[("agriculture", 1.0)]).field == own
    spam = classifier.classify("CASINO!!! WIN $$$ NOW http://a.xyz http://b.top", "en", field_votes=[("ai", 1.0)])
    assert spam.intent == "spam" and spam.field == "other"


@pytest.mark.parametrize("text", ["The page keeps loading and I cannot submit my request.",
                                  "Can we have a booth at the exhibition?"])
def test_an_inquiry_about_the_website_or_an_event_takes_no_field_from_records(classifier: Classifier,
                                                                                text: str) -> None:
    # records retrieved for "the page does not load" match something by chance; they say nothing of its field
    plain = classifier.classify(text, "en")
    voted = classifier.classify(text, "en", field_votes=[("aerospace", 0.9), ("ai", 0.1)])

    assert plain.intent in ("support", "event") and plain.field == "other"
    assert voted.field == "other"
