"""An in-memory snapshot of the dense vectors with their filter fields, for exact per-language search.

Calibrated ranking needs, for every query, the best records of *each* language, and the language
statistics need every vector anyway; an exact matrix product over a few thousand 384-d vectors takes
well under a millisecond, where one vector-store round trip per language would cost several.
The index rebuilds the snapshot when the catalog changes (`Index.snapshot`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from retrieval.calibration import Calibration
from retrieval.catalog import FILTER_COLUMNS, Filters

__all__ = ["VectorSnapshot"]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def _matvec(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    # einsum stays on one core: a multi-threaded BLAS matrix-vector product took 16 ms instead of 0.2 ms
    # (4,200 x 384) on a busy 2-core machine, its threads waiting for each other
    return np.asarray(np.einsum("ij,j->i", matrix, vector))


class VectorSnapshot:
    """Unit vectors of records, their filter fields (kind, field, country, language) and language calibration."""

    def __init__(self, ids: Sequence[str], columns: Mapping[str, Sequence[str]], vectors: np.ndarray) -> None:
        if any(len(values) != len(ids) for values in columns.values()):
            raise ValueError("one value per id in every column")
        self.ids = list(ids)
        self.vectors = _unit(np.asarray(vectors, dtype=np.float32).reshape(len(self.ids), -1))
        self._row = {doc_id: n for n, doc_id in enumerate(self.ids)}
        self._columns = {name: np.asarray(list(columns.get(name, [""] * len(self.ids))), dtype=object)
                         for name in FILTER_COLUMNS}
        self.calibration = Calibration(list(self._columns["language"]), self.vectors)
        languages = self._columns["language"]
        self._language_rows = {language: languages == language for language in self.calibration.languages}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row

    def _mask(self, filters: Filters) -> np.ndarray:
        mask = np.ones(len(self.ids), dtype=bool)
        for name, value in filters.items():
            mask &= self._columns[name] == value
        return mask

    def top_by_language(self, query: np.ndarray, limit: int, filters: Filters) -> dict[str, list[tuple[str, float]]]:
        """language → (id, cosine) of its best `limit` records that pass `filters`, best first."""
        q = _unit(np.asarray(query, dtype=np.float32))
        mask = self._mask(filters)
        cosines = _matvec(self.vectors, q)
        out: dict[str, list[tuple[str, float]]] = {}
        for language, in_language in self._language_rows.items():
            rows = np.flatnonzero(mask & in_language)
            if not len(rows):
                continue
            if len(rows) > limit:
                rows = rows[np.argpartition(-cosines[rows], limit - 1)[:limit]]
            rows = rows[np.argsort(-cosines[rows], kind="stable")]
            out[language] = [(self.ids[r], float(cosines[r])) for r in rows]
        return out

    def calibrated(self, query: np.ndarray, limit: int, filters: Filters) -> dict[str, float]:
        """id → calibrated (per-language z) score of the best `limit` records of each language."""
        out: dict[str, float] = {}
        for language, found in self.top_by_language(query, limit, filters).items():
            z = self.calibration.zscore(query, language, [score for _, score in found])
            out.update(zip([doc_id for doc_id, _ in found], z, strict=True))
        return out

    def score(self, query: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Calibrated scores of the snapshot's records among `ids` (the others are left out)."""
        known = [doc_id for doc_id in ids if doc_id in self._row]
        if not known:
            return {}
        q = _unit(np.asarray(query, dtype=np.float32))
        rows = [self._row[d] for d in known]
        cosines = _matvec(self.vectors[rows], q).tolist()
        languages = self._columns["language"][rows]
        out: dict[str, float] = {}
        for language in set(languages):
            picked = [n for n, lang in enumerate(languages) if lang == language]
            z = self.calibration.zscore(q, language, [cosines[n] for n in picked])
            out.update({known[n]: value for n, value in zip(picked, z, strict=True)})
        return out
