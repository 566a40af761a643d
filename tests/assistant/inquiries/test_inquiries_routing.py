"""Routing to the (example) partner directory, and the shipped data and migrations."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assistant.inquiries.database import VERSION_TABLE, make_engine, migrate
from assistant.inquiries.directory import load_directory
from assistant.inquiries.model import Base
from assistant.inquiries.routing import Router
from retrieval.record import FIELDS


def test_directory_is_example_data_of_35_institutions_in_7_countries() -> None:
    directory = load_directory()
    assert len(directory.institutions) == 35
    assert {i.country for i in directory.institutions} == {"CN", "RU", "BR", "IN", "ZA", "EG", "TH"}
    assert all(i.example for i in directory.institutions)
    assert len({i.queue for i in directory.institutions}) == 35
    assert all(set(i.fields) <= set(FIELDS) for i in directory.institutions)


def test_portuguese_renewable_energy_request_goes_to_a_brazilian_energy_office() -> None:
    route = Router(load_directory()).route(intent="technology_request", field="renewable_energy", language="pt")
    assert route.institution.country == "BR"
    assert "renewable_energy" in route.institution.fields
    assert "pt" in route.as_dict()["reason"]


def test_related_record_country_pulls_licensing_towards_the_technology_owner() -> None:
    router = Router(load_directory())
    route = router.route(intent="licensing", field="biomedicine", language="en", record_countries=["ZA"])
    assert route.institution.id == "za-cape-town-bio"
    assert "related record from ZA" in route.as_dict()["reason"]


def test_spam_and_support_stay_in_the_hub_internal_queues() -> None:
    router = Router(load_directory())
    assert router.route(intent="spam", field="other", language="en").queue == "kunming-spam-review"
    assert router.route(intent="support", field="other", language="ru").queue == "kunming-helpdesk"


def test_routing_explains_itself_and_offers_alternatives() -> None:
    routed = Router(load_directory()).route(intent="partner_search", field="ai", language="hi").as_dict()
    assert routed["country"] == "IN" and routed["reason"]
    assert routed["alternatives"] and all(a["institution_id"] != routed["institution_id"]
                                          for a in routed["alternatives"])


def test_migrations_produce_exactly_the_model_schema(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    migrate(engine)  # idempotent at every start
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}),
                                Base.metadata)
    engine.dispose()
    assert diff == []
