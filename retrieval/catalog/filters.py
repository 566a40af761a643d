"""The metadata a search may be filtered by: the catalog's filter columns."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FILTER_COLUMNS", "Filters"]

FILTER_COLUMNS = ("kind", "field", "country", "language")


@dataclass(frozen=True)
class Filters:
    """Exact-match metadata filters; None means 'any'."""

    kind: str | None = None
    field: str | None = None
    country: str | None = None
    language: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(name, value) for name in FILTER_COLUMNS if (value := getattr(self, name))]
