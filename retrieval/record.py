"""The record schema of docs/contract.md, validated with pydantic."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from retrieval.errors import InvalidRecord

__all__ = ["FIELDS", "KINDS", "Record", "content_hash", "parse_record", "validation_message"]

KINDS: tuple[str, ...] = ("achievement", "demand")
FIELDS: tuple[str, ...] = (
    "ai",
    "biomedicine",
    "new_materials",
    "renewable_energy",
    "digital_economy",
    "low_altitude_economy",
    "composites",
    "railway_equipment",
    "agriculture",
    "environment",
    "aerospace",
    "manufacturing",
    "other",
)
_ID = re.compile(r"^[\w.:\-]{1,200}$")
_LANG = re.compile(r"^[a-z]{2}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

NonEmpty = Annotated[str, Field(min_length=1)]


def _clean(value: Any) -> Any:
    """Blank strings (empty CSV cells) mean 'absent'."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class Record(BaseModel):
    """One achievement (technology offered) or demand (technology needed)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)

    id: NonEmpty
    kind: Literal["achievement", "demand"]
    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: Annotated[str, Field(min_length=1, max_length=20_000)]
    field: Literal[FIELDS] | None = None  # type: ignore[valid-type]
    keywords: list[str] = Field(default_factory=list)
    country: str | None = None
    organization: str | None = None
    language: str | None = None
    trl: Annotated[int, Field(ge=1, le=9)] | None = None
    ip_status: str | None = None
    cooperation: list[str] = Field(default_factory=list)
    contact: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = None

    @field_validator("field", "country", "organization", "language", "ip_status", "contact", "url",
                     "date", "source", "trl", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return _clean(value)

    @field_validator("id", mode="before")
    @classmethod
    def _id_chars(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip() and not _ID.match(value.strip()):
            raise ValueError("id may hold letters, digits and . _ : - only (at most 200)")
        return value

    @field_validator("kind", "field", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("keywords", "cooperation", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, list):
            return [str(v).strip() for v in value if v is not None and str(v).strip()]
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.upper()
        if not _COUNTRY.match(value):
            raise ValueError("country must be an ISO 3166-1 alpha-2 code such as CN or BR")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.lower()
        if not _LANG.match(value):
            raise ValueError("language must be an ISO 639-1 code such as en or zh")
        return value

    @field_validator("date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            raise ValueError("date must be YYYY-MM-DD") from None
        if len(value) != 10:
            raise ValueError("date must be YYYY-MM-DD")
        return value

    def embedding_text(self, lead_chars: int) -> str:
        """What the dense index embeds: the title and the lead of the description."""
        lead = self.description[:lead_chars]
        return f"{self.title}\n{lead}"

    def searchable_text(self) -> str:
        """What the lexical index sees: every textual field."""
        parts = [self.title, self.description, " ".join(self.keywords), self.organization or ""]
        return "\n".join(p for p in parts if p)


def content_hash(record: Record) -> str:
    """A stable digest of everything a record says; unchanged records are skipped on re-ingest."""
    payload = json.dumps(record.model_dump(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def validation_message(error: ValidationError) -> str:
    """One readable line for a pydantic error: 'field: reason; field: reason'."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "record"
        msg = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def parse_record(data: Any, kind: str | None = None) -> Record:
    """Validate one raw row; `kind` fills in a missing kind (ingest --kind)."""
    if not isinstance(data, dict):
        raise InvalidRecord(f"expected an object, got {type(data).__name__}")
    if kind and not data.get("kind"):
        data = {**data, "kind": kind}
    try:
        return Record.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord(validation_message(exc)) from None
