"""A LibreTranslate server (self-hosted, open source) as the translator, through its public HTTP API.

`GET /languages` says which pairs the server offers ([{"code","name","targets"}]); a pair it does not offer is
never asked for: the text goes through English when the server offers both legs, else it stays as it is.
`POST /translate` takes `q` as a list for a batch, with `source`, `target`, `format` and `api_key`. A server with
a character limit per request (`GET /frontend/settings` → `charLimit`) gets batches under it; a text longer than
the limit alone is not sent (it keeps its original).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx

from assistant.translation.translator import TranslationError

__all__ = ["LibreTranslate"]

PIVOT = "en"
_LANGUAGES_TTL = 3600.0
_BATCH = 64
# our ISO 639-1 codes that LibreTranslate versions spell differently (newer ones say zh-Hans for Chinese)
_ALIASES = {"zh": ("zh", "zh-Hans", "zh-CN"), "pt": ("pt", "pt-BR", "pt-PT")}


class LibreTranslate:
    """Client of one LibreTranslate server."""

    name = "libretranslate"

    def __init__(self, base_url: str, api_key: str | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._api_key = api_key
        self._client = httpx.Client(transport=transport, headers={"Accept": "application/json"})
        self._lock = threading.Lock()
        self._offered: dict[str, set[str]] | None = None
        self._char_limit: int | None = None
        self._fetched = 0.0

    def close(self) -> None:
        self._client.close()

    # -- pairs ------------------------------------------------------------------------------------------
    def _languages(self, timeout: float) -> dict[str, set[str]]:
        with self._lock:
            if self._offered is not None and time.monotonic() - self._fetched < _LANGUAGES_TTL:
                return self._offered
        deadline = time.monotonic() + timeout
        body = self._call("GET", "/languages", None, timeout)
        if not isinstance(body, list):
            raise TranslationError("bad_response")
        offered = {str(item["code"]): {str(t) for t in item.get("targets") or []}
                   for item in body if isinstance(item, dict) and item.get("code")}
        limit = self._limit(deadline - time.monotonic())
        with self._lock:
            self._offered, self._char_limit, self._fetched = offered, limit, time.monotonic()
        return offered

    def _limit(self, timeout: float) -> int | None:
        """The server's characters per request, when it has a limit and says so (older servers may not)."""
        if timeout <= 0:
            return None
        try:
            settings = self._call("GET", "/frontend/settings", None, timeout)
        except TranslationError:
            return None
        limit = settings.get("charLimit") if isinstance(settings, dict) else None
        return limit if isinstance(limit, int) and limit > 0 else None

    def _code(self, language: str, offered: dict[str, set[str]]) -> str | None:
        """The server's spelling of one of our language codes, or None when it does not know the language."""
        for candidate in _ALIASES.get(language, (language,)):
            if candidate in offered:
                return candidate
        return None

    def _route(self, source: str, target: str, timeout: float) -> list[tuple[str, str]] | None:
        offered = self._languages(timeout)
        src, dst = self._code(source, offered), self._code(target, offered)
        if src is None or dst is None or src == dst:
            return None
        if dst in offered[src]:
            return [(src, dst)]
        pivot = self._code(PIVOT, offered)
        if pivot and pivot not in (src, dst) and pivot in offered[src] and dst in offered[pivot]:
            return [(src, pivot), (pivot, dst)]
        return None

    def supports(self, source: str, target: str, timeout: float) -> bool:
        """True when the server offers the pair, directly or through English."""
        return self._route(source, target, timeout) is not None

    # -- translation ------------------------------------------------------------------------------------
    def translate(self, texts: Sequence[str], source: str, target: str, timeout: float) -> list[str | None]:
        """The texts in `target` (None for one over the server's limit), all within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        route = self._route(source, target, timeout)
        if route is None:
            raise TranslationError("unsupported_pair")
        current: list[str | None] = list(texts)
        for src, dst in route:
            done: list[str | None] = [None] * len(current)
            for batch in self._batches(current):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TranslationError("timeout")
                sent = [str(current[i]) for i in batch]
                for position, translated in zip(batch, self._batch(sent, src, dst, remaining), strict=True):
                    done[position] = translated
            current = done
        return current

    def _batches(self, texts: Sequence[str | None]) -> list[list[int]]:
        """Positions of the texts to send, grouped in requests of at most 64 texts and the server's char limit."""
        limit = self._char_limit
        batches: list[list[int]] = []
        size = 0
        for position, text in enumerate(texts):
            if text is None or (limit is not None and len(text) > limit):
                continue
            if not batches or len(batches[-1]) >= _BATCH or (limit is not None and size + len(text) > limit):
                batches.append([])
                size = 0
            batches[-1].append(position)
            size += len(text)
        return batches

    def _batch(self, texts: list[str], source: str, target: str, timeout: float) -> list[str]:
        payload: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self._api_key:
            payload["api_key"] = self._api_key
        body = self._call("POST", "/translate", payload, timeout)
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(texts) \
                or not all(isinstance(t, str) for t in translated):
            raise TranslationError("bad_response")
        return [str(t) for t in translated]

    def _call(self, method: str, path: str, payload: dict[str, Any] | None, timeout: float) -> Any:
        try:
            response = self._client.request(method, self._base + path, json=payload, timeout=max(timeout, 0.01))
        except httpx.TimeoutException as exc:
            raise TranslationError("timeout") from exc
        except httpx.HTTPError as exc:
            raise TranslationError("connection") from exc
        if response.status_code != 200:
            raise TranslationError(f"http_{response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise TranslationError("bad_response") from exc
