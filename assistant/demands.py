"""Publishing a demand posted by a person (Telegram's /demand, the web page's demand form): one record, written
exactly as `ttc ingest` writes it, so it is searchable at once and can be matched to achievements."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from retrieval.errors import InvalidInput
from retrieval.index import Index
from retrieval.ingest import ingest_rows
from retrieval.reader import Row
from retrieval.record import Record

__all__ = ["publish_demand", "valid_contact"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().\-]{6,24}$")


def valid_contact(value: str) -> bool:
    """An e-mail address or a phone number with at least six digits."""
    return bool(_EMAIL.match(value) or (_PHONE.match(value) and sum(c.isdigit() for c in value) >= 6))


def publish_demand(index: Index, data: dict[str, Any], *, source: str) -> Record:
    """Validate and ingest one demand (`data` without id, kind, source or date, which are set here); the record
    as stored. A record the schema rejects raises InvalidInput with the reason."""
    record_id = f"{source}-{uuid.uuid4().hex[:12]}"
    row = {**data, "id": record_id, "kind": "demand", "source": source,
           "date": datetime.now(UTC).date().isoformat()}
    report = ingest_rows(index, [Row(source, 1, row)])
    if report.errors:
        raise InvalidInput(str(report.errors[0]["error"]))
    record = index.get(record_id)
    if record is None:  # pragma: no cover - ingest wrote it a moment ago
        raise InvalidInput("the demand could not be stored")
    return record
