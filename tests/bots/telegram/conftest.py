"""The Telegram tests' fixtures `fake_api` and `bot`.

`bot` runs over the `services` of the module using it: a module defines its own module-scoped `services` (usually
with `shared_services`) when its tests should share one index. A module needing another bot or API
overrides `bot` or `fake_api` the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.services import Services
from bots.telegram.app import App
from tests.support.fake_bot_api import FakeBotApi, running_fake_api
from tests.support.telegram import close_bot, make_bot


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """A fake Bot API for one test."""
    with running_fake_api() as api:
        yield api


@pytest.fixture
def bot(services: Services, fake_api: FakeBotApi) -> Iterator[App]:
    """The bot over the module's `services`, talking to `fake_api`."""
    application = make_bot(services, fake_api)
    yield application
    close_bot(application)
