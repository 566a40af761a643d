"""BM25 over the catalog's FTS5 index, bounded in cost by the document frequencies of the query's terms."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from retrieval.catalog.database import CatalogDatabase
from retrieval.catalog.filters import Filters, countries_in
from retrieval.tokenizer import index_terms

__all__ = ["LEXICAL_BUDGET", "LexicalIndex"]

LEXICAL_BUDGET = 5000
"""Records a lexical query may score at most (`Catalog.lexical_search`)."""


class LexicalIndex(CatalogDatabase):
    """Lexical search and the document frequencies it picks terms by."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        # document frequency per term (fts5vocab counts a term's records by reading its list)
        self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.lexical_vocab USING fts5vocab(main, lexical, row)")
        self._frequencies: dict[str, int] = {}
        self._frequencies_version = -1

    def lexical_search(self, query: str, limit: int, filters: Filters,
                       budget: int | None = LEXICAL_BUDGET) -> list[tuple[str, float]]:
        """BM25 over the FTS5 index: (id, score) best first; score is -bm25 (higher is better).

        FTS5 scores every record a term matches, about 2 µs each: at 150k records one word found in a fifth
        of them costs 60 ms, for the weakest evidence a query has (BM25 weighs it by a small IDF, and the
        fusion bounds the bonus by the BM25 of a rare word anyway). So the query's terms are taken rarest
        first while the records they match add up to at most `budget`; common words beyond it are left to
        the dense side. A corpus under `budget` records always keeps every term. None: no bound.
        """
        terms = list(dict.fromkeys(index_terms(query)))[:64]
        if terms and budget is not None:
            terms = self._informative(terms, budget)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        values = {name: countries_in(value) if name == "country" else (value,) for name, value in filters.items()}
        where = "".join(f" AND r.{name} IN ({','.join('?' * len(v))})" for name, v in values.items())
        sql = (
            "SELECT r.id, bm25(lexical) AS s FROM lexical JOIN records r INDEXED BY records_filters"
            " ON r.num = lexical.rowid"
            f" WHERE lexical MATCH ?{where} ORDER BY s LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(sql, (match, *[v for vs in values.values() for v in vs], limit)).fetchall()
        return [(rid, -float(score)) for rid, score in rows]

    def _informative(self, terms: list[str], budget: int) -> list[str]:
        """The rarest of `terms` whose document frequencies add up to at most `budget` (unknown terms dropped)."""
        frequencies = self.document_frequencies(terms)
        chosen: list[str] = []
        total = 0
        for term in sorted((t for t in terms if frequencies.get(t)), key=lambda t: frequencies[t]):
            total += frequencies[term]
            if total > budget:
                break
            chosen.append(term)
        return chosen

    def document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """term → how many records contain it, for the terms that occur; cached until the catalog changes."""
        with self._lock:
            version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
            if version != self._frequencies_version or len(self._frequencies) > 100_000:
                self._frequencies.clear()
                self._frequencies_version = version
            unknown = [t for t in terms if t not in self._frequencies]
            if unknown:
                found = dict(self._db.execute(
                    f"SELECT term, doc FROM temp.lexical_vocab WHERE term IN ({','.join('?' * len(unknown))})",
                    unknown).fetchall())
                self._frequencies.update({t: int(found.get(t, 0)) for t in unknown})
            return {t: self._frequencies[t] for t in terms if self._frequencies[t]}
