"""Where a catalog that replicates a shared record store stands: the store it follows and the feed generation it
has applied (`retrieval.shared.replica`), and the ids it holds, to reconcile them with the store's."""

from __future__ import annotations

from retrieval.catalog.database import CatalogDatabase

__all__ = ["ReplicationState"]

_STORE = "replica_store"
_GENERATION = "replica_generation"


class ReplicationState(CatalogDatabase):
    """The replica's position, kept in the catalog it describes so that the two cannot disagree after a copy."""

    def replication(self) -> tuple[str | None, int]:
        """(id of the shared store followed, feed generation applied), or (None, 0) for a catalog that has never
        been filled from one."""
        with self._lock:
            values = dict(self._db.execute("SELECT key, value FROM meta WHERE key IN (?, ?)",
                                           (_STORE, _GENERATION)).fetchall())
        return values.get(_STORE) or None, int(values.get(_GENERATION, 0))

    def set_replication(self, store: str, generation: int) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                           [(_STORE, store), (_GENERATION, str(generation))])

    def ids(self) -> set[str]:
        """The ids of every record."""
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT id FROM records")}
