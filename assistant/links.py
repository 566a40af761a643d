"""Links users can open: the web app's page of a record (`/records/{id}`), used by every adapter."""

from __future__ import annotations

import ipaddress
from urllib.parse import quote, urlsplit

__all__ = ["is_public_url", "record_page_url"]


def record_page_url(base: str, record_id: str, language: str | None = None) -> str:
    """The record page of a record under `base` (e.g. TTC_PUBLIC_URL), in `language` when given."""
    url = f"{base.rstrip('/')}/records/{quote(record_id, safe='')}"
    return f"{url}?lang={quote(language, safe='')}" if language else url


def is_public_url(url: str) -> bool:
    """False for loopback addresses (`localhost`, 127.0.0.1, ::1): reachable only from this machine, and refused
    by Telegram in buttons."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True
