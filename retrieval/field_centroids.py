"""The catalogue's fields as places in the embedder's space: the field a text is nearest to.

A field is what its records are about, so its place is the mean of its records' vectors, each with its language's
mean vector removed first (`retrieval.coherence`: records in two languages resemble each other less only because
of the language, and a field whose records are mostly Chinese would otherwise be the place of Chinese). A text
is nearest to the field whose centroid its vector is closest to by cosine.

This reads the field of a need that no record fits clearly (`assistant.chat.chain`, with the records the answer
shows having to agree): the records that came closest are about something else, and a word list or a few labelled
inquiries know a field only in the words they hold. On 71 judged needs in 22 languages (the field of their relevant
records as the truth), the nearest centroid was right for 52, the inquiry classifier's rules and examples for 33 (21
without a field, 17 wrong) (`benchmarks/need_fields.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["MIN_RECORDS", "FieldCentroids"]

MIN_RECORDS = 3
"""A field with fewer records has no centroid: one or two records are a topic, not a field."""

_CHUNK = 8_192
_NO_FIELD = frozenset({"", "other"})


class FieldCentroids:
    """One unit centroid per field of at least `MIN_RECORDS` records."""

    def __init__(self, vectors: np.ndarray, fields: np.ndarray, field_names: Sequence[str], languages: np.ndarray,
                 means: np.ndarray) -> None:
        """`fields` and `languages`: each record's code into `field_names` and into the rows of `means` (one mean
        vector per language)."""
        dim = vectors.shape[1] if vectors.ndim == 2 else means.shape[-1]
        sums = np.zeros((len(field_names), dim), dtype=np.float64)
        counts = np.bincount(fields, minlength=len(field_names)) if len(fields) else np.zeros(len(field_names))
        by_language = np.zeros((len(field_names), len(means)), dtype=np.float64)
        for start in range(0, len(fields), _CHUNK):  # a few MB at a time, whatever the corpus size
            codes = fields[start:start + _CHUNK]
            members = np.zeros((len(codes), len(field_names)), dtype=np.float64)
            members[np.arange(len(codes)), codes] = 1.0
            sums += members.T @ np.asarray(vectors[start:start + _CHUNK], dtype=np.float64)
            np.add.at(by_language, (codes, languages[start:start + _CHUNK]), 1.0)
        centred = sums - by_language @ np.asarray(means, dtype=np.float64)  # Σ (v - mean of v's language)
        keep = [n for n, name in enumerate(field_names) if name not in _NO_FIELD and counts[n] >= MIN_RECORDS]
        norms = np.linalg.norm(centred[keep], axis=1, keepdims=True) if keep else np.zeros((0, 1))
        self.names = [str(field_names[n]) for n in keep]
        self.matrix = np.asarray(centred[keep] / np.maximum(norms, 1e-12), dtype=np.float32).reshape(len(keep), dim)

    def nearest(self, query: np.ndarray) -> list[tuple[str, float]]:
        """Every field with the cosine of `query` to its centroid, nearest first."""
        if not self.names:
            return []
        q = np.asarray(query, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        cosines = np.einsum("ij,j->i", self.matrix, q)
        return sorted(zip(self.names, cosines.tolist(), strict=True), key=lambda item: -item[1])
