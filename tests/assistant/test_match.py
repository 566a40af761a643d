"""Demand ↔ achievement matching: counterparts with reasons, and its errors."""

from __future__ import annotations

import pytest

from assistant.services import Services
from retrieval.errors import InvalidInput, NotFound
from retrieval.record import Record


def test_an_achievement_matches_demands_not_itself(loaded_services: Services) -> None:
    matches = loaded_services.assistant.match(record_id="cordis-h2020-721452", k=5)

    assert matches and len(matches) <= 5
    assert all(m.kind == "demand" and m.id != "cordis-h2020-721452" and m.reasons for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_a_demand_text_matches_achievements(loaded_services: Services) -> None:
    matches = loaded_services.assistant.match(text="solar photovoltaic module lifetime", kind="demand", k=3)

    assert matches and all(m.kind == "achievement" for m in matches)
    assert "cordis-h2020-721452" in {m.id for m in matches}


def test_reasons_name_shared_field_keywords_country_trl_and_cooperation(loaded_services: Services) -> None:
    index = loaded_services.index
    need = Record(id="need-1", kind="demand", title="Photovoltaic module durability testing",
                  description="We need photovoltaic module life time forecast and PV durability evaluation.",
                  field="renewable_energy", keywords=["photovoltaic", "durability"], country="DE", trl=4,
                  cooperation=["joint_development"])
    offer = Record(id="offer-1", kind="achievement", title="PV durability lab",
                   description="Photovoltaic module life time forecast and durability evaluation services.",
                   field="renewable_energy", keywords=["PV durability", "photovoltaic module"], country="DE",
                   trl=6, cooperation=["joint_development", "licensing"], organization="Lab GmbH")
    index.write([(index.prepare(need), "h-need"), (index.prepare(offer), "h-offer")])
    index.embed_pending()

    match = next(m for m in loaded_services.assistant.match(record_id="need-1", k=10) if m.id == "offer-1")

    assert match.reasons == ["same field: Renewable energy", "shared keywords: PV durability, photovoltaic module",
                             "same country: Germany", "TRL 6 meets the required TRL 4",
                             "cooperation: Joint development"]
    assert match.organization == "Lab GmbH"


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"record_id": "nope"}, NotFound),
    ({}, InvalidInput),
    ({"record_id": "cordis-h2020-721452", "text": "x"}, InvalidInput),
    ({"text": "solar", "kind": "patent"}, InvalidInput),
    ({"text": "   "}, InvalidInput),
    ({"text": "solar", "k": 0}, InvalidInput),
])
def test_bad_match_requests_are_user_errors(loaded_services: Services, kwargs: dict[str, object],
                                            error: type[Exception]) -> None:
    with pytest.raises(error):
        loaded_services.assistant.match(**kwargs)  # type: ignore[arg-type]


def test_match_as_dict_has_the_design_shape(loaded_services: Services) -> None:
    match = loaded_services.assistant.match(text="solar photovoltaic module", k=1)[0]

    assert set(match.as_dict()) == {"id", "kind", "title", "organization", "score", "reasons"}


def test_match_reasons_come_in_the_requested_language(loaded_services: Services) -> None:
    english = loaded_services.assistant.match(text="satellite space situational awareness sensors", kind="demand",
                                              k=3, language="en")
    russian = loaded_services.assistant.match(text="satellite space situational awareness sensors", kind="demand",
                                              k=3, language="ru")

    assert english and russian and [m.id for m in english] == [m.id for m in russian]
    assert russian[0].reasons != english[0].reasons
    assert all(any("\u0400" <= ch <= "\u04ff" for ch in reason) for m in russian for reason in m.reasons
               if not reason.startswith("TRL"))


def test_match_reasons_follow_the_text_language_by_default(loaded_services: Services) -> None:
    matches = loaded_services.assistant.match(text="Нужны спутниковые датчики для наблюдения за космосом",
                                              kind="demand", k=3)

    assert matches
    assert any("\u0400" <= ch <= "\u04ff" for ch in matches[0].reasons[0])
