"""The catalogue's fields as centroids: a text is nearest to the field its topic belongs to, whatever the language
most of the field's records are written in (synthetic vectors with known structure)."""

from __future__ import annotations

import numpy as np

from retrieval.snapshot import VectorSnapshot

DIM = 64


def _corpus(seed: int = 3) -> tuple[VectorSnapshot, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Three fields, each a direction; every language its own strong offset. "energy" is written mostly in zh,
    "medicine" mostly in en (as a catalogue's fields are, by their sources); two "railway" records and a few
    without a field."""
    rng = np.random.default_rng(seed)
    topics = {name: rng.normal(size=DIM) for name in ("energy", "medicine", "railway", "misc")}
    offsets = {"en": rng.normal(size=DIM) * 1.5, "zh": rng.normal(size=DIM) * 1.5}
    ids, columns, vectors = [], {"language": [], "field": []}, []  # type: ignore[var-annotated]

    def add(field: str, language: str, count: int, topic: str | None = None) -> None:
        for _ in range(count):
            ids.append(f"r{len(ids)}")
            columns["language"].append(language)
            columns["field"].append(field)
            vectors.append(topics[topic or field] + offsets[language] + rng.normal(size=DIM) * 0.8)

    add("energy", "zh", 40)
    add("energy", "en", 4)
    add("medicine", "en", 40)
    add("medicine", "zh", 4)
    add("railway", "en", 2)
    add("", "en", 10, topic="misc")
    add("other", "zh", 10, topic="misc")
    snapshot = VectorSnapshot(ids, columns, np.asarray(vectors, dtype=np.float32))
    return snapshot, topics, offsets


def test_a_text_is_nearest_to_its_topics_field_not_to_the_field_written_in_its_language() -> None:
    snapshot, topics, offsets = _corpus()
    rng = np.random.default_rng(7)

    # an English text about energy: most English records are about medicine, most energy records are Chinese
    english_energy = topics["energy"] + offsets["en"] + rng.normal(size=DIM) * 0.8
    chinese_medicine = topics["medicine"] + offsets["zh"] + rng.normal(size=DIM) * 0.8

    assert snapshot.nearest_fields(english_energy)[0][0] == "energy"
    assert snapshot.nearest_fields(chinese_medicine)[0][0] == "medicine"


def test_only_fields_with_enough_records_are_places_and_no_field_is_none() -> None:
    snapshot, topics, offsets = _corpus()

    fields = snapshot.nearest_fields(topics["misc"] + offsets["en"])

    assert {name for name, _ in fields} == {"energy", "medicine"}  # railway has two records; "" and "other" none
    assert fields == sorted(fields, key=lambda f: -f[1])


def test_an_empty_catalogue_has_no_field() -> None:
    snapshot = VectorSnapshot([], {"language": [], "field": []}, np.zeros((0, DIM), dtype=np.float32))

    assert snapshot.nearest_fields(np.ones(DIM, dtype=np.float32)) == []
