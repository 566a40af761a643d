"""Translating the corpus ahead of readers (`ttc translate`): titles and leads, batched, resumable.

The lead is the snippet a record shows when a question's words do not pick another sentence (its first 240
characters), so pre-translated leads are what answers and search results show most often. Texts already in the
cache are skipped, so a run stopped at any point resumes where it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

from assistant.translation.service import TranslationService
from retrieval.record import Record
from retrieval.snippet import make_snippet
from retrieval.translations import text_key

__all__ = ["BackfillReport", "pretranslate", "record_texts"]

Progress = Callable[[str, int, int], None]
BATCH = 64
FIELDS = ("title", "lead")


@dataclass
class BackfillReport:
    """What one run did, per the texts it looked at."""

    languages: list[str]
    texts: int = 0
    cached: int = 0
    translated: int = 0
    unsupported: int = 0
    failed: int = 0
    seconds: float = 0.0
    error: str | None = None
    by_language: dict[str, int] = field(default_factory=dict)

    @property
    def texts_per_second(self) -> float:
        return round(self.translated / self.seconds, 1) if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, with texts/s."""
        return {**asdict(self), "seconds": round(self.seconds, 2), "texts_per_second": self.texts_per_second}


def record_texts(record: Record, fields: Sequence[str] = FIELDS) -> list[str]:
    """The texts of a record a reader sees first: its title and its lead."""
    texts = {"title": record.title, "lead": make_snippet(record.description, "")}
    return [texts[name] for name in fields if texts[name].strip()]


def _candidates(records: Callable[[], Iterable[Record]], target: str, kind: str | None, field_: str | None,
                fields: Sequence[str]) -> Iterator[tuple[str, str]]:
    for record in records():
        if (kind and record.kind != kind) or (field_ and record.field != field_):
            continue
        if record.language and record.language != target:
            yield from ((text, record.language) for text in record_texts(record, fields))


def pretranslate(service: TranslationService, records: Callable[[], Iterable[Record]],
                 languages: Sequence[str], *,
                 kind: str | None = None, field_: str | None = None, fields: Sequence[str] = FIELDS,
                 limit: int | None = None, progress: Progress | None = None) -> BackfillReport:
    """Translate what is not cached yet into each language (`records` walks the corpus once per language); at
    most `limit` texts are sent in all."""
    report = BackfillReport(languages=list(languages))
    if service.cache is None or service.translator is None:
        report.error = "no translator is configured (TTC_TRANSLATOR)"
        return report
    started = time.perf_counter()
    budget = max(service.timeout * 10, 60.0)
    for target in languages:
        pending = _uncached(service, list(_candidates(records, target, kind, field_, fields)), target, report)
        if limit is not None:
            pending = pending[: max(limit - report.translated, 0)]
        done = 0
        for start in range(0, len(pending), BATCH):
            batch = pending[start:start + BATCH]
            failures = service.counts["failures"]
            translated = service.texts(batch, target, budget)
            if service.counts["failures"] > failures:
                report.failed += len(batch)
                report.error = service.last_error
                break
            report.translated += len(translated)
            report.unsupported += len(batch) - len(translated)
            done += len(batch)
            report.by_language[target] = report.by_language.get(target, 0) + len(translated)
            if progress is not None:
                progress(f"Translating into {target}", done, len(pending))
        if report.error:
            break
    report.seconds = time.perf_counter() - started
    return report


def _uncached(service: TranslationService, items: list[tuple[str, str]], target: str,
              report: BackfillReport) -> list[tuple[str, str]]:
    assert service.cache is not None
    unique = list(dict.fromkeys(items))
    report.texts += len(unique)
    keys = [text_key(text) for text, _ in unique]
    stored = set(service.cache.get_many(keys, target))
    report.cached += sum(1 for k in keys if k in stored)
    return [item for item, key in zip(unique, keys, strict=True) if key not in stored]
