"""The project's error hierarchy; adapters map it to exit codes and HTTP statuses in one place each."""

from __future__ import annotations

__all__ = ["Forbidden", "InvalidInput", "InvalidRecord", "NotFound", "TTCError", "Unauthorized", "Unavailable"]


class TTCError(Exception):
    """Base class of every error the product reports to a user."""

    code = "error"


class InvalidInput(TTCError):
    """The user asked for something malformed (bad option, bad query, unreadable file)."""

    code = "invalid_input"


class InvalidRecord(InvalidInput):
    """A record failed schema validation."""

    code = "invalid_record"


class NotFound(TTCError):
    """A record, session or inquiry that does not exist."""

    code = "not_found"


class Unauthorized(TTCError):
    """No credentials where credentials are required."""

    code = "unauthorized"


class Forbidden(TTCError):
    """Credentials given but not accepted."""

    code = "forbidden"


class Unavailable(TTCError):
    """A backing service (Chroma server, database, LLM) cannot be reached."""

    code = "unavailable"
