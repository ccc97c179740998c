"""Affected persons as an oversight body sees them: counts, and pseudonyms instead of identities.

The pseudonym is `protocol.oversight.pseudonym` (a keyed hash of the person's id under a key of
the incident, derived from the installation's hash key), the same one the oversight timeline
shows, so a body can follow one person through a case without ever learning who it is.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from notifications.storage import NotificationsUnitOfWork
from notifications.tables import LetterRow
from protocol import messages
from protocol.deadlines import DeadlineState
from protocol.errors import NotFound
from protocol.oversight import pseudonym
from protocol.services import Principal
from protocol.services.access import incident_for
from protocol.services.oversight import oversight_organisations
from protocol.storage.tables import DeadlineRow, IncidentRow

INFORM_RULE = "inform"  # the protocol's deadline for informing those affected
MAX_PSEUDONYMS = 200  # a list to read, not an export; the count says how many there are


def oversight_persons(
    *,
    uow: NotificationsUnitOfWork,
    hash_key: bytes,
    principal: Principal,
    incident_id: uuid.UUID,
    limit: int = MAX_PSEUDONYMS,
) -> dict[str, Any]:
    """How many persons an incident affects, their letters and responses as counts, and their pseudonyms.

    `hash_key` is the installation's hash key (`Settings.hash_key_bytes()`): the pseudonyms' keys derive from it.
    """
    limit = max(0, min(limit, MAX_PSEUDONYMS))
    with uow.read_only():
        incident, _ = incident_for(uow, principal, incident_id, "oversight.read", lock=False)
        affected = uow.persons.count(incident.id, "affected")
        reporters = uow.persons.count(incident.id, "reporter")
        rows, _total = uow.persons.page(incident.id, page=1, per_page=limit) if limit else ([], 0)
        letters: Counter[str] = Counter()
        for _kind, status, _channel, count in uow.letters.counts(incident.id):
            letters[status] += count
        responses = Counter(row.kind for row in uow.responses.of_incident(incident.id))
    return {
        "affected": affected,
        "reporters": reporters,
        "pseudonyms": sorted(pseudonym(hash_key, incident.id, row.id) for row in rows if row.kind == "affected"),
        "pseudonyms_shown": limit,
        "letters": dict(sorted(letters.items())),
        "responses": dict(sorted(responses.items())),
    }


def letter_timeliness(
    *,
    uow: NotificationsUnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID | None = None,
    reported_from: datetime | None = None,
    reported_before: datetime | None = None,
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per supervised organisation: the letters of incidents reported in the period, and how many were
    delivered by the incident's inform deadline (issue 9, item 5).

    One aggregate statement over the letters (an incident may have 100,000), joined to each incident's
    earliest applicable `inform` deadline: only counts leave the database, never a person or an address.
    Letters of an incident without an inform deadline are counted apart (`without_deadline`).
    """
    with uow.read_only():
        granted = oversight_organisations(principal)
        if organisation_id is not None:
            if organisation_id not in granted:
                raise NotFound(messages.NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
            granted = {organisation_id}
        assert uow.session is not None
        rows = uow.session.execute(
            letter_timeliness_query(granted, reported_from=reported_from, reported_before=reported_before)
        ).all()
    found: dict[uuid.UUID, dict[str, Any]] = {
        org: {"letters": 0, "delivered": 0, "delivered_in_time": 0, "without_deadline": 0, "share_in_time": None}
        for org in granted
    }
    for org, letters, delivered, in_time, without in rows:
        with_deadline = int(letters) - int(without or 0)
        found[org] = {
            "letters": int(letters),
            "delivered": int(delivered or 0),
            "delivered_in_time": int(in_time or 0),
            "without_deadline": int(without or 0),
            "share_in_time": round(int(in_time or 0) / with_deadline, 4) if with_deadline else None,
        }
    return found


def letter_timeliness_query(
    organisation_ids: set[uuid.UUID], *, reported_from: datetime | None, reported_before: datetime | None
) -> Select[uuid.UUID, int, Any, Any, Any]:
    """letters ⋈ incidents ⟕ (the earliest applicable inform deadline per incident), counted per organisation."""
    inform = (
        select(DeadlineRow.incident_id.label("incident_id"), func.min(DeadlineRow.due_at).label("due_at"))
        .where(
            DeadlineRow.rule == INFORM_RULE,
            DeadlineRow.subject.is_(None),
            DeadlineRow.state != DeadlineState.NOT_APPLICABLE.value,
        )
        .group_by(DeadlineRow.incident_id)
        .subquery()
    )
    conditions: list[ColumnElement[bool]] = [
        IncidentRow.organisation_id.in_(list(organisation_ids)),
        LetterRow.response_id.is_(None),  # the campaigns' letters: a decision letter answers, it does not inform
    ]
    if reported_from is not None:
        conditions.append(IncidentRow.reported_at >= reported_from)
    if reported_before is not None:
        conditions.append(IncidentRow.reported_at < reported_before)
    delivered = LetterRow.delivered_at.is_not(None)
    return (
        select(
            IncidentRow.organisation_id,
            func.count(LetterRow.id),
            func.sum(case((delivered, 1), else_=0)),
            func.sum(case((and_(delivered, LetterRow.delivered_at <= inform.c.due_at), 1), else_=0)),
            func.sum(case((inform.c.due_at.is_(None), 1), else_=0)),
        )
        .select_from(LetterRow)
        .join(IncidentRow, IncidentRow.id == LetterRow.incident_id)
        .outerjoin(inform, inform.c.incident_id == LetterRow.incident_id)
        .where(*conditions)
        .group_by(IncidentRow.organisation_id)
    )
