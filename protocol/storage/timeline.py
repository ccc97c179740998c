"""Reading the timeline, the outbox the relay drains, the handled-events ledger, and checkpoints."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

import psycopg
from sqlalchemy import DateTime, bindparam, delete, func, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from protocol.chain import EventRow as ChainRow
from protocol.events import StoredEvent
from protocol.storage.tables import CheckpointRow, EventRow, HandledEventRow, IncidentRow, OutboxRow

STREAM_BATCH = 5000
LedChainRow = tuple[uuid.UUID, int, str, datetime, str, str, str, str]  # a ChainRow led by its incident
# The columns `verify_chain` reads, in its order (see TimelineRepository.chain_rows).
CHAIN_ROWS_SQL = "SELECT seq, type, at, actor, payload, prev_hash, hash FROM events WHERE incident_id = %s ORDER BY seq"
# Every chain at once, led by its incident (see TimelineRepository.all_chain_rows).
ALL_CHAIN_ROWS_SQL = (
    "SELECT incident_id, seq, type, at, actor, payload, prev_hash, hash FROM events ORDER BY incident_id, seq"
)


# `TimelineRepository.page`, built once (every page of every timeline runs it)
_EVENTS = EventRow.__table__
_PAGE = (
    select(
        _EVENTS.c.incident_id,
        _EVENTS.c.seq,
        _EVENTS.c.type,
        _EVENTS.c.at,
        _EVENTS.c.actor,
        _EVENTS.c.payload,
        _EVENTS.c.prev_hash,
        _EVENTS.c.hash,
        _EVENTS.c.id,
    )
    .where(_EVENTS.c.incident_id == bindparam("incident_id"), _EVENTS.c.seq > bindparam("after_seq"))
    .order_by(_EVENTS.c.seq)
    .limit(bindparam("limit"))
)


def _stored(row: EventRow) -> StoredEvent:
    return StoredEvent(
        row.incident_id, row.seq, row.type, row.at, row.actor, row.payload, row.prev_hash, row.hash, row.id
    )


class TimelineRepository:
    """Read access to events; appending happens only through the incident repository."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def page(self, incident_id: uuid.UUID, *, after_seq: int = 0, limit: int = 100) -> list[StoredEvent]:
        """Up to `limit` events after `after_seq`, by the (incident_id, seq) key: plain rows, no ORM objects."""
        found = self.session.execute(_PAGE, {"incident_id": incident_id, "after_seq": after_seq, "limit": limit})
        return [StoredEvent(*row) for row in found]

    def of_type(self, incident_ids: Sequence[uuid.UUID], event_type: str) -> list[StoredEvent]:
        """The events of one type in the given incidents, in order (few: e.g. the accounts of missed deadlines)."""
        found: list[StoredEvent] = []
        ids = list(incident_ids)
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            stmt = (
                select(EventRow)
                .where(EventRow.incident_id.in_(chunk), EventRow.type == event_type)
                .order_by(EventRow.incident_id, EventRow.seq)
            )
            found.extend(_stored(r) for r in self.session.scalars(stmt))
        return found

    def event(self, event_id: int) -> StoredEvent | None:
        row = self.session.get(EventRow, event_id)
        return _stored(row) if row else None

    def chain_rows(self, incident_id: uuid.UUID) -> Iterator[ChainRow]:
        """Every event of an incident in seq order, streamed, as the tuples `verify_chain` reads.

        This feeds `herstel verify`, which must keep pace with hashing, so on PostgreSQL it reads
        with the driver itself, in the session's transaction: the server streams the rows in
        chunks while they are hashed, and the driver's tuples (aware times, binary protocol) go
        to verify as they come. Consume the rows, or drop the iterator, before the session runs
        anything else. On SQLite: Core rows, whose naive UTC times get their zone here.
        """
        return cast(Iterator[ChainRow], self._stream(CHAIN_ROWS_SQL, (incident_id,), incident_id=incident_id))

    def all_chain_rows(self) -> Iterator[LedChainRow]:
        """Every event of every incident, by incident (in the order of `incident_heads`) then seq,
        streamed: the rows of `chain_rows` led by their incident. `herstel verify --all` reads
        every chain in one statement this way rather than one transaction per incident. The same
        rules as `chain_rows`."""
        return cast(Iterator[LedChainRow], self._stream(ALL_CHAIN_ROWS_SQL, ()))

    def _stream(
        self, sql: str, params: tuple[object, ...], *, incident_id: uuid.UUID | None = None
    ) -> Iterator[tuple[object, ...]]:
        """The rows of `sql` (one of the chain statements above), streamed: on PostgreSQL by the
        driver, on SQLite as Core rows (the same columns: incident first when no `incident_id`
        is given) with their naive UTC times made aware."""
        if self.session.get_bind().dialect.name == "postgresql":
            driver = self.session.connection().connection.driver_connection
            assert driver is not None
            if psycopg.pq.version() >= 170000:  # libpq 17 streams in chunks: no round trip per batch
                with driver.cursor(binary=True) as cursor:
                    yield from cursor.stream(sql, params, size=STREAM_BATCH)
                return
            with driver.cursor(name=f"chain_{uuid.uuid4().hex}", binary=True) as cursor:  # server-side cursor
                cursor.itersize = STREAM_BATCH
                cursor.execute(sql, params)
                yield from cursor
            return
        events = EventRow.__table__
        lead = () if incident_id is not None else (events.c.incident_id,)
        stmt = select(
            *lead,
            events.c.seq,
            events.c.type,
            type_coerce(events.c.at, DateTime(timezone=True)),
            events.c.actor,
            events.c.payload,
            events.c.prev_hash,
            events.c.hash,
        )
        if incident_id is not None:
            stmt = stmt.where(events.c.incident_id == incident_id)
        stmt = stmt.order_by(*lead, events.c.seq).execution_options(yield_per=STREAM_BATCH)
        at = len(lead) + 2
        for row in self.session.execute(stmt):
            yield (*row[:at], row[at].replace(tzinfo=UTC), *row[at + 1 :])

    def incident_heads(self) -> list[tuple[uuid.UUID, int, str]]:
        """(incident, last seq, head hash) of every incident, events or not, in incident order."""
        stmt = select(IncidentRow.id, IncidentRow.last_seq, IncidentRow.head_hash).order_by(IncidentRow.id)
        return [(r[0], r[1], r[2]) for r in self.session.execute(stmt)]

    def heads(self) -> list[tuple[uuid.UUID, int, str]]:
        """(incident, last seq, head hash) for every incident that has events."""
        stmt = (
            select(IncidentRow.id, IncidentRow.last_seq, IncidentRow.head_hash)
            .where(IncidentRow.last_seq > 0)
            .order_by(IncidentRow.id)
        )
        return [(r[0], r[1], r[2]) for r in self.session.execute(stmt)]

    def incident_ids(self) -> list[uuid.UUID]:
        return list(self.session.scalars(select(IncidentRow.id).order_by(IncidentRow.id)))


class OutboxRepository:
    """Committed events waiting to be handed to the workers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, *, now: datetime, limit: int) -> list[tuple[int, str]]:
        """Lock up to `limit` due rows, skipping rows another relay holds (PostgreSQL); with their event types."""
        stmt = (
            select(OutboxRow.event_id, EventRow.type)
            .join(EventRow, EventRow.id == OutboxRow.event_id)
            .where(OutboxRow.available_at <= now)
            .order_by(OutboxRow.event_id)
            .limit(limit)
            .with_for_update(of=OutboxRow, skip_locked=True)
        )
        return [(row[0], row[1]) for row in self.session.execute(stmt)]

    def done(self, event_ids: Sequence[int]) -> None:
        self.session.execute(delete(OutboxRow).where(OutboxRow.event_id.in_(list(event_ids))))

    def defer(self, event_ids: Sequence[int], *, until: datetime) -> None:
        self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.event_id.in_(list(event_ids)))
            .values(attempts=OutboxRow.attempts + 1, available_at=until)
        )

    def backlog(self) -> int:
        return self.session.scalar(select(func.count()).select_from(OutboxRow)) or 0

    def oldest_age(self, now: datetime) -> timedelta | None:
        oldest = self.session.scalar(
            select(EventRow.at).join(OutboxRow, OutboxRow.event_id == EventRow.id).order_by(EventRow.id).limit(1)
        )
        return now - oldest if oldest else None


class HandledRepository:
    """The ledger that makes event handlers take effect once, however often an event arrives."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, handler: str, event_id: int, now: datetime) -> bool:
        """Record that `handler` handles `event_id` in this transaction; False if it already did."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(HandledEventRow).values(handler=handler, event_id=event_id, handled_at=now)
        # RETURNING, not rowcount: SQLAlchemy 2.1 reports -1 as the rowcount of an INSERT on PostgreSQL
        claimed = self.session.scalar(stmt.on_conflict_do_nothing().returning(HandledEventRow.event_id))
        return claimed is not None

    def count(self, handler: str | None = None) -> int:
        stmt = select(func.count()).select_from(HandledEventRow)
        if handler:
            stmt = stmt.where(HandledEventRow.handler == handler)
        return self.session.scalar(stmt) or 0


class CheckpointRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: CheckpointRow) -> None:
        self.session.add(row)
        self.session.flush()

    def latest(self, *, public_key: str | None = None) -> CheckpointRow | None:
        """The newest checkpoint (signed with `public_key`, when given)."""
        stmt = select(CheckpointRow).order_by(CheckpointRow.id.desc()).limit(1)
        if public_key is not None:
            stmt = stmt.where(CheckpointRow.public_key == public_key)
        return self.session.scalars(stmt).one_or_none()

    def list(self, limit: int = 50) -> list[CheckpointRow]:
        return list(self.session.scalars(select(CheckpointRow).order_by(CheckpointRow.id.desc()).limit(limit)))
