"""The records service, the adapters' one door to records: publish, read, delete, changes and counts."""

from __future__ import annotations

import pytest

from assistant.records import RecordsService, valid_contact
from assistant.services import Services
from retrieval.catalog import Filters
from retrieval.errors import InvalidInput, NotFound

DEMAND = {"title": "Recycled carbon fibre for drone frames", "country": "BR", "field": "composites",
          "description": "We need a supplier of recycled carbon fibre composites for light drone frames.",
          "contact": "buyer@example.com", "cooperation": ["joint_development"]}


@pytest.fixture
def records(services: Services) -> RecordsService:
    return services.records


def test_a_published_demand_is_stored_with_its_source_and_searchable_at_once(records: RecordsService) -> None:
    record = records.publish_demand(dict(DEMAND), source="web")

    assert record.id.startswith("web-") and record.kind == "demand" and record.source == "web"
    assert records.get(record.id) == record
    assert record.id in [h.record.id for h in records.search(DEMAND["title"], 5, Filters(kind="demand"))]


def test_a_demand_the_schema_rejects_raises_invalid_input_and_writes_nothing(records: RecordsService) -> None:
    with pytest.raises(InvalidInput):
        records.publish_demand({**DEMAND, "title": ""}, source="telegram")

    assert records.counts().records == 0


def test_a_deleted_record_is_gone_and_an_unknown_id_is_not_found(records: RecordsService) -> None:
    record = records.publish_demand(dict(DEMAND), source="web")

    records.delete(record.id)

    assert records.get(record.id) is None
    with pytest.raises(NotFound):
        records.delete(record.id)
    with pytest.raises(NotFound):
        records.require(record.id)


def test_staff_rows_are_added_as_ingest_adds_them(records: RecordsService) -> None:
    report = records.add([{**DEMAND, "id": "d1"}, {"id": "bad"}, "not an object"], source="request", kind="demand")

    assert report.ids == ["d1"] and [e["line"] for e in report.errors] == [1, 2]
    assert records.require("d1").kind == "demand"


def test_changes_counts_and_countries_follow_what_was_published(records: RecordsService) -> None:
    record = records.publish_demand(dict(DEMAND), source="web")

    assert [r.id for _, r in records.changed_since("1970-01-01T00:00:00Z")] == [record.id]
    assert records.counts().records == 1
    assert records.countries() == ["BR"]


def test_a_contact_is_an_email_address_or_a_phone_number() -> None:
    assert valid_contact("buyer@example.com") and valid_contact("+55 (11) 5555-0100")
    assert not valid_contact("call me") and not valid_contact("12345")
