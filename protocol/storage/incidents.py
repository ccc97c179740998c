"""The incident repository: loads an incident with its steps, approvals and deadlines, and saves
what an action changed together with the new events on its chain, in one transaction.

It speaks SQLAlchemy Core, not ORM objects: an incident is read as plain rows and written back as
one statement per kind of change (executemany), because it is loaded and saved on every action
and every page, and the ORM's per-object bookkeeping was most of that cost.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from psycopg.types.json import Jsonb
from sqlalchemy import Date, Row, Select, Table, Uuid, bindparam, insert, literal_column, select, update
from sqlalchemy.orm import Session

from protocol import messages
from protocol.calendar import Calendars
from protocol.chain import GENESIS, seal
from protocol.deadlines import Deadline, DeadlineState
from protocol.definition import ProtocolDefinition
from protocol.errors import NotFound
from protocol.events import StoredEvent
from protocol.incident import Approval, ApprovalState, Incident, IncidentState
from protocol.steps import Step, StepState
from protocol.storage.incident_queries import IncidentQueries
from protocol.storage.tables import (
    ApprovalRow,
    AssignmentRow,
    DeadlineRow,
    EventRow,
    IncidentRow,
    LogQueueRow,
    OutboxRow,
    StepRow,
)
from protocol.storage.types import JsonObject, JSONType, JsonValue, UTCDateTime

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

INCIDENTS: Table = IncidentRow.__table__  # type: ignore[assignment]
STEPS: Table = StepRow.__table__  # type: ignore[assignment]
APPROVALS: Table = ApprovalRow.__table__  # type: ignore[assignment]
DEADLINES: Table = DeadlineRow.__table__  # type: ignore[assignment]
ASSIGNMENTS: Table = AssignmentRow.__table__  # type: ignore[assignment]


@dataclass
class _Loaded:
    """What is in the database for an incident this transaction holds: its chain head, how many
    saves have changed its aggregate (`revision`), and its child keys."""

    last_seq: int
    head_hash: str
    revision: int
    steps: set[str] = field(default_factory=set)
    approvals: set[uuid.UUID] = field(default_factory=set)
    deadlines: set[uuid.UUID] = field(default_factory=set)


class IncidentRepository(IncidentQueries):
    """Incidents as aggregates. `get(lock=True)` serialises actions on one incident."""

    def __init__(
        self,
        session: Session,
        *,
        definitions: Callable[[str, int], ProtocolDefinition],
        calendar: Calendars,
        on_sealed: Callable[[list[StoredEvent]], None] = lambda events: None,
    ) -> None:
        self.session = session
        self.definitions = definitions
        self.calendar = calendar
        self.on_sealed = on_sealed
        self._loaded: dict[uuid.UUID, _Loaded] = {}

    # ------------------------------------------------------------------ loading

    def get(
        self, incident_id: uuid.UUID, *, organisation_ids: Iterable[uuid.UUID] | None = None, lock: bool = True
    ) -> Incident:
        """The incident, locked for the rest of the transaction when `lock` (PostgreSQL row lock)."""
        params: dict[str, Any] = {"incident_id": incident_id}
        if organisation_ids is not None:
            params["organisation_ids"] = list(organisation_ids)
        row = self._load(params, lock=lock, in_organisations=organisation_ids is not None)
        if row is None:
            raise NotFound(messages.NO_INCIDENT(incident_id=incident_id), rule="unknown-incident")
        return self._build(row)

    def get_unless_locked(self, incident_id: uuid.UUID) -> Incident | None:
        """The incident locked for this transaction, or None while another transaction holds it.

        PostgreSQL's `FOR UPDATE SKIP LOCKED`: the deadline sweep neither waits behind an officer's
        action nor takes an incident a concurrent sweep is working on; it comes back to it next time.
        On SQLite the writer lock already serialises every writing transaction."""
        row = self._load({"incident_id": incident_id}, lock=True, skip_locked=True)
        return None if row is None else self._build(row)

    def _load(
        self, params: dict[str, Any], *, lock: bool, in_organisations: bool = False, skip_locked: bool = False
    ) -> Row[Any] | None:
        """The aggregate's row, locked when `lock`: one statement, and a second only after a wait
        for the lock behind a transaction that changed the aggregate.

        Under READ COMMITTED a statement reads on the snapshot it began with. One that waits for the
        row lock gets the incident's row as the holder committed it, but its subqueries still read
        the children (steps, deadlines, ...) as they were before: a sweep behind another recorded
        every reminder again, and an action could write stale children back. So the locking form
        also reads the incident's revision on its snapshot (`seen_revision`). Every save that
        changes the aggregate raises the revision in the incident's row, so when the two agree the
        children read are those committed; when they differ the aggregate is read again, on a
        snapshot that includes the holder's commit (the lock is held by then)."""
        dialect = self._dialect()
        stmt = _aggregate(dialect, lock=lock, skip_locked=skip_locked, in_organisations=in_organisations)
        row = self.session.execute(stmt, params).one_or_none()
        if lock and row is not None and row.revision != row.seen_revision:
            row = self.session.execute(_aggregate(dialect, in_organisations=in_organisations), params).one_or_none()
        return row

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _build(self, row: Row[Any]) -> Incident:
        steps = {s["key"]: s for s in _children(STEPS, row.steps_json)}
        approvals = _children(APPROVALS, row.approvals_json)
        deadlines = _children(DEADLINES, row.deadlines_json)
        assignments = {uuid.UUID(str(user_id)) for user_id in _json(row.assignments_json)}
        definition = self.definitions(row.protocol_key, row.protocol_version)
        incident = Incident(
            id=row.id,
            organisation_id=row.organisation_id,
            algorithm_id=row.algorithm_id,
            reference=row.reference,
            title=row.title,
            description=row.description,
            source=row.source,
            detected_at=row.detected_at,
            reported_at=row.reported_at,
            protected_grounds=tuple(row.protected_grounds),
            definition=definition,
            calendar=self.calendar,
            state=IncidentState(row.state),
            version=row.version,
            facts=dict(row.facts),
            steps={key: _step(steps[key]) if key in steps else Step(key) for key in definition.steps},
            approvals={a["id"]: _approval(a) for a in approvals},
            deadlines={d["id"]: _deadline(d) for d in deadlines},
            assignments=assignments,
            owner_id=row.owner_id,
            closed_at=row.closed_at,
        )
        self._loaded[row.id] = _Loaded(
            row.last_seq,
            row.head_hash,
            row.revision,
            set(steps),
            {a["id"] for a in approvals},
            {d["id"] for d in deadlines},
        )
        return incident

    # ------------------------------------------------------------------ saving

    def add(self, incident: Incident) -> list[StoredEvent]:
        """Store a newly reported incident and its first events."""
        first = {**_incident_values(incident), "last_seq": 0, "head_hash": GENESIS, "revision": 0}
        self.session.execute(insert(INCIDENTS), [first])
        self._loaded[incident.id] = _Loaded(0, GENESIS, 0)
        incident.dirty.discard(("incident", incident.id))
        return self.save(incident)

    def save(self, incident: Incident) -> list[StoredEvent]:
        """Write what the last action changed and append its events to the chain; returns them sealed."""
        loaded = self._loaded[incident.id]
        dirty = incident.dirty
        self._upsert(
            STEPS,
            loaded.steps,
            [k for kind, k in dirty if kind == "step"],
            lambda key: _step_values(incident.id, incident.steps[key]),
            ("incident_id", "key"),
        )
        self._upsert(
            APPROVALS,
            loaded.approvals,
            [k for kind, k in dirty if kind == "approval"],
            lambda key: _approval_values(incident.id, incident.approvals[key]),
            ("id",),
        )
        self._upsert(
            DEADLINES,
            loaded.deadlines,
            [k for kind, k in dirty if kind == "deadline"],
            lambda key: _deadline_values(incident.id, incident.deadlines[key]),
            ("id",),
        )
        assigned = [k for kind, k in dirty if kind == "assignment"]
        if assigned:
            at = incident.events[-1].at if incident.events else incident.reported_at
            self.session.execute(
                insert(ASSIGNMENTS),
                [
                    {"incident_id": incident.id, "user_id": user_id, "role": "investigator", "assigned_at": at}
                    for user_id in assigned
                ],
            )
        sealed = seal(incident.id, loaded.last_seq, loaded.head_hash, incident.events)
        values: dict[str, Any] = _incident_values(incident) if ("incident", incident.id) in dirty else {}
        if dirty:  # more than the chain changed: the read model's documents written before are stale now
            loaded.revision += 1
            values["revision"] = loaded.revision
        if sealed and self._dialect() == "postgresql":
            self._append_postgresql(incident.id, sealed, values)
        else:
            if sealed:
                self._append(sealed)
                values.update(last_seq=sealed[-1].seq, head_hash=sealed[-1].hash)
            if values:
                self.session.execute(update(INCIDENTS).where(INCIDENTS.c.id == incident.id).values(**values))
        if sealed:
            loaded.last_seq, loaded.head_hash = sealed[-1].seq, sealed[-1].hash
        incident.events.clear()
        incident.dirty.clear()
        self.on_sealed(sealed)
        return sealed

    def _upsert(
        self,
        table: Table,
        existing: set[Any],
        keys: list[Any],
        values: Callable[[Any], dict[str, Any]],
        primary_key: tuple[str, ...],
    ) -> None:
        """Insert the new children and update the changed ones, one executemany statement each."""
        if not keys:
            return
        rows = [values(key) for key in keys]
        new = [row for key, row in zip(keys, rows, strict=True) if key not in existing]
        changed = [row for key, row in zip(keys, rows, strict=True) if key in existing]
        if new:
            self.session.execute(insert(table), new)
            existing.update(keys)
        if changed:
            # executemany UPDATE: the WHERE binds the key under other names; every other key of the
            # parameters becomes the SET clause
            where = [table.c[name] == bindparam(f"pk_{name}") for name in primary_key]
            params = [
                {**{k: v for k, v in row.items() if k not in primary_key}, **{f"pk_{n}": row[n] for n in primary_key}}
                for row in changed
            ]
            self.session.execute(update(table).where(*where), params)

    def _append_postgresql(self, incident_id: uuid.UUID, sealed: list[StoredEvent], values: dict[str, Any]) -> None:
        """Events, their outbox and log queue rows and the new chain head (with the incident's
        changed columns) in one statement: one round trip, and one statement text whatever the
        number of events, so PostgreSQL prepares it once per connection."""
        params: dict[str, Any] = {
            "incident_id": incident_id,
            # one JSON document rather than parallel arrays: the driver escapes array elements in
            # Python, one regular expression per string; json.dumps is C
            "events": json.dumps(
                [[e.seq, e.type, e.at.isoformat(), e.actor, e.payload_json, e.prev_hash, e.hash] for e in sealed]
            ),
            "now": sealed[-1].at,
            "last_seq": sealed[-1].seq,
            "head_hash": sealed[-1].hash,
        }
        for name, value in values.items():
            if name != "id":
                params[f"incident_{name}"] = Jsonb(value) if name in _INCIDENT_JSON else value
        changed = tuple(name for name in values if name != "id")
        result = self.session.connection().exec_driver_sql(_append_sql(changed), params)
        for index, (event_id,) in enumerate(result):
            object.__setattr__(sealed[index], "id", event_id)

    def _append(self, sealed: list[StoredEvent]) -> None:
        ids = self.session.scalars(
            insert(EventRow).returning(EventRow.id, sort_by_parameter_order=True),
            [
                {
                    "incident_id": e.incident_id,
                    "seq": e.seq,
                    "type": e.type,
                    "at": e.at,
                    "actor": e.actor,
                    "payload": e.payload_json,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in sealed
            ],
        ).all()
        now = sealed[-1].at
        self.session.execute(insert(OutboxRow), [{"event_id": i, "attempts": 0, "available_at": now} for i in ids])
        self.session.execute(insert(LogQueueRow), [{"event_id": i} for i in ids])
        for index, event_id in enumerate(ids):
            object.__setattr__(sealed[index], "id", event_id)


# ---------------------------------------------------------------------- the aggregate in one statement

_CHILDREN = (("steps_json", STEPS), ("approvals_json", APPROVALS), ("deadlines_json", DEADLINES))


def _children_sql(dialect: str, table: Table) -> str:
    """A scalar subquery: the incident's rows of `table` as one JSON array of objects keyed by column."""
    if dialect == "postgresql":
        rows = "coalesce(json_agg(c), '[]'::json)"  # row_to_json per row; jsonb columns nest as JSON
    else:  # SQLite's JSON1 functions; JSON columns are text there, json() nests them as JSON
        fields = ", ".join(
            f"'{column.name}', " + (f'json(c."{column.name}")' if column.type is JSONType else f'c."{column.name}"')
            for column in table.columns
        )
        rows = f"json_group_array(json_object({fields}))"
    # names from the table metadata only, no input
    return f"(SELECT {rows} FROM {table.name} AS c WHERE c.incident_id = incidents.id)"  # noqa: S608


@cache
def _aggregate(
    dialect: str, *, lock: bool = False, skip_locked: bool = False, in_organisations: bool = False
) -> Select[Any]:
    """One incident (`incident_id`) with its steps, approvals, deadlines and assigned users beside it as
    JSON arrays: the aggregate in one statement, one round trip instead of five. The children come
    back as JSON text (SQLite) or parsed JSON (PostgreSQL); `_children` gives their values back the
    columns' Python types. Built once per form, so that SQLAlchemy finds it in its compiled cache
    without building it anew on every load. The locking form also reads the revision on the
    statement's snapshot (see `IncidentRepository._load`)."""
    users = "coalesce(json_agg(c.user_id), '[]'::json)" if dialect == "postgresql" else "json_group_array(c.user_id)"
    assigned = f"(SELECT {users} FROM {ASSIGNMENTS.name} AS c WHERE c.incident_id = incidents.id)"  # noqa: S608
    stmt: Select[Any] = select(
        INCIDENTS,
        *(literal_column(_children_sql(dialect, table)).label(name) for name, table in _CHILDREN),
        literal_column(assigned).label("assignments_json"),
    ).where(INCIDENTS.c.id == bindparam("incident_id"))
    if lock:
        seen = f"(SELECT s.revision FROM {INCIDENTS.name} AS s WHERE s.id = incidents.id)"  # noqa: S608
        stmt = stmt.add_columns(literal_column(seen).label("seen_revision"))
    if in_organisations:
        stmt = stmt.where(INCIDENTS.c.organisation_id.in_(bindparam("organisation_ids", expanding=True)))
    return stmt.with_for_update(of=INCIDENTS, skip_locked=skip_locked) if lock else stmt


Item = TypeVar("Item", bound=JsonValue)


def _json(value: str | list[Item]) -> list[Item]:
    """One of the aggregate's JSON arrays: PostgreSQL's driver parses json; SQLite hands over the text."""
    return json.loads(value) if isinstance(value, str) else value


def _instant(text: str) -> datetime:
    """An aware UTC instant from JSON: PostgreSQL writes the offset, SQLite stores naive UTC."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@cache
def _converters(table: Table) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """For each column whose JSON value is not yet its Python value: its name and the conversion."""
    found: list[tuple[str, Callable[[Any], Any]]] = []
    for column in table.columns:
        if isinstance(column.type, UTCDateTime):
            found.append((column.name, _instant))
        elif isinstance(column.type, Date):
            found.append((column.name, date.fromisoformat))
        elif isinstance(column.type, Uuid):
            found.append((column.name, lambda text: uuid.UUID(str(text))))
    return tuple(found)


def _children(table: Table, value: str | list[JsonObject]) -> list[dict[str, Any]]:
    """The child rows of one table from the aggregate's JSON array, with their columns' Python types."""
    converters = _converters(table)
    rows: list[dict[str, Any]] = []
    for found in _json(value):
        row: dict[str, Any] = dict(found)  # the driver's parsed JSON stays as it came: a result row is not changed
        for name, convert in converters:
            if row[name] is not None:
                row[name] = convert(row[name])
        rows.append(row)
    return rows


# ---------------------------------------------------------------------- appending in one statement (PostgreSQL)

_INCIDENT_JSON = frozenset(column.name for column in INCIDENTS.columns if column.type is JSONType)


@cache
def _append_sql(changed: tuple[str, ...]) -> str:
    """Data-modifying CTEs: the events from a JSON array (in seq order, so ids follow seq), their
    outbox and log queue rows from the ids they got, and the incident's new head with its `changed`
    columns (names from `save`, not from input), in one statement. The foreign keys are checked at
    the end of the statement, when the events are there."""
    set_changed = "".join(f", {name} = %(incident_{name})s" for name in changed)
    return f"""
WITH ev AS (
    INSERT INTO events (incident_id, seq, type, at, actor, payload, prev_hash, hash)
    SELECT %(incident_id)s, (e->>0)::integer, e->>1, (e->>2)::timestamptz, e->>3, e->>4, e->>5, e->>6
    FROM json_array_elements(%(events)s::json) WITH ORDINALITY AS batch(e, n)
    ORDER BY n
    RETURNING id, seq
), outbox_rows AS (
    INSERT INTO outbox (event_id, attempts, available_at) SELECT id, 0, %(now)s FROM ev
), log_rows AS (
    INSERT INTO log_queue (event_id) SELECT id FROM ev
), head AS (
    UPDATE incidents SET last_seq = %(last_seq)s, head_hash = %(head_hash)s{set_changed} WHERE id = %(incident_id)s
)
SELECT id FROM ev ORDER BY seq"""  # noqa: S608 (column names from save's own values only)


# ---------------------------------------------------------------------- rows <-> domain


T = TypeVar("T", bound="DataclassInstance")


def _from_row(cls: type[T], row: Mapping[str, object], **converted: object) -> T:
    """A child of the aggregate from its row: each field of `cls` from the column of its name (the
    tables are named after the domain's fields), but those given `converted`."""
    return cls(**{f.name: row[f.name] for f in fields(cls) if f.name not in converted}, **converted)


def _step(row: dict[str, Any]) -> Step:
    return _from_row(
        Step,
        row,
        state=StepState(row["state"]),
        start_evidence=dict(row["start_evidence"] or {}),
        evidence=dict(row["evidence"] or {}),
    )


def _approval(row: dict[str, Any]) -> Approval:
    return _from_row(Approval, row, state=ApprovalState(row["state"]))


def _deadline(row: dict[str, Any]) -> Deadline:
    return _from_row(Deadline, row, state=DeadlineState(row["state"]))


def _incident_values(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "organisation_id": incident.organisation_id,
        "algorithm_id": incident.algorithm_id,
        "reference": incident.reference,
        "title": incident.title,
        "description": incident.description,
        "source": incident.source,
        "detected_at": incident.detected_at,
        "reported_at": incident.reported_at,
        "protected_grounds": list(incident.protected_grounds),
        "protocol_key": incident.definition.key,
        "protocol_version": incident.definition.version,
        "state": incident.state.value,
        "version": incident.version,
        "facts": dict(incident.facts),
        "closed_at": incident.closed_at,
        "owner_id": incident.owner_id,
    }


def _step_values(incident_id: uuid.UUID, step: Step) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "key": step.key,
        "state": step.state.value,
        "started_at": step.started_at,
        "started_by": step.started_by,
        "ended_at": step.ended_at,
        "ended_by": step.ended_by,
        "start_evidence": dict(step.start_evidence),
        "evidence": dict(step.evidence),
        "justification": step.justification,
        "approved_by": step.approved_by,
    }


def _approval_values(incident_id: uuid.UUID, approval: Approval) -> dict[str, Any]:
    return {
        "id": approval.id,
        "incident_id": incident_id,
        "step": approval.step,
        "action": approval.action,
        "justification": approval.justification,
        "requested_by": approval.requested_by,
        "requested_at": approval.requested_at,
        "state": approval.state.value,
        "decided_by": approval.decided_by,
        "decided_at": approval.decided_at,
        "note": approval.note,
    }


def _deadline_values(incident_id: uuid.UUID, deadline: Deadline) -> dict[str, Any]:
    return {
        "id": deadline.id,
        "incident_id": incident_id,
        "rule": deadline.rule,
        "subject": deadline.subject,
        "step": deadline.step,
        "set_at": deadline.set_at,
        "due_at": deadline.due_at,
        "last_day": deadline.last_day,
        "legal_basis": deadline.legal_basis,
        "state": deadline.state.value,
        "met_at": deadline.met_at,
        "missed_at": deadline.missed_at,
        "reminders_sent": deadline.reminders_sent,
        "escalations": deadline.escalations,
        "next_check_at": deadline.next_check_at,
    }
