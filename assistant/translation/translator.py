"""What a machine translator offers the assistant: batches of text from one language into another.

Providers (`off`, `libretranslate`, `llm`) implement `Translator`; the `TranslationService` adds the cache,
the time budget and the accounting, so a provider only talks to its service.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["TranslationError", "Translator"]


class TranslationError(Exception):
    """A translator could not translate; `reason` is short and safe to log (timeout, connection, http_403…)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Translator(Protocol):
    """A machine translation provider."""

    name: str

    def supports(self, source: str, target: str, timeout: float) -> bool:
        """Whether the provider can translate `source` into `target` (directly or through a pivot);
        raises TranslationError when it cannot be asked."""

    def translate(self, texts: Sequence[str], source: str, target: str, timeout: float) -> list[str | None]:
        """One translation per text, in order (None for a text the provider would not take), within `timeout`
        seconds; raises TranslationError."""
