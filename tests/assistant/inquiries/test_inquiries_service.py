"""InquiryService: intake, duplicates, spam, triage, audit trail, outbox and restart survival."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.inquiries import InquiryService
from assistant.services import Services, build_services
from assistant.settings import Settings
from retrieval.errors import InvalidInput, NotFound

PT = "Olá, procuramos uma tecnologia de energia solar para secar grãos na nossa cooperativa no Brasil."


def test_portuguese_inquiry_is_classified_routed_and_queued(services: Services) -> None:
    created = services.inquiries.create(message=PT, channel="web", session_id="s-1")

    (queued,) = services.inquiries.list(status="new", language="pt")
    assert queued.id == created.id
    assert queued.classification["intent"] == "technology_request"
    assert queued.classification["field"] in ("renewable_energy", "agriculture")
    assert queued.classification["language"] == "pt"
    assert queued.routed_to["country"] == "BR" and queued.routed_to["queue"] and queued.routed_to["reason"]


def test_new_inquiry_starts_its_audit_trail(services: Services) -> None:
    inquiry = services.inquiries.create(message=PT, channel="api", contact="ana@example.com")
    assert [e.type for e in inquiry.events] == ["created", "classified", "routed"]
    assert inquiry.as_dict()["events"][1]["detail"]["intent"] == "technology_request"


def test_related_records_are_kept_and_similar_records_suggested(loaded_services: Services) -> None:
    record_id = "nasa-code-arc-14672-1"
    inquiry = loaded_services.inquiries.create(message="We would like to license this distributed control software.",
                                               channel="api", record_ids=[record_id])
    assert inquiry.record_ids == [record_id]
    assert inquiry.intent == "licensing"
    assert inquiry.suggested_record_ids and record_id not in inquiry.suggested_record_ids


def test_near_identical_repeat_from_same_contact_is_merged(services: Services) -> None:
    first = services.inquiries.create(message=PT, channel="web", contact="Ana@Example.com")
    again = services.inquiries.create(message=PT + "!!", channel="web", contact="ana@example.com ")

    assert again.id == first.id
    assert again.duplicates == 1
    assert again.events[-1].type == "merged" and again.events[-1].detail["message"] == PT + "!!"
    assert len(services.inquiries.list()) == 1


def test_same_text_from_another_sender_or_a_different_text_is_not_merged(services: Services) -> None:
    a = services.inquiries.create(message=PT, channel="telegram", chat_id="1")
    b = services.inquiries.create(message=PT, channel="telegram", chat_id="2")
    c = services.inquiries.create(message="Quero visitar a feira de inovação em Kunming.", channel="telegram",
                                  chat_id="1")
    assert len({a.id, b.id, c.id}) == 3


def test_repeat_outside_the_window_or_after_closing_is_a_new_inquiry(services: Services) -> None:
    quick = InquiryService(services.inquiries.engine, duplicate_window=timedelta(0))
    first = quick.create(message=PT, channel="api", contact="x@example.com")
    assert quick.create(message=PT, channel="api", contact="x@example.com").id != first.id

    closed = services.inquiries.create(message="Nous cherchons un partenaire en IA.", channel="api", contact="y@e.org")
    services.inquiries.update(closed.id, status="closed")
    assert services.inquiries.create(message="Nous cherchons un partenaire en IA.", channel="api",
                                     contact="y@e.org").id != closed.id


def test_obvious_spam_is_flagged_and_kept(services: Services) -> None:
    spam = services.inquiries.create(message="CLICK HERE!!! casino bonus http://win.top http://cash.xyz",
                                     channel="api")
    assert spam.status == "spam" and spam.intent == "spam"
    assert spam.routed_to["queue"] == "kunming-spam-review"
    assert "flagged_spam" in [e.type for e in spam.events]
    assert [i.id for i in services.inquiries.list(status="spam")] == [spam.id]


def test_status_assignee_and_reply_are_recorded_in_the_audit_trail(services: Services) -> None:
    inquiry = services.inquiries.create(message=PT, channel="telegram", chat_id="77")
    services.inquiries.update(inquiry.id, status="in_progress", assignee="li.wei", actor="staff:a")
    answered = services.inquiries.update(inquiry.id, reply="Obrigado! Vamos apresentar um parceiro.", actor="staff:a")

    trail = [(e.type, e.actor) for e in answered.events][3:]
    assert trail == [("assigned", "staff:a"), ("status", "staff:a"), ("reply", "staff:a"), ("status", "staff:a")]
    assert answered.status == "answered" and answered.assignee == "li.wei"
    assert answered.events[-1].detail == {"from": "in_progress", "to": "answered"}


def test_reply_goes_to_the_telegram_outbox_until_marked_delivered(services: Services) -> None:
    inquiry = services.inquiries.create(message=PT, channel="telegram", chat_id="4242")
    services.inquiries.update(inquiry.id, reply="Olá!")

    (delivery,) = services.inquiries.pending_deliveries("telegram")
    assert (delivery.chat_id, delivery.text, delivery.language, delivery.inquiry_id) == ("4242", "Olá!", "pt",
                                                                                       inquiry.id)
    assert services.inquiries.pending_deliveries("web") == []
    services.inquiries.mark_delivered(delivery.id, actor="telegram")
    services.inquiries.mark_delivered(delivery.id, actor="telegram")  # idempotent

    assert services.inquiries.pending_deliveries("telegram") == []
    events = services.inquiries.get(inquiry.id).events
    assert [e.type for e in events].count("delivered") == 1
    assert events[-1].detail["delivery_id"] == delivery.id


def test_failed_delivery_stays_pending_and_is_recorded(services: Services) -> None:
    inquiry = services.inquiries.create(message=PT, channel="telegram", chat_id="9")
    services.inquiries.update(inquiry.id, reply="Olá!")
    (delivery,) = services.inquiries.pending_deliveries("telegram")

    failed = services.inquiries.mark_failed(delivery.id, "Forbidden: bot was blocked by the user")
    assert failed.attempts == 1 and failed.delivered_at is None
    assert services.inquiries.pending_deliveries("telegram")[0].id == delivery.id
    assert services.inquiries.get(inquiry.id).events[-1].type == "delivery_failed"


def test_web_replies_are_shown_for_the_session_and_then_count_as_delivered(services: Services) -> None:
    inquiry = services.inquiries.create(message=PT, channel="web", session_id="sess-9")
    services.inquiries.update(inquiry.id, reply="Resposta da equipe")

    (reply,) = services.inquiries.replies_for_session("sess-9")
    assert reply.text == "Resposta da equipe" and reply.delivered_at is not None
    assert services.inquiries.pending_deliveries("web") == []
    assert services.inquiries.replies_for_session("other") == []


def test_everything_survives_a_restart(settings: Settings) -> None:
    first = build_services(settings)
    inquiry = first.inquiries.create(message=PT, channel="telegram", chat_id="5")
    first.inquiries.update(inquiry.id, reply="Olá!", assignee="ana")
    first.close()

    again = build_services(settings)
    try:
        restored = again.inquiries.get(inquiry.id)
        assert restored.status == "answered" and restored.assignee == "ana"
        assert restored.classification == inquiry.classification and restored.routed_to == inquiry.routed_to
        assert [e.type for e in restored.events][-1] == "status"
        assert again.inquiries.pending_deliveries("telegram")[0].text == "Olá!"
    finally:
        again.close()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"message": "   "}, "empty"),
    ({"message": "x" * 10_001}, "longer"),
    ({"message": "hi", "channel": "fax"}, "channel"),
    ({"message": "hi", "record_ids": [f"r{i}" for i in range(21)]}, "record ids"),
])
def test_bad_intake_is_refused(services: Services, kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"channel": "api", **kwargs}
    with pytest.raises(InvalidInput, match=message):
        services.inquiries.create(**arguments)  # type: ignore[arg-type]


def test_bad_updates_are_refused(services: Services) -> None:
    inquiry = services.inquiries.create(message=PT, channel="api")
    with pytest.raises(InvalidInput):
        services.inquiries.update(inquiry.id)
    with pytest.raises(InvalidInput):
        services.inquiries.update(inquiry.id, status="done")
    with pytest.raises(NotFound):
        services.inquiries.update("nope", status="closed")
    with pytest.raises(NotFound):
        services.inquiries.get("nope")
