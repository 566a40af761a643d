"""Property-based run of the app's own OpenAPI spec (schemathesis) against a real uvicorn server on 127.0.0.1.

Every operation gets generated valid and invalid requests, with and without a staff key; the responses must never
be a 500 and must match the schema the app publishes (status codes, content types, bodies).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from assistant.services import build_services
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow

STAFF = {"Authorization": "Bearer staff-key"}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("schemathesis") / "data"
    settings = make_settings(data, staff_api_keys="staff-key", rate_limit_per_minute=0)
    services = build_services(settings)
    try:
        ingest_paths(services.index, [RECORDS])
        with live_server(create_app(settings, services)) as url:
            yield url
    finally:
        services.close()


# The spec is what the app publishes; building it needs no services (they start in the lifespan). A request the
# spec forbids may also be refused as too large (413, the body limit): schemathesis's default list of rejections
# lacks it, and a generated array far beyond `maxItems` meets the limit first.
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
schema = schemathesis.openapi.from_dict(
    create_app(make_settings(Path("unused"))).openapi(),
    config=SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REJECTED}}}))


@schema.parametrize()
@hypothesis_settings(max_examples=25, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
def test_no_operation_answers_500_or_off_schema(base_url: str, case: schemathesis.Case) -> None:
    # Records are validated as ingest validates them (README); the spec does not restate the record schema, so
    # a schema-valid `[{}]` with `strict=true` is rightly refused: skip only the "valid data is accepted" check there.
    excluded = [positive_data_acceptance] if case.operation.label == "POST /v1/records" else []

    case.call_and_validate(base_url=base_url, headers=STAFF, timeout=20, excluded_checks=excluded)
