"""Records in PostgreSQL: the source of truth several nodes share, with the catalog's interface for writing and
reading records, plus the change feed a node's replica follows (`retrieval.shared.replica`).

Lexical search and the vectors search reads are not here: they are per-node caches (the local catalog and the
search snapshot) that follow this store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from retrieval.catalog import FILTER_COLUMNS, StoredRecord
from retrieval.errors import Unavailable
from retrieval.record import Record
from retrieval.shared.schema import migrate, record_feed, records

__all__ = ["Change", "SharedRecords"]

_CHUNK = 1000
_STAMP = "%Y-%m-%dT%H:%M:%SZ"
"""`changed_since` stamps: ISO UTC seconds, as the local catalog writes them."""


@dataclass(frozen=True)
class Change:
    """One row of the change feed: the record as written at generation `seq`, or its tombstone."""

    id: str
    seq: int
    hash: str
    embedded: bool
    text_hash: str
    record: Record | None
    """None when the record was deleted."""


def _change(row: Any) -> Change:
    record = None if row.deleted else Record.model_validate_json(row.data)
    return Change(row.id, row.seq, row.hash, bool(row.hash) and row.hash == row.embedded_hash, row.text_hash, record)


_FEED_COLUMNS = (records.c.id, records.c.seq, records.c.deleted, records.c.hash, records.c.embedded_hash,
                 records.c.text_hash, records.c.data)
_LIVE = records.c.deleted.is_(False)


class SharedRecords:
    """The records table of a PostgreSQL database; safe to share between threads (one engine, pooled)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, engine: Engine) -> SharedRecords:
        """The store over `engine` with the newest schema (`retrieval.shared.schema.migrate`)."""
        migrate(engine)
        return cls(engine)

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[Connection]:
        try:
            with self.engine.begin() if write else self.engine.connect() as connection:
                yield connection
        except SQLAlchemyError as exc:
            detail = f"{exc.__class__.__name__}: {exc}".splitlines()[0]
            raise Unavailable(f"record database unavailable: {detail}") from exc

    @staticmethod
    def _next_generation(connection: Connection) -> int:
        """Take the feed's next generation; the row stays locked until the write commits, so writers take turns
        and generations commit in order (a follower that has seen generation G has seen every write up to G)."""
        return int(connection.execute(
            update(record_feed).where(record_feed.c.id == 1).values(generation=record_feed.c.generation + 1)
            .returning(record_feed.c.generation)).scalar_one())

    # -- the catalog's interface -----------------------------------------------------------------------------------
    def hashes(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """id → (content hash, hash whose vector the dense store holds) for the ids that exist."""
        out: dict[str, tuple[str, str]] = {}
        with self._connect() as db:
            for start in range(0, len(ids), _CHUNK):
                rows = db.execute(select(records.c.id, records.c.hash, records.c.embedded_hash)
                                  .where(records.c.id.in_(ids[start:start + _CHUNK]), _LIVE))
                out.update({row.id: (row.hash, row.embedded_hash) for row in rows})
        return out

    def upsert(self, items: Iterable[tuple[Record, str]], text_hashes: Sequence[str] | None = None,
               terms: Sequence[str] | None = None) -> int:
        """Write records in one transaction at the next generation; returns it. `terms` are ignored: the
        lexical index is each node's own (the replica tokenizes what it applies)."""
        batch = list(items)
        hashes = list(text_hashes) if text_hashes is not None else [""] * len(batch)
        if len(hashes) != len(batch):
            raise ValueError("one text hash per record")
        if not batch:
            return self.generation()
        with self._connect(write=True) as db:
            generation = self._next_generation(db)
            rows = [{"id": record.id, "seq": generation, "deleted": False, "kind": record.kind,
                     "field": record.field or "", "country": record.country or "",
                     "language": record.language or "", "hash": digest, "embedded_hash": "",
                     "text_hash": text_hash, "data": record.model_dump_json(), "updated_at": func.now()}
                    for (record, digest), text_hash in zip(batch, hashes, strict=True)]
            statement = insert(records)
            changed = {name: statement.excluded[name] for name in
                       ("seq", "deleted", "kind", "field", "country", "language", "hash", "text_hash", "data",
                        "updated_at")}
            for start in range(0, len(rows), _CHUNK):
                db.execute(statement.values(rows[start:start + _CHUNK])
                           .on_conflict_do_update(index_elements=[records.c.id], set_=changed))
        return generation

    def mark_embedded(self, items: Iterable[tuple[str, str]]) -> None:
        """Record that the dense store now holds the vector of (id, hash): a change the replicas follow (they
        fetch the vector then)."""
        pairs = list(items)
        if not pairs:
            return
        with self._connect(write=True) as db:
            generation = self._next_generation(db)
            for start in range(0, len(pairs), _CHUNK):
                db.execute(
                    update(records)
                    .where(tuple_(records.c.id, records.c.hash).in_(pairs[start:start + _CHUNK]), _LIVE)
                    .values(embedded_hash=records.c.hash, seq=generation))

    def pending(self, limit: int) -> list[tuple[Record, str]]:
        """Records whose current content has no vector in the dense store yet."""
        with self._connect() as db:
            rows = db.execute(select(records.c.data, records.c.hash)
                              .where(_LIVE, records.c.embedded_hash != records.c.hash)
                              .order_by(records.c.id).limit(limit))
            return [(Record.model_validate_json(row.data), row.hash) for row in rows]

    def count_pending(self) -> int:
        with self._connect() as db:
            return int(db.execute(select(func.count()).select_from(records)
                                  .where(_LIVE, records.c.embedded_hash != records.c.hash)).scalar_one())

    def delete(self, record_id: str) -> bool:
        """Replace the record by a tombstone at the next generation; False when there was no such record."""
        with self._connect(write=True) as db:
            generation = self._next_generation(db)
            found = db.execute(
                update(records).where(records.c.id == record_id, _LIVE)
                .values(deleted=True, seq=generation, hash="", embedded_hash="", text_hash="", data="",
                        updated_at=func.now())
                .returning(records.c.id)).first()
        return found is not None

    def get(self, record_id: str) -> StoredRecord | None:
        with self._connect() as db:
            row = db.execute(select(records.c.data, records.c.hash, records.c.embedded_hash)
                             .where(records.c.id == record_id, _LIVE)).first()
        if row is None:
            return None
        return StoredRecord(Record.model_validate_json(row.data), row.hash, row.hash == row.embedded_hash)

    def get_many(self, ids: Sequence[str]) -> dict[str, Record]:
        out: dict[str, Record] = {}
        with self._connect() as db:
            for start in range(0, len(ids), _CHUNK):
                rows = db.execute(select(records.c.id, records.c.data)
                                  .where(records.c.id.in_(ids[start:start + _CHUNK]), _LIVE))
                out.update({row.id: Record.model_validate_json(row.data) for row in rows})
        return out

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute(select(func.count()).select_from(records).where(_LIVE)).scalar_one())

    def counts_by(self, column: str) -> dict[str, int]:
        if column not in FILTER_COLUMNS:
            raise ValueError(column)
        value = records.c[column]
        with self._connect() as db:
            rows = db.execute(select(value, func.count()).where(_LIVE).group_by(value)
                              .order_by(func.count().desc()))
            return {(row[0] or "unknown"): int(row[1]) for row in rows}

    def changed_since(self, stamp: str, limit: int = 1000) -> list[tuple[str, Record]]:
        """(updated_at, record) of records written after `stamp` (ISO UTC seconds), oldest first."""
        since = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC) if stamp else datetime.min.replace(tzinfo=UTC)
        # compared in whole seconds, as the stamps are: a caller passing back the newest stamp it got must not
        # get the same records again
        second = func.date_trunc("second", records.c.updated_at)
        with self._connect() as db:
            rows = db.execute(select(second.label("stamp"), records.c.data).where(_LIVE, second > since)
                              .order_by(records.c.updated_at, records.c.id).limit(limit))
            return [(row.stamp.astimezone(UTC).strftime(_STAMP), Record.model_validate_json(row.data))
                    for row in rows]

    def iter_records(self, batch: int = 1000) -> Iterator[Record]:
        last = ""
        while True:
            with self._connect() as db:
                rows = db.execute(select(records.c.id, records.c.data).where(_LIVE, records.c.id > last)
                                  .order_by(records.c.id).limit(batch)).all()
            if not rows:
                return
            last = rows[-1].id
            for row in rows:
                yield Record.model_validate_json(row.data)

    def generation(self) -> int:
        """The feed's generation: it grows with every committed write."""
        return self.feed()[1]

    # -- the change feed -------------------------------------------------------------------------------------------
    def feed(self) -> tuple[str, int]:
        """(store id, generation): the id changes when the database is replaced (a replica then starts over)."""
        with self._connect() as db:
            row = db.execute(select(record_feed.c.store_id, record_feed.c.generation)
                             .where(record_feed.c.id == 1)).one()
        return str(row.store_id), int(row.generation)

    def count_changes(self, after: int, upto: int) -> int:
        """How many rows `changes(after, upto)` yields (for progress)."""
        where = [records.c.seq > after, records.c.seq <= upto] + ([_LIVE] if after == 0 else [])
        with self._connect() as db:
            return int(db.execute(select(func.count()).select_from(records).where(*where)).scalar_one())

    def changes(self, after: int, upto: int, page: int = 2000) -> Iterator[list[Change]]:
        """Pages of the rows written after generation `after` up to `upto`, in feed order. From generation 0
        (a new replica) tombstones are left out: there is nothing to delete yet."""
        where = [records.c.seq > after, records.c.seq <= upto] + ([_LIVE] if after == 0 else [])
        position: tuple[int, str] | None = None
        while True:
            query = select(*_FEED_COLUMNS).where(*where)
            if position is not None:
                query = query.where(tuple_(records.c.seq, records.c.id) > tuple_(*position))
            with self._connect() as db:
                rows = db.execute(query.order_by(records.c.seq, records.c.id).limit(page)).all()
            if not rows:
                return
            position = (rows[-1].seq, rows[-1].id)
            yield [_change(row) for row in rows]

    def current(self, ids: Sequence[str]) -> list[Change]:
        """The feed rows of `ids` as they are now (deleted ones included)."""
        out: list[Change] = []
        with self._connect() as db:
            for start in range(0, len(ids), _CHUNK):
                rows = db.execute(select(*_FEED_COLUMNS).where(and_(records.c.id.in_(ids[start:start + _CHUNK]))))
                out.extend(_change(row) for row in rows)
        return out
