"""An in-memory snapshot of the dense vectors with their filter fields, for exact per-language search.

Calibrated ranking needs, for every query, the best records of *each* language, and the language
statistics need every vector anyway; an exact matrix product over a few thousand 384-d vectors takes
well under a millisecond, where one vector-store round trip per language would cost several.
The index rebuilds the snapshot when the catalog changes (`Index.snapshot`). Scores are calibrated on both
sides (`retrieval.calibration`): per language for the query, against its own usual scores for the record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from retrieval.calibration import MOMENTS_VERSION, Calibration, DocumentMoments
from retrieval.catalog import FILTER_COLUMNS, Filters, countries_in
from retrieval.coherence import PairMoments, coherence_z, language_means
from retrieval.field_centroids import FieldCentroids

__all__ = ["VectorSnapshot"]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def _matvec(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    # einsum stays on one core: a multi-threaded BLAS matrix-vector product took 16 ms instead of 0.2 ms
    # (4,200 x 384) on a busy 2-core machine, its threads waiting for each other
    return np.asarray(np.einsum("ij,j->i", matrix, vector))


class VectorSnapshot:
    """Unit vectors of records, their filter fields (kind, field, country, language) and both calibrations."""

    generation = -1
    """The catalog generation it was built from (`Catalog.generation`), when the index knows it."""

    def __init__(self, ids: Sequence[str], columns: Mapping[str, Sequence[str]], vectors: np.ndarray) -> None:
        if any(len(values) != len(ids) for values in columns.values()):
            raise ValueError("one value per id in every column")
        matrix = np.asarray(vectors, dtype=np.float32)
        unit = _unit(matrix.reshape(len(ids), -1 if len(ids) else matrix.shape[-1]))
        # filter columns as small integer codes: comparing 150k codes takes 5 µs, 150k strings 2 ms
        values: dict[str, np.ndarray] = {}
        codes: dict[str, np.ndarray] = {}
        for name in FILTER_COLUMNS:
            values[name], inverse = np.unique(np.asarray(list(columns.get(name, [""] * len(ids))), dtype=str),
                                              return_inverse=True)
            codes[name] = np.asarray(inverse, dtype=np.int32).reshape(len(ids))
        self._setup(list(ids), unit, values, codes)
        languages = [self._languages[c] for c in self._columns["language"]]
        self.calibration = Calibration(languages, self.vectors)
        self.documents = DocumentMoments(self.calibration, languages, self.vectors)

    def _setup(self, ids: list[str], unit: np.ndarray, values: Mapping[str, np.ndarray],
               codes: Mapping[str, np.ndarray]) -> None:
        self.ids = ids
        self.vectors = unit
        self._row = {doc_id: n for n, doc_id in enumerate(ids)}
        self._values = dict(values)
        self._codes = {name: {str(value): n for n, value in enumerate(values[name].tolist())} for name in values}
        self._columns = dict(codes)
        self._languages = [str(value) for value in values["language"].tolist()]
        # rows of each language, for unfiltered searches
        self._language_rows = {code: np.flatnonzero(self._columns["language"] == code)
                               for code in range(len(self._languages))}
        self._pair_moments: dict[str | None, PairMoments] = {}
        self._language_means: np.ndarray | None = None
        self._field_centroids: FieldCentroids | None = None

    def state(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(unit vectors, every other array) from which `restore` rebuilds this snapshot without recomputing."""
        arrays: dict[str, np.ndarray] = {"ids": np.asarray(self.ids, dtype=str),
                                         "level": self.documents.level, "spread": self.documents.spread,
                                         "moments_version": np.asarray(MOMENTS_VERSION)}
        for name in FILTER_COLUMNS:
            arrays[f"values_{name}"] = self._values[name]
            arrays[f"codes_{name}"] = self._columns[name]
        arrays.update({f"calibration_{key}": value for key, value in self.calibration.state().items()})
        return self.vectors, arrays

    @classmethod
    def restore(cls, vectors: np.ndarray, arrays: Mapping[str, np.ndarray]) -> VectorSnapshot:
        """The snapshot whose `state` these are; `vectors` may be a read-only memory map (shared by processes)."""
        if int(arrays.get("moments_version", 1)) != MOMENTS_VERSION:
            raise KeyError("document moments of another version: rebuild")
        snapshot = cls.__new__(cls)
        snapshot._setup([str(i) for i in arrays["ids"].tolist()], vectors,
                        {name: arrays[f"values_{name}"] for name in FILTER_COLUMNS},
                        {name: arrays[f"codes_{name}"] for name in FILTER_COLUMNS})
        prefix = "calibration_"
        snapshot.calibration = Calibration.restore(
            {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)})
        snapshot.documents = DocumentMoments.restore(arrays["level"], arrays["spread"])
        return snapshot

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row

    def _selected(self, filters: Filters) -> np.ndarray | None:
        """Rows passing `filters` (ascending), or None when there is no filter."""
        mask: np.ndarray | None = None
        for name, value in filters.items():
            values = countries_in(value) if name == "country" else (value,)
            codes = [code for v in values if (code := self._codes[name].get(v)) is not None]
            if not codes:
                return np.zeros(0, dtype=np.int64)
            passing = np.isin(self._columns[name], codes)
            mask = passing if mask is None else mask & passing
        return None if mask is None else np.flatnonzero(mask)

    def _by_language(self, rows: np.ndarray | None) -> dict[int, np.ndarray]:
        if rows is None:
            return self._language_rows
        codes = self._columns["language"][rows]
        return {int(code): rows[codes == code] for code in np.unique(codes)}

    def _top_rows(self, q: np.ndarray, limit: int, filters: Filters) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Cosines (of every row, or of the filtered rows only: NaN elsewhere) and each language's best rows.

        A filter that keeps under a quarter of the corpus is applied first and only its rows are scored: exact,
        and the product shrinks with the filter (gathering rows costs about 4x a streamed row, hence a quarter).
        """
        out: dict[str, np.ndarray] = {}
        if not len(self.ids):
            return np.zeros(0, dtype=np.float32), out
        rows = self._selected(filters)
        if rows is not None and len(rows) * 4 < len(self.ids):
            cosines = np.full(len(self.ids), np.nan, dtype=np.float32)
            cosines[rows] = _matvec(self.vectors[rows], q)
        else:
            cosines = _matvec(self.vectors, q)
        for code, in_language in self._by_language(rows).items():
            if not len(in_language):
                continue
            picked = in_language
            if len(picked) > limit:
                picked = picked[np.argpartition(-cosines[picked], limit - 1)[:limit]]
            out[self._languages[code]] = picked[np.argsort(-cosines[picked], kind="stable")]
        return cosines, out

    def top_by_language(self, query: np.ndarray, limit: int, filters: Filters) -> dict[str, list[tuple[str, float]]]:
        """language → (id, cosine) of its best `limit` records that pass `filters`, best first."""
        cosines, found = self._top_rows(_unit(np.asarray(query, dtype=np.float32)), limit, filters)
        return {language: [(self.ids[r], float(cosines[r])) for r in rows] for language, rows in found.items()}

    def _scores(self, q: np.ndarray, language: str, rows: np.ndarray, cosines: np.ndarray) -> np.ndarray:
        mean, std = self.calibration.moments(q, language)
        return self.documents.adjust(rows, (cosines - mean) / std)

    def calibrated(self, query: np.ndarray, limit: int, filters: Filters) -> dict[str, float]:
        """id → calibrated score of the best `limit` records (by cosine) of each language.

        The score is the record's per-language z-score, relative to its usual z-scores
        (`DocumentMoments.adjust`).
        """
        q = _unit(np.asarray(query, dtype=np.float32))
        cosines, found = self._top_rows(q, limit, filters)
        out: dict[str, float] = {}
        for language, rows in found.items():
            scores = self._scores(q, language, rows, cosines[rows])
            out.update(zip([self.ids[r] for r in rows], scores.tolist(), strict=True))
        return out

    def language_shares(self) -> dict[str, float]:
        """Each language's share of the records, largest first."""
        total = max(len(self.ids), 1)
        shares = {self._languages[code]: len(rows) / total for code, rows in self._language_rows.items() if len(rows)}
        return dict(sorted(shares.items(), key=lambda item: -item[1]))

    def coherence(self, ids: Sequence[str], kind: str | None = None) -> float | None:
        """How much the records among `ids` resemble each other, as a z-score against two random records of `kind`
        (`retrieval.coherence`); None for fewer than two known records."""
        rows = [self._row[d] for d in dict.fromkeys(ids) if d in self._row]
        if len(rows) < 2:
            return None
        means, languages = self._means(), self._columns["language"]

        def pool() -> PairMoments:
            if kind not in self._pair_moments:
                selected = self._selected(Filters(kind=kind)) if kind else None
                pool_rows = np.arange(len(self.ids)) if selected is None else selected
                self._pair_moments[kind] = PairMoments(self.vectors, languages, means, pool_rows)
            return self._pair_moments[kind]

        return coherence_z(self.vectors, languages, means, rows, pool)

    def _means(self) -> np.ndarray:
        """Each language's mean vector, in language-code order."""
        if self._language_means is None:
            stats = {language: s.mean for language, s in self.calibration.stats.items()}
            self._language_means = language_means(self._languages, stats, self.vectors.shape[1])
        return self._language_means

    def nearest_fields(self, query: np.ndarray) -> list[tuple[str, float]]:
        """The catalogue's fields with the cosine of `query` to each one's centroid, nearest first
        (`retrieval.field_centroids`); built on first use."""
        if self._field_centroids is None:
            self._field_centroids = FieldCentroids(self.vectors, self._columns["field"],
                                                   [str(v) for v in self._values["field"].tolist()],
                                                   self._columns["language"], self._means())
        return self._field_centroids.nearest(query)

    def vectors_of(self, ids: Sequence[str]) -> np.ndarray:
        """Unit vectors of the snapshot's records among `ids`, in that order (the others are left out)."""
        rows = [self._row[d] for d in ids if d in self._row]
        return np.asarray(self.vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float32)

    def score(self, query: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Calibrated scores of the snapshot's records among `ids` (the others are left out)."""
        known = [doc_id for doc_id in ids if doc_id in self._row]
        if not known:
            return {}
        q = _unit(np.asarray(query, dtype=np.float32))
        rows = np.asarray([self._row[d] for d in known], dtype=np.int64)
        cosines = _matvec(self.vectors[rows], q)
        languages = self._columns["language"][rows]
        out: dict[str, float] = {}
        for code in dict.fromkeys(languages.tolist()):
            picked = np.flatnonzero(languages == code)
            scores = self._scores(q, self._languages[code], rows[picked], cosines[picked])
            out.update(zip([known[n] for n in picked], scores.tolist(), strict=True))
        return out
