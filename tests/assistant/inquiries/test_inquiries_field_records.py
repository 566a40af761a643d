"""Triage through the service with the real offline embedder and real records: the records retrieved for an inquiry
must not make its field worse than the text alone says (they once lent event and website inquiries a field)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.inquiries.classifier import load_examples
from assistant.inquiries.evaluation import evaluate
from assistant.services import Services, build_services
from retrieval.ingest import ingest_paths
from tests.support.paths import DATA, RECORDS
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def e5(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    folder: Path = tmp_path_factory.mktemp("e5-triage")
    services = build_services(make_settings(folder / "data", embedder="e5"))
    ingest_paths(services.index, [RECORDS])
    yield services
    services.close()


def test_records_do_not_lower_the_field_accuracy_of_held_out_inquiries(e5: Services) -> None:
    examples = load_examples(DATA / "inquiries_heldout.jsonl")
    service = e5.inquiries

    alone = evaluate(service.classifier, examples)
    with_records = evaluate(service.classifier, examples, service.field_votes)

    assert with_records["field_accuracy"] >= alone["field_accuracy"] - 0.02, (alone["field_accuracy"],
                                                                               with_records["field_accuracy"])
    assert with_records["field_accuracy"] >= 0.80
