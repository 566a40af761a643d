"""Fixtures of the assistant's tests: a real PostgreSQL server for the inquiry and insights stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import running_postgres


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server of the module's own (skips where none can be started)."""
    with running_postgres() as url:
        yield url
