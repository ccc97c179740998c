"""The incident read model: each incident as every reader sees it, one row, kept in the saving transaction.

Reading an incident whole costs five statements for the aggregate (incident, steps, approvals,
deadlines, assignments), two more for its algorithm and owner, and the building and dumping of the
view over all of it (issue #12). Its readers see the same document but for a few parts that depend
on them or on the moment. So when a unit of work commits, every incident it saved is written here
once more as that document, JSON as the API answers it, and a read is one statement:

- the document, good only while the incident's `version` and `revision` are those it was written
  at (every save that changes the aggregate raises its revision; appending to the chain alone, as
  a batch of letters does, does not, and leaves the document as it is); otherwise, or when there
  is none (incidents not changed since the table existed), the reader reads the aggregate;
- joined to it: the incident's organisation and whether the reader is assigned (the access check),
  its algorithm and its owner's name as they are now (they change without the incident changing).

What depends on the reader or the moment is left in a form to finish cheaply on top: per step the
actions the incident accepts from a person now (`accepts`; the guards ask only whether the actor is
the system), of which the reader gets those the permission matrix grants them; per deadline its
state and due moment, from which `overdue` follows at the time of reading.

Hooked in by the unit of work (protocol.storage.uow): its incident repository is the
`ViewedIncidentRepository` below, which notes each incident it saves, and `UnitOfWork.commit` calls
`write_views()` just before the database commit.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Insert, Select, Table, Uuid, and_, bindparam, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from protocol.calendar import Calendars
from protocol.definition import ProtocolDefinition
from protocol.events import StoredEvent
from protocol.identity import Actor, Principal
from protocol.incident import Incident
from protocol.steps import USER_ACTIONS
from protocol.storage.incidents import IncidentRepository
from protocol.storage.tables import AlgorithmRow, AssignmentRow, IncidentRow, IncidentViewRow, UserRow
from protocol.storage.types import JsonObject, JsonValue
from protocol.views import incident_view

_PERSON = Actor.user(uuid.UUID(int=0))  # any person: the step guards ask only whether the actor is the system
_ANY_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)  # `overdue` is set when read, not from this


class StoredView(NamedTuple):
    """A current document with what finishing it for one reader needs."""

    document: str
    organisation_id: uuid.UUID
    assigned: bool
    algorithm: AlgorithmRow | None
    owner_id: uuid.UUID | None
    owner_name: str | None


def view_document(incident: Incident) -> JsonObject:
    """The incident's view for nobody in particular, in JSON values as the API answers them."""
    view = incident_view(incident, principal=Principal.installation(), now=_ANY_MOMENT)
    for key, step in view["steps"].items():
        del step["actions"]
        step["accepts"] = [a.value for a in USER_ACTIONS if incident.refusal(a, key, actor=_PERSON) is None]
    for deadline in view["deadlines"]:
        del deadline["overdue"]
    del view["algorithm"], view["owner"]
    return _json_object(view)


def _json_object(value: Mapping[str, object]) -> JsonObject:
    return {key: _json(item) for key, item in value.items()}


def _json(value: object) -> JsonValue:
    """Python values as marshmallow dumps them for the API: UTC ISO moments, ISO days, UUIDs as text."""
    if isinstance(value, dict):
        return _json_object(value)
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"not a JSON value: {value!r}")  # as json.dumps would refuse it on writing


def _current_view() -> Select[str, uuid.UUID, bool, AlgorithmRow, uuid.UUID | None, str]:
    """The statement of `IncidentViewRepository.read`, built once (every GET of an incident runs it)."""
    views, incidents = IncidentViewRow.__table__, IncidentRow.__table__
    assigned = exists().where(
        AssignmentRow.incident_id == IncidentRow.id, AssignmentRow.user_id == bindparam("user_id", type_=Uuid)
    )
    return (
        select(
            IncidentViewRow.document,
            IncidentRow.organisation_id,
            assigned.label("assigned"),
            AlgorithmRow,
            IncidentRow.owner_id,
            UserRow.display_name,
        )
        .select_from(views)
        .join(
            incidents,
            and_(
                IncidentRow.id == IncidentViewRow.incident_id,
                IncidentRow.version == IncidentViewRow.version,
                IncidentRow.revision == IncidentViewRow.revision,
            ),
        )
        .outerjoin(AlgorithmRow, AlgorithmRow.id == IncidentRow.algorithm_id)
        .outerjoin(UserRow, UserRow.id == IncidentRow.owner_id)
        .where(
            IncidentViewRow.incident_id == bindparam("incident_id"),
            IncidentRow.organisation_id.in_(bindparam("organisation_ids", expanding=True)),
        )
    )


_CURRENT_VIEW = _current_view()
_VIEWS: Table = IncidentViewRow.__table__  # type: ignore[assignment]


class IncidentViewRepository:
    """Reads and writes the documents."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def read(
        self, incident_id: uuid.UUID, *, organisation_ids: Iterable[uuid.UUID], user_id: uuid.UUID | None
    ) -> StoredView | None:
        """The current document of an incident in one of `organisation_ids`, in one statement; None
        when there is none or the incident has moved on since it was written."""
        found = self.session.execute(
            _CURRENT_VIEW, {"incident_id": incident_id, "organisation_ids": list(organisation_ids), "user_id": user_id}
        ).one_or_none()
        if found is None:
            return None
        document, organisation_id, is_assigned, algorithm, owner_id, owner_name = found
        return StoredView(
            document, organisation_id, bool(is_assigned) and user_id is not None, algorithm, owner_id, owner_name
        )

    def write(self, incident: Incident, *, revision: int) -> None:
        document = json.dumps(view_document(incident), separators=(",", ":"))
        values = {"incident_id": incident.id, "version": incident.version, "revision": revision, "document": document}
        self.session.execute(_write(self.session.get_bind().dialect.name), values)


@cache
def _write(dialect: str) -> Insert:
    """Insert or replace a document: a Core statement, built once per dialect (the ORM's form was
    built anew at every commit)."""
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(_VIEWS)
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[_VIEWS.c.incident_id],
        set_={"version": excluded.version, "revision": excluded.revision, "document": excluded.document},
    )


class ViewedIncidentRepository(IncidentRepository):
    """The incident repository that remembers what it saved, for the unit of work to write its views."""

    def __init__(
        self,
        session: Session,
        *,
        definitions: Callable[[str, int], ProtocolDefinition],
        calendar: Calendars,
        on_sealed: Callable[[list[StoredEvent]], None],
    ) -> None:
        super().__init__(session, definitions=definitions, calendar=calendar, on_sealed=on_sealed)
        self.views = IncidentViewRepository(session)
        self._changed: dict[uuid.UUID, Incident] = {}

    def add(self, incident: Incident) -> list[StoredEvent]:
        self._changed[incident.id] = incident
        return super().add(incident)

    def save(self, incident: Incident) -> list[StoredEvent]:
        if incident.dirty:  # appending alone leaves the document good (the document never shows the chain)
            self._changed[incident.id] = incident
        return super().save(incident)

    def write_views(self) -> None:
        """Write the document of every incident whose aggregate a save changed in this transaction,
        as saved (at commit)."""
        for incident in self._changed.values():
            if incident.events or incident.dirty:
                continue  # changed again after its last save and not saved: its old document is stale anyway
            self.views.write(incident, revision=self._loaded[incident.id].revision)
        self._changed.clear()
