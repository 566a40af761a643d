"""Field constraints shared by the request models, written so the published JSON Schema says what is enforced."""

from __future__ import annotations

__all__ = ["NOT_BLANK"]

# Models strip whitespace (str.strip), so "non-empty" means "has a character str.strip keeps". JSON Schema's \s
# (ECMA) and pydantic's \s (Unicode White_Space) differ from str.strip on \x1c-\x1f, \x85 and \ufeff: named here.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]|\ufeff"
