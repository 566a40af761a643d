"""The record schema: what is accepted, what is refused, and the content hash."""

from __future__ import annotations

import pytest

from retrieval.errors import InvalidRecord
from retrieval.record import content_hash, parse_record

GOOD = {"id": "r-1", "kind": "achievement", "title": "Perovskite cells", "description": "Stable tandem cells."}


def test_minimal_record_is_valid() -> None:
    record = parse_record(GOOD)
    assert record.id == "r-1"
    assert record.keywords == [] and record.field is None


def test_kind_can_come_from_the_caller() -> None:
    record = parse_record({k: v for k, v in GOOD.items() if k != "kind"}, kind="demand")
    assert record.kind == "demand"


def test_csv_style_lists_are_split_on_semicolons() -> None:
    record = parse_record({**GOOD, "keywords": "solar; perovskite ;", "cooperation": "licensing;sale"})
    assert record.keywords == ["solar", "perovskite"]
    assert record.cooperation == ["licensing", "sale"]


def test_blank_optional_cells_mean_absent() -> None:
    record = parse_record({**GOOD, "country": " ", "trl": "", "field": ""})
    assert record.country is None and record.trl is None and record.field is None


def test_codes_are_normalised() -> None:
    record = parse_record({**GOOD, "country": "br", "language": "PT", "field": "AI", "trl": "7"})
    assert (record.country, record.language, record.field, record.trl) == ("BR", "pt", "ai", 7)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": ""}, "title"),
        ({"description": None}, "description"),
        ({"kind": "offer"}, "kind"),
        ({"trl": 12}, "trl"),
        ({"field": "cooking"}, "field"),
        ({"country": "Brazil"}, "country"),
        ({"date": "2024-13-01"}, "date"),
        ({"date": "yesterday"}, "date"),
        ({"title": "x" * 501}, "title"),
        ({"description": "x" * 20_001}, "description"),
        ({"id": "has space"}, "id"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(change: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_record({**GOOD, **change})
    assert str(caught.value).startswith(reason)


def test_missing_required_fields_are_all_named() -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_record({"id": "x"})
    message = str(caught.value)
    for name in ("kind", "title", "description"):
        assert name in message


def test_content_hash_changes_with_content_only() -> None:
    same = content_hash(parse_record(GOOD)) == content_hash(parse_record(dict(GOOD)))
    other = content_hash(parse_record({**GOOD, "description": "Changed."}))
    assert same
    assert other != content_hash(parse_record(GOOD))


def test_numeric_ids_from_spreadsheets_become_strings() -> None:
    assert parse_record({**GOOD, "id": 42}).id == "42"
