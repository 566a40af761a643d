"""The directory of partner institutions (shipped as EXAMPLE data in institutions.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["DIRECTORY", "Directory", "Institution", "load_directory"]

DIRECTORY = Path(__file__).parent / "institutions.json"


@dataclass(frozen=True)
class Institution:
    """A partner transfer institution and the staff queue that receives its inquiries."""

    id: str
    name: str
    country: str
    city: str
    languages: tuple[str, ...]
    fields: tuple[str, ...]
    intents: tuple[str, ...]
    queue: str
    contact: str
    example: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "name": self.name, "country": self.country, "city": self.city,
                "languages": list(self.languages), "fields": list(self.fields), "queue": self.queue,
                "example": self.example}


@dataclass(frozen=True)
class Directory:
    """All institutions, plus the hub that keeps spam and support inquiries in its internal queues."""

    institutions: tuple[Institution, ...]
    hub: Institution
    internal_queues: dict[str, str]

    def by_id(self, institution_id: str) -> Institution | None:
        """The institution with this id, if any."""
        return next((i for i in self.institutions if i.id == institution_id), None)


def _institution(data: dict[str, Any]) -> Institution:
    return Institution(id=data["id"], name=data["name"], country=data["country"], city=data.get("city", ""),
                       languages=tuple(data.get("languages", [])), fields=tuple(data.get("fields", [])),
                       intents=tuple(data.get("intents", [])), queue=data["queue"], contact=data.get("contact", ""),
                       example=bool(data.get("example", False)))


def load_directory(path: Path = DIRECTORY) -> Directory:
    """Read a directory file: {"institutions": [...], "internal": {"institution", "queues"}}."""
    return _load(str(path))


@lru_cache(maxsize=4)
def _load(path: str) -> Directory:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    institutions = tuple(_institution(item) for item in data["institutions"])
    internal = data.get("internal", {})
    hub_id = internal.get("institution", institutions[0].id)
    hub = next(i for i in institutions if i.id == hub_id)
    return Directory(institutions, hub, dict(internal.get("queues", {})))
