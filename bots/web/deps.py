"""Request-scoped access to the services the lifespan built."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.services import Services

__all__ = ["ServicesDep", "get_services"]


def get_services(request: Request) -> Services:
    """The services built once by the app's lifespan."""
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]
