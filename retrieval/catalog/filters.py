"""The metadata a search may be filtered by: the catalog's filter columns.

A country filter may name a region instead of a country: a UN M.49 code ("150" Europe, "035" South-eastern Asia) or
"EU", whose member countries come from ICU's territory containment (CLDR)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import icu

__all__ = ["FILTER_COLUMNS", "Filters", "countries_in"]

FILTER_COLUMNS = ("kind", "field", "country", "language")


@lru_cache(maxsize=256)
def countries_in(code: str) -> tuple[str, ...]:
    """The ISO 3166-1 countries a country filter stands for: itself, or a region's member countries (sorted)."""
    if not (code.isdigit() or code == "EU"):
        return (code,)
    try:
        region = icu.Region.getInstance(code)
        found = {str(c) for c in region.getContainedRegions(icu.URegionType.TERRITORY)}
    except icu.ICUError:
        return (code,)
    return tuple(sorted(found)) or (code,)


@dataclass(frozen=True)
class Filters:
    """Exact-match metadata filters; None means 'any'."""

    kind: str | None = None
    field: str | None = None
    country: str | None = None
    language: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(name, value) for name in FILTER_COLUMNS if (value := getattr(self, name))]
