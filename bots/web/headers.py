"""The security headers every HTML page is served with, defined once.

The pages build every node from record and user text with textContent; the Content-Security-Policy is the second
line of defence. A page without script (the record page) gets a policy that allows none; a staff page is private:
never stored by a cache, no referrer sent.
"""

from __future__ import annotations

__all__ = ["page_headers"]

_SCRIPTED = ("default-src 'self'", "script-src 'self'", "connect-src 'self'", "object-src 'none'")
_SCRIPTLESS = ("default-src 'none'",)
_EVERY_PAGE = ("style-src 'self'", "img-src 'self' data:", "base-uri 'none'", "frame-ancestors 'none'",
               "form-action 'self'")


def page_headers(*, script: bool = True, private: bool = False) -> dict[str, str]:
    """Headers for an HTML page: `script=False` for a page that runs no script, `private=True` for staff pages."""
    return {
        "Content-Security-Policy": "; ".join((_SCRIPTED if script else _SCRIPTLESS) + _EVERY_PAGE),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer" if private else "same-origin",
        "Cache-Control": "no-store" if private else "no-cache",
    }
