"""Staff authentication: `Authorization: Bearer <key>` checked in constant time against TTC_STAFF_API_KEYS."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from retrieval.errors import Forbidden, Unauthorized

__all__ = ["StaffKey", "require_staff"]


def require_staff(request: Request) -> str:
    """The caller's staff key; 401 without one, 403 with a key that is not configured."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("staff endpoint: send Authorization: Bearer <staff key>")
    keys = request.app.state.services.settings.staff_keys()
    accepted = False
    for key in keys:
        accepted |= hmac.compare_digest(token.encode("utf-8"), key.encode("utf-8"))
    if not accepted:
        raise Forbidden("staff key not accepted")
    return token


StaffKey = Annotated[str, Depends(require_staff)]
