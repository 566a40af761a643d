"""What the person sees of an answer: each record once, why it fits, partners
ranked by the strength of their evidence (FastAPI over HTTP, the real index; hash embeddings)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.chat.partners import suggest_partners
from assistant.chat.presentation import title_key
from assistant.services import Services
from bots.web.app import create_app
from retrieval.index import Hit
from retrieval.record import Record

SOLAR = "Who offers solar photovoltaic module technology?"


@pytest.fixture
def client(loaded_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_services.settings, loaded_services)) as test_client:
        yield test_client


def _add(services: Services, *records: Record) -> None:
    services.index.write([(services.index.prepare(r), f"hash-{r.id}") for r in records])
    services.index.embed_pending()


def test_each_record_appears_once_across_answer_cards_and_partners(client: TestClient) -> None:
    data = client.post("/v1/chat", json={"message": SOLAR}).json()

    cited = [c["id"] for c in data["citations"]]
    assert cited and len(cited) == len(set(cited))
    assert len({title_key(c["title"]) for c in data["citations"]}) == len(cited)
    for citation in data["citations"]:
        assert data["answer"].count(f"[{citation['id']}]") == 1
        assert citation["why"] and f"   {citation['why']}" in data["answer"]  # why it fits, under its title
        if citation["snippet"]:
            assert citation["snippet"][:60] not in data["answer"]  # the snippet is on the card only
    for partner in data["partners"]:
        # a partner is an organization with its records as evidence, each named once
        assert partner["evidence"] and len(partner["evidence"]) == len(set(partner["evidence"]))
    assert data["metadata"]["match"] == "strong" and data["next_step"] is None


def test_records_with_the_same_title_are_shown_once_naming_the_other(client: TestClient,
                                                                      loaded_services: Services) -> None:
    twin = {"kind": "achievement", "title": "SOLARGEARBOX: a gearbox for solar photovoltaic module trackers",
            "description": "A lubricant-free gearbox that turns solar photovoltaic module trackers towards the sun. "
                           * 3, "organization": "Twin Gears SL", "country": "ES", "field": "renewable_energy"}
    _add(loaded_services, Record(id="twin-1", **twin), Record(id="twin-2", **{**twin, "title": twin["title"] + "."}))

    data = client.post("/v1/chat", json={"message": "solar photovoltaic module tracker gearbox"}).json()

    shown = [c for c in data["citations"] if c["id"] in ("twin-1", "twin-2")]
    assert len(shown) == 1
    other = "twin-2" if shown[0]["id"] == "twin-1" else "twin-1"
    assert shown[0]["also"] == [other]
    assert f"same title: {other}" in data["answer"]


def _hit(record_id: str, organization: str, score: float) -> Hit:
    return Hit(Record(id=record_id, kind="achievement", title=f"Record {record_id}", description="d",
                      organization=organization, country="DE"), score, "")


def test_partners_are_ranked_by_the_strength_of_all_their_relevant_records() -> None:
    hits = [_hit("a1", "Alpha", 6.0), _hit("b1", "Beta", 5.0), _hit("b2", "Beta", 4.5), _hit("c1", "Gamma", 5.5),
            _hit("d1", "Delta", 1.6), _hit("d2", "Delta", 1.6), _hit("d3", "Delta", 1.6)]

    partners = suggest_partners(hits, kind="achievement", language="en")

    # two strong records outweigh one stronger record; many barely relevant ones do not
    assert [p.organization for p in partners] == ["Beta", "Alpha", "Gamma", "Delta"]
    assert partners[0].evidence == ["b1", "b2"]


def test_partners_rest_only_on_records_that_clearly_match() -> None:
    hits = [_hit("a1", "Alpha", 6.0), _hit("d1", "Delta", 3.0), _hit("d2", "Delta", 3.0), _hit("d3", "Delta", 3.0),
            _hit("a2", "Alpha", 2.0)]

    [partner] = suggest_partners(hits, kind="achievement", language="en", floor=4.0)

    # many loosely related records do not make a partner, and do not count as evidence
    assert partner.organization == "Alpha" and partner.evidence == ["a1"]


def test_partner_reason_names_a_record_the_answer_does_not_cite() -> None:
    hits = [_hit("b1", "Beta", 5.0), _hit("b2", "Beta", 4.5)]

    [partner] = suggest_partners(hits, kind="achievement", language="en", cited=["b1"])

    assert "Record b2" in partner.reason


def test_who_can_help_adds_transfer_institutions_for_the_understood_field(loaded_services: Services) -> None:
    from assistant.chat.state import ChatState

    # the understanding step reads "who can help … partners" as a partner search and the fields from the records
    asked = ChatState(message="Who can help us find partners for solar photovoltaic modules?", session_id="s")
    state = loaded_services.assistant.answer_chain.pipeline.invoke(asked)

    assert state.intent.sought == "partner" and state.intent.fields
    assert state.institutions and len(state.institutions) <= 3
    directory = loaded_services.assistant.answer_chain.directory
    for item in state.institutions:
        institution = directory.by_id(item["id"])
        assert institution is not None and item["example"] is True
        assert set(institution.fields) & set(state.intent.fields)
        assert item["reason"].startswith("same field: ")
    assert "Transfer institutions that can help (example data):" in state.text
    assert state.institutions[0]["name"] in state.text
    plain = loaded_services.assistant.answer_chain.pipeline.invoke(ChatState(message=SOLAR, session_id="t"))
    assert plain.institutions == []  # only for "who can help"
