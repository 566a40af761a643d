"""Field constraints shared by the request models, written so the published JSON Schema says what is enforced."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from assistant.locale.languages import LANGUAGES

__all__ = ["NOT_BLANK", "NOT_BLANK_STORED", "ReaderLanguage"]

# Models strip whitespace (str.strip), so "non-empty" means "has a character str.strip keeps". JSON Schema's \s
# (ECMA) and pydantic's \s (Unicode White_Space) differ from str.strip on \x1c-\x1f, \x85 and \ufeff: named here.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]|\ufeff"
# Stored text (inquiries, replies) also loses NUL, which PostgreSQL text cannot hold: NUL alone is blank too.
NOT_BLANK_STORED = r"[^\s\x00\x1c-\x1f\x85]|\ufeff"

ReaderLanguage = Annotated[
    str | None,
    Query(pattern=f"^({'|'.join(LANGUAGES)})$", json_schema_extra={"enum": list(LANGUAGES)},
          description="The reader's language (ISO 639-1, one of the 17): record content in another language "
                      "comes with a machine `translation` when a translator is configured."),
]
