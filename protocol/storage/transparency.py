"""The transparency log's rows: leaves in log order, complete-subtree hashes, signed tree heads."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import DateTime, and_, delete, func, insert, or_, select, tuple_, type_coerce
from sqlalchemy.orm import Session

from protocol.storage.tables import EventRow, LogEntryRow, LogNodeRow, LogQueueRow, TreeHeadRow

# Any constant: the key of the PostgreSQL advisory lock that lets one sequencer run at a time.
SEQUENCER_LOCK = 0x6865727374656C  # "herstel"
STREAM_BATCH = 5000
NODE_LIST = 200  # up to this many nodes are read as a list of keys, more as ranges of positions
DEQUEUE_CHUNK = 5000  # ids per IN list (SQLite allows 32,766 bound parameters)
NODE_GAP = 64  # positions this close are read as one range (a few unwanted rows instead of another range)

# (log_index, leaf_hash, incident_id, seq, type, at, actor, payload, prev_hash, hash) in log order
LeafRow = tuple[int, str, uuid.UUID, int, str, datetime, str, str, str, str]


class TransparencyRepository:
    """Read and append the log; nothing here updates or deletes (triggers would refuse it)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # sequencing

    def lock_sequencer(self) -> None:
        """Hold the sequencer's lock until the transaction ends (SQLite: BEGIN IMMEDIATE already does)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(SEQUENCER_LOCK)))

    def size(self) -> int:
        """The number of leaves in the log."""
        last = self.session.scalar(select(func.max(LogEntryRow.log_index)))
        return 0 if last is None else last + 1

    def unsequenced(self, limit: int) -> list[tuple[int, str]]:
        """(event id, chain hash) of committed events not yet in the log, oldest insertion first.

        Read from the queue (`log_queue`), not by comparing ids with the last one sequenced: on
        PostgreSQL a transaction can commit an event whose id is lower than one already
        sequenced, and it must not be lost. Its queue row commits with it, in the same
        transaction, so it is in the queue as soon as the event is visible, whatever its id; the
        sequencer deletes exactly the rows it sequenced (`dequeue`), in the transaction that
        writes their leaves. The cost follows what waits, not the log: the former anti-join
        (`NOT EXISTS` over every event) read the whole events table on every run
        (bench/README.md, "Transparency log").

        Two statements, so that the plan cannot go wrong: the queue's first ids (its primary key,
        in order), then those events by theirs. As one join, PostgreSQL with the queue's
        statistics from when it was full chose a merge join that walks the events' key from the
        first event: the whole table again.
        """
        ids = list(self.session.scalars(select(LogQueueRow.event_id).order_by(LogQueueRow.event_id).limit(limit)))
        hashes: dict[int, str] = {}
        for start in range(0, len(ids), DEQUEUE_CHUNK):
            chunk = ids[start : start + DEQUEUE_CHUNK]
            hashes.update(
                (row[0], row[1])
                for row in self.session.execute(select(EventRow.id, EventRow.hash).where(EventRow.id.in_(chunk)))
            )
        return [(event_id, hashes[event_id]) for event_id in ids]

    def dequeue(self, event_ids: Sequence[int]) -> None:
        """Take sequenced events off the queue (only these: rows committed meanwhile stay)."""
        for start in range(0, len(event_ids), DEQUEUE_CHUNK):
            chunk = list(event_ids[start : start + DEQUEUE_CHUNK])
            self.session.execute(delete(LogQueueRow).where(LogQueueRow.event_id.in_(chunk)))

    def append(self, entries: Sequence[tuple[int, int, str]], nodes: Sequence[tuple[int, int, str]]) -> None:
        """Add leaves (log index, event id, leaf hash hex) and the subtree nodes (level, position, hash hex)."""
        if entries:
            self.session.execute(
                insert(LogEntryRow),
                [{"log_index": i, "event_id": e, "leaf_hash": h} for i, e, h in entries],
            )
        if nodes:
            self.session.execute(insert(LogNodeRow), [{"level": lv, "position": p, "hash": h} for lv, p, h in nodes])

    # reading

    def node(self, level: int, position: int) -> bytes:
        """The hash of a complete subtree; KeyError if it is not stored (the log is not that big)."""
        value = self.session.scalar(
            select(LogNodeRow.hash).where(LogNodeRow.level == level, LogNodeRow.position == position)
        )
        if value is None:
            raise KeyError((level, position))
        return bytes.fromhex(value)

    def nodes(self, keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The hashes of many complete subtrees at once: a proof's O(log n) nodes in one query."""
        if not keys:
            return {}
        if len(keys) <= NODE_LIST:
            stmt = select(LogNodeRow.level, LogNodeRow.position, LogNodeRow.hash).where(
                tuple_(LogNodeRow.level, LogNodeRow.position).in_(sorted(keys))
            )
            return {(row[0], row[1]): bytes.fromhex(row[2]) for row in self.session.execute(stmt)}
        # many nodes (an export's proofs): a long list of pairs is slow to plan and run on
        # PostgreSQL, so read runs of neighbouring positions per level as ranges of the key
        ranges = []
        for level, first, last in _runs(keys):
            ranges.append(and_(LogNodeRow.level == level, LogNodeRow.position.between(first, last)))
        stmt = select(LogNodeRow.level, LogNodeRow.position, LogNodeRow.hash).where(or_(*ranges))
        return {
            (row[0], row[1]): bytes.fromhex(row[2]) for row in self.session.execute(stmt) if (row[0], row[1]) in keys
        }

    def entry(self, event_id: int) -> tuple[int, str] | None:
        """(log index, leaf hash hex) of an event, if it has been sequenced."""
        row = self.session.execute(
            select(LogEntryRow.log_index, LogEntryRow.leaf_hash).where(LogEntryRow.event_id == event_id)
        ).one_or_none()
        return (row[0], row[1]) if row else None

    def leaves(self, size: int) -> Iterator[LeafRow]:
        """The first `size` leaves with their events' stored columns, in log order, streamed."""
        log, events = LogEntryRow.__table__, EventRow.__table__
        stmt = (
            select(
                log.c.log_index,
                log.c.leaf_hash,
                events.c.incident_id,
                events.c.seq,
                events.c.type,
                type_coerce(events.c.at, DateTime(timezone=True)),
                events.c.actor,
                events.c.payload,
                events.c.prev_hash,
                events.c.hash,
            )
            .join(events, events.c.id == log.c.event_id)
            .where(log.c.log_index < size)
            .order_by(log.c.log_index)
            .execution_options(yield_per=STREAM_BATCH)
        )
        for row in self.session.execute(stmt):
            at = row[5] if row[5].tzinfo else row[5].replace(tzinfo=UTC)
            yield (row[0], row[1], row[2], row[3], row[4], at, row[6], row[7], row[8], row[9])

    def incident_leaves(
        self, incident_id: uuid.UUID, size: int
    ) -> Iterator[tuple[int, int, str, datetime, str, str, str, str]]:
        """(log index, seq, type, at, actor, payload, prev_hash, hash) of an incident's events in the
        first `size` leaves, in seq order, streamed."""
        log, events = LogEntryRow.__table__, EventRow.__table__
        stmt = (
            select(
                log.c.log_index,
                events.c.seq,
                events.c.type,
                type_coerce(events.c.at, DateTime(timezone=True)),
                events.c.actor,
                events.c.payload,
                events.c.prev_hash,
                events.c.hash,
            )
            .join(events, events.c.id == log.c.event_id)
            .where(events.c.incident_id == incident_id, log.c.log_index < size)
            .order_by(events.c.seq)
            .execution_options(yield_per=STREAM_BATCH)
        )
        for row in self.session.execute(stmt):
            at = row[3] if row[3].tzinfo else row[3].replace(tzinfo=UTC)
            yield (row[0], row[1], row[2], at, row[4], row[5], row[6], row[7])

    def incident_coverage(self, incident_id: uuid.UUID) -> tuple[int, int, int | None]:
        """(events of the incident, how many of them are in the log, the highest log index among them)."""
        log, events = LogEntryRow.__table__, EventRow.__table__
        stmt = (
            select(func.count(events.c.id), func.count(log.c.log_index), func.max(log.c.log_index))
            .select_from(events.outerjoin(log, log.c.event_id == events.c.id))
            .where(events.c.incident_id == incident_id)
        )
        total, logged, last = self.session.execute(stmt).one()
        return int(total), int(logged), last

    # signed tree heads

    def add_head(self, row: TreeHeadRow) -> None:
        self.session.add(row)
        self.session.flush()

    def head(self, size: int) -> TreeHeadRow | None:
        return self.session.get(TreeHeadRow, size)

    def latest_head(self) -> TreeHeadRow | None:
        return self.session.scalars(select(TreeHeadRow).order_by(TreeHeadRow.size.desc()).limit(1)).one_or_none()

    def heads(self, *, limit: int, before: int | None = None) -> list[TreeHeadRow]:
        """Signed heads, newest (largest) first; `before` pages on by size."""
        stmt = select(TreeHeadRow).order_by(TreeHeadRow.size.desc()).limit(limit)
        if before is not None:
            stmt = stmt.where(TreeHeadRow.size < before)
        return list(self.session.scalars(stmt))


def _runs(keys: set[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(level, first position, last position) covering `keys`, joining positions less than NODE_GAP apart."""
    runs: list[tuple[int, int, int]] = []
    for level, position in sorted(keys):
        if runs and runs[-1][0] == level and position - runs[-1][2] <= NODE_GAP:
            runs[-1] = (level, runs[-1][1], position)
        else:
            runs.append((level, position, position))
    return runs
