"""What a handler reaches through its context: the services and the bot's state (`Deps`), and the backend, called
within the bot's timeout (`call`)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

from assistant.services import Services
from bots.telegram.bot_state import BotState
from retrieval.errors import TTCError

__all__ = ["DEPS_KEY", "App", "BackendTimeout", "Context", "Deps", "call", "deps"]

T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
App = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]]
"""The bot's Application, with the default context types."""
DEPS_KEY = "ttc"


class BackendTimeout(TTCError):
    """A service call took longer than the bot is willing to wait."""

    code = "timeout"


@dataclass(frozen=True)
class Deps:
    """Built once by `build_application`, kept in `bot_data`."""

    services: Services
    state: BotState
    timeout: float


def deps(context: Context) -> Deps:
    """The handlers' dependencies."""
    found: Deps = context.bot_data[DEPS_KEY]
    return found


async def call(context: Context, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking service call in a thread with the configured timeout, so the event loop stays free."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(functools.partial(function, *args, **kwargs)),
                                      deps(context).timeout)
    except TimeoutError:
        raise BackendTimeout(f"{getattr(function, '__qualname__', function)} timed out") from None
