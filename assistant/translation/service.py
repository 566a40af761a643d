"""Record content in the reader's language: the cache first, then the translator, within a time budget.

Everything here degrades: with no translator, a slow, down or refusing one, or a pair it does not offer, the
texts simply stay untranslated. After a failure the translator rests for `cooldown` seconds, so a server that is
gone costs one timeout, not one per answer (a refused request, such as a text over the server's size limit, does
not rest it); the reason is logged once per failing spell, never a secret.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from assistant.chat.results import Citation
from assistant.translation.translator import TranslationError, Translator
from retrieval.record import Record
from retrieval.translations import TranslationCache, text_key

__all__ = ["RecordTranslation", "TranslationService"]

log = logging.getLogger(__name__)

# failures of one request (a text over the server's limit, a reply that is not a list), not of the service
_REQUEST_FAILURES = frozenset({"http_400", "http_413", "bad_response"})

Listener = Callable[[str, str, int], None]
"""Called with (event, reason, count): event is translated, cached or failed; reason is set for failures."""


@dataclass(frozen=True)
class RecordTranslation:
    """A whole record's title and description in another language, by machine."""

    language: str
    title: str
    description: str
    provider: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


class TranslationService:
    """Translates record texts for readers; shared by every channel (web, stream, bot, CLI)."""

    def __init__(self, translator: Translator | None, cache: TranslationCache | None, *, timeout: float = 4.0,
                 cooldown: float = 30.0) -> None:
        self.translator = translator
        self.cache = cache
        self.timeout = timeout
        self.cooldown = cooldown
        self.counts: Counter[str] = Counter()
        self._listeners: list[Listener] = []
        self._resting_until = 0.0
        self._failing = False
        self.last_error: str | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether a translator is configured."""
        return self.translator is not None

    @property
    def provider(self) -> str:
        return self.translator.name if self.translator is not None else "off"

    def listen(self, listener: Listener) -> None:
        """Be told of every translated, cached and failed batch (metrics)."""
        self._listeners.append(listener)

    def close(self) -> None:
        closer = getattr(self.translator, "close", None)
        if callable(closer):
            closer()
        if self.cache is not None:
            self.cache.close()

    # -- texts ------------------------------------------------------------------------------------------
    def texts(self, items: Iterable[tuple[str, str | None]], target: str,
              budget: float | None = None) -> dict[str, tuple[str, str]]:
        """(text, its language) pairs → {text: (translation, provider)} for those translated into `target`.

        Texts already in `target`, or of unknown language, are left out; so are the ones the translator could
        not do within `budget` seconds (default: the service's timeout).
        """
        if self.translator is None or self.cache is None:
            return {}
        by_source: dict[str, list[str]] = {}
        for text, source in items:
            if text.strip() and source and source != target and text not in by_source.setdefault(source, []):
                by_source[source].append(text)
        wanted = [t for texts in by_source.values() for t in texts]
        if not wanted:
            return {}
        keys = {t: text_key(t) for t in wanted}
        stored = self.cache.get_many(list(keys.values()), target)
        found = {t: stored[k] for t, k in keys.items() if k in stored}
        self._count("cached", "", len(found))
        deadline = time.monotonic() + (self.timeout if budget is None else budget)
        for source, texts in by_source.items():
            missing = [t for t in texts if t not in found]
            if not missing or not self._awake():
                continue
            fresh = self._ask(missing, source, target, deadline)
            if fresh is None:
                break
            self.cache.put_many(((keys[t], f, self.translator.name) for t, f in fresh.items()), target)
            found.update({t: (f, self.translator.name) for t, f in fresh.items()})
        return found

    def _awake(self) -> bool:
        return time.monotonic() >= self._resting_until

    def _ask(self, texts: list[str], source: str, target: str, deadline: float) -> dict[str, str] | None:
        """The translator's answer for one source language, or None after a failure (which rests it)."""
        assert self.translator is not None
        try:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TranslationError("timeout")
            if not self.translator.supports(source, target, remaining):
                return {}
            translated = self.translator.translate(texts, source, target, deadline - time.monotonic())
        except TranslationError as exc:
            self._failed(exc.reason, len(texts))
            return None
        with self._lock:
            if self._failing:
                log.info("translator %s answers again", self.translator.name)
            self._failing = False
        done = {text: result for text, result in zip(texts, translated, strict=True) if result is not None}
        self._count("translated", "", len(done))
        return done

    def _failed(self, reason: str, count: int) -> None:
        with self._lock:
            if reason not in _REQUEST_FAILURES:
                self._resting_until = time.monotonic() + self.cooldown
            first = not self._failing
            self._failing = True
            self.last_error = reason
        if first:
            log.warning("translator %s failed (%s); record texts stay in their own language", self.provider, reason)
        self._count("failed", reason, count)

    def _count(self, event: str, reason: str, count: int) -> None:
        if count <= 0 and event != "failed":
            return
        with self._lock:
            self.counts[event] += count
            if event == "failed":
                self.counts["failures"] += 1
        for listener in self._listeners:
            listener(event, reason, count)

    # -- what readers see -------------------------------------------------------------------------------
    def citations(self, citations: Sequence[Citation], target: str,
                  budget: float | None = None) -> list[Citation]:
        """The citations, each of another language with its `translation` (title and snippet) when done."""
        if self.translator is None:
            return list(citations)
        done = self.texts([(text, c.language) for c in citations for text in (c.title, c.snippet)], target, budget)
        out = []
        for citation in citations:
            translation = self.snippet_translation(citation.title, citation.snippet, citation.language, target, done)
            out.append(replace(citation, translation=translation) if translation else citation)
        return out

    @staticmethod
    def snippet_translation(title: str, snippet: str, language: str | None, target: str,
                            done: dict[str, tuple[str, str]]) -> dict[str, str] | None:
        """`{"language","title","snippet","provider"}` when the title (and the snippet, if any) were translated."""
        if not language or language == target or title not in done or (snippet.strip() and snippet not in done):
            return None
        snippet_text = done[snippet][0] if snippet.strip() else ""
        return {"language": target, "title": done[title][0], "snippet": snippet_text, "provider": done[title][1]}

    def to_english(self, text: str, source: str, budget: float | None = None) -> str | None:
        """A question in `source` in English, for retrieval: None when it is English already, when no translator is
        configured, or when it could not be done within `budget` seconds (default: half the service's timeout, as
        the answer waits for it)."""
        if self.translator is None or not source or source == "en" or not text.strip():
            return None
        done = self.texts([(text, source)], "en", self.timeout / 2 if budget is None else budget)
        english = done[text][0].strip() if text in done else ""
        return english if english and english != text.strip() else None

    def hits(self, items: Sequence[tuple[Record, str]], target: str) -> list[dict[str, str] | None]:
        """For search results (record, shown snippet): the translation of each, or None."""
        if self.translator is None:
            return [None] * len(items)
        done = self.texts([(text, r.language) for r, snippet in items for text in (r.title, snippet)], target)
        return [self.snippet_translation(r.title, snippet, r.language, target, done) for r, snippet in items]

    def record(self, record: Record, target: str, budget: float | None = None) -> RecordTranslation | None:
        """The record's title and whole description in `target`, or None (same language, or not possible)."""
        if self.translator is None or not record.language or record.language == target:
            return None
        done = self.texts([(record.title, record.language), (record.description, record.language)], target, budget)
        if record.title not in done or record.description not in done:
            return None
        return RecordTranslation(language=target, title=done[record.title][0],
                                 description=done[record.description][0], provider=done[record.title][1])
