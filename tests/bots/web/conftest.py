"""The web tests' module-scoped headless Chromium (`browser`); a module wanting other flags overrides it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for a module's page tests (skips them without playwright or Chromium)."""
    with chromium() as launched:
        yield launched
