"""The oversight body's read-side: every incident of the organisations it supervises, how it went.

Read-only and scoped by the `oversight.read` grant (an oversight role holds no `incident.read`, so
nothing here goes through the officer's views). What a body sees, and why:

- the reference, the organisation, the algorithm, the protocol facts (source, grounds, the assessed
  facts), every step's state and every deadline's outcome (`protocol.oversight.deadline_outcome`);
- not the incident's title or description: officers write them freely and may name people, and
  nothing can check free text for names;
- sanctions only as category and count; affected persons only as counts and pseudonyms (those live
  in notifications: `notifications.oversight`);
- the timeline as events with their meaning, never the raw payload: person ids in it become
  pseudonyms, and free text is on the chain only as a digest anyway.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from protocol import messages
from protocol.definition import ProtocolDefinition
from protocol.errors import InvalidEvidence, NotFound
from protocol.identity import Principal
from protocol.oversight import BROKEN, DeadlineOutcome, deadline_outcome, pseudonym
from protocol.permissions import Forbidden, organisations_for
from protocol.services.access import incident_for
from protocol.services.deadline_accounts import accounts_of
from protocol.storage.uow import UnitOfWork

ACTION = "oversight.read"
SORTS = ("reported_at", "reference", "organisation", "algorithm", "state", "missed")
MAX_PER_PAGE = 500
PERSON_KEYS = ("person_id",)  # payload keys that name an affected person


class _DeadlineLike(Protocol):
    """A deadline as the aggregate or its row holds it (both have these fields)."""

    id: uuid.UUID
    rule: str
    step: str | None
    subject: str | None
    set_at: datetime
    due_at: datetime
    met_at: datetime | None
    missed_at: datetime | None
    legal_basis: str

    @property
    def state(self) -> Any: ...


def oversight_organisations(principal: Principal) -> set[uuid.UUID]:
    """The organisations the principal supervises; Forbidden when none."""
    granted = set(organisations_for(principal, ACTION))
    if not granted:
        raise Forbidden(messages.ROLE_NOT_ALLOWED(action=ACTION), rule="permission", action=ACTION)
    return granted


def _deadlines(
    protocol: ProtocolDefinition, deadlines: Iterable[_DeadlineLike], step_states: Mapping[str, str], now: datetime
) -> list[dict[str, Any]]:
    rules = {rule.key: rule for rule in protocol.deadlines}
    shown = []
    for d in sorted(deadlines, key=lambda d: (d.due_at, d.rule)):
        rule = rules.get(d.rule)
        outcome = deadline_outcome(
            state=d.state, due_at=d.due_at, met_at=d.met_at, step_state=step_states.get(d.step or ""), now=now
        )
        shown.append(
            {
                "id": d.id,
                "rule": d.rule,
                "title": dict(rule.title) if rule else {},
                "step": d.step,
                "set_at": d.set_at,
                "due_at": d.due_at,
                "met_at": d.met_at,
                "missed_at": d.missed_at,
                "legal_basis": d.legal_basis,
                "outcome": outcome.value,
            }
        )
    return shown


def _summary(
    *,
    incident_id: uuid.UUID,
    reference: str,
    organisation: tuple[uuid.UUID, str],
    algorithm: tuple[uuid.UUID, str],
    state: str,
    reported_at: datetime,
    closed_at: datetime | None,
    protocol: ProtocolDefinition,
    steps: Mapping[str, tuple[str, datetime | None, datetime | None]],
    deadlines: Iterable[_DeadlineLike],
    now: datetime,
) -> dict[str, Any]:
    step_states = {key: value[0] for key, value in steps.items()}
    shown = _deadlines(protocol, deadlines, step_states, now)
    outcomes = Counter(d["outcome"] for d in shown)
    return {
        "id": incident_id,
        "reference": reference,
        "organisation_id": organisation[0],
        "organisation": organisation[1],
        "algorithm_id": algorithm[0],
        "algorithm": algorithm[1],
        "state": state,
        "reported_at": reported_at,
        "closed_at": closed_at,
        "protocol": {"key": protocol.key, "version": protocol.version},
        "steps": [
            {
                "key": key,
                "title": dict(protocol.step(key).title),
                "state": steps[key][0] if key in steps else "pending",
                "started_at": steps[key][1] if key in steps else None,
                "ended_at": steps[key][2] if key in steps else None,
            }
            for key in protocol.order()
        ],
        "deadlines": shown,
        "outcomes": {o.value: outcomes.get(o.value, 0) for o in DeadlineOutcome},
        "missed": sum(outcomes.get(o.value, 0) for o in BROKEN),
    }


def list_oversight_incidents(
    *,
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: uuid.UUID | None = None,
    algorithm_id: uuid.UUID | None = None,
    reported_from: datetime | None = None,
    reported_before: datetime | None = None,
    state: str | None = None,
    missed: bool | None = None,
    reference: str | None = None,
    sort: str = "reported_at",
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """The incidents of the supervised organisations, each with its steps and deadline outcomes."""
    if sort not in SORTS:
        raise InvalidEvidence(
            messages.SORT_INVALID(), errors={"sort": [messages.ONE_OF(choices=messages.joined(SORTS))]}
        )
    page, per_page = max(1, page), max(1, min(per_page, MAX_PER_PAGE))
    with uow.read_only():
        granted = oversight_organisations(principal)
        if organisation_id is not None:
            if organisation_id not in granted:
                raise NotFound(messages.NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
            granted = {organisation_id}
        now = uow.now()
        rows = uow.incidents.oversight_rows(
            organisation_ids=granted,
            algorithm_id=algorithm_id,
            state=state,
            reported_from=reported_from,
            reported_before=reported_before,
            reference=reference,
        )
        names = {o.id: o.name for o in uow.accounts.organisations(granted)}
        algorithms = _algorithm_names(uow, {row.algorithm_id for row, _s, _d in rows})
        items = []
        for row, steps, deadlines in rows:
            protocol = uow.definitions(row.protocol_key, row.protocol_version)
            items.append(
                _summary(
                    incident_id=row.id,
                    reference=row.reference,
                    organisation=(row.organisation_id, names.get(row.organisation_id, "")),
                    algorithm=(row.algorithm_id, algorithms.get(row.algorithm_id, "")),
                    state=row.state,
                    reported_at=row.reported_at,
                    closed_at=row.closed_at,
                    protocol=protocol,
                    steps={s.key: (s.state, s.started_at, s.ended_at) for s in steps},
                    deadlines=deadlines,
                    now=now,
                )
            )
    if missed is not None:
        items = [item for item in items if bool(item["missed"]) == missed]
    items.sort(key=lambda item: (_sort_key(item, sort), str(item["reference"])), reverse=descending)
    total = len(items)
    start = (page - 1) * per_page
    return {
        "items": items[start : start + per_page],
        "total": total,
        "page": page,
        "per_page": per_page,
        "organisations": [{"id": org, "name": names.get(org, "")} for org in sorted(granted, key=str)],
    }


def _sort_key(item: Mapping[str, Any], sort: str) -> Any:
    if sort == "missed":
        return item["missed"]
    if sort == "reported_at":
        return item["reported_at"]
    return str(item[sort]).lower()


def _algorithm_names(uow: UnitOfWork, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    found = {}
    for algorithm_id in ids:
        row = uow.algorithms.get(algorithm_id)
        if row is not None:
            found[algorithm_id] = row.name
    return found


def get_oversight_incident(*, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID) -> dict[str, Any]:
    """One incident as the body sees it: the summary, the protocol facts and sanctions as counts."""
    with uow.read_only():
        incident, _actor = incident_for(uow, principal, incident_id, ACTION, lock=False)
        organisation = uow.accounts.organisation(incident.organisation_id)
        algorithms = _algorithm_names(uow, {incident.algorithm_id})
        last_seq, head = uow.incidents.head(incident.id)
        view = _summary(
            incident_id=incident.id,
            reference=incident.reference,
            organisation=(incident.organisation_id, organisation.name if organisation else ""),
            algorithm=(incident.algorithm_id, algorithms.get(incident.algorithm_id, "")),
            state=incident.state.value,
            reported_at=incident.reported_at,
            closed_at=incident.closed_at,
            protocol=incident.definition,
            steps={k: (s.state.value, s.started_at, s.ended_at) for k, s in incident.steps.items()},
            deadlines=incident.deadlines.values(),
            now=uow.now(),
        )
        return {
            **view,
            "source": incident.source,
            "detected_at": incident.detected_at,
            "protected_grounds": list(incident.protected_grounds),
            "facts": _plain_facts(incident.definition, incident.facts),
            "sanctions": sanction_counts(incident.steps["sanction"].evidence if "sanction" in incident.steps else {}),
            "protocol": {**view["protocol"], "digest": incident.definition.digest},
            "events": last_seq,
            "head_hash": head,
        }


def _plain_facts(protocol: ProtocolDefinition, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The facts that are a choice, a number or yes/no: never a text field, which could name someone."""
    plain = {
        field.name
        for spec in protocol.steps.values()
        for field in (*spec.start_evidence.fields, *spec.evidence.fields)
        if field.type in ("enum", "integer", "boolean")
    }
    return {k: v for k, v in facts.items() if k in plain}


def sanction_counts(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """The sanctions recorded, as category → count (descriptions and dates left out), and whether none were."""
    listed = evidence.get("sanctions") or []
    kinds = Counter(str(item.get("kind", "other")) for item in listed if isinstance(item, Mapping))
    return {
        "by_kind": dict(sorted(kinds.items())),
        "total": sum(kinds.values()),
        "none_recorded": bool(evidence.get("none_reason")) and not listed,
    }


def get_oversight_timeline(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    hash_key: bytes,
    after_seq: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    """The incident's events in order, persons replaced by their pseudonyms (for the entry points to describe)."""
    limit = max(1, min(limit, 1000))
    with uow.read_only():
        incident, _actor = incident_for(uow, principal, incident_id, ACTION, lock=False)
        events = uow.timeline.page(incident.id, after_seq=after_seq, limit=limit)
        last_seq, _head = uow.incidents.head(incident.id)

        def hide(value: str) -> str:
            try:
                return pseudonym(hash_key, incident.id, uuid.UUID(value))
            except ValueError:
                return "P-?"

        shown = []
        for event in events:
            payload = json.loads(event.payload_json)
            kind, _sep, ident = event.actor.partition(":")
            shown.append(
                {
                    "seq": event.seq,
                    "type": event.type,
                    "at": event.at,
                    "actor": f"citizen:{hide(ident)}" if kind == "citizen" else event.actor,
                    "payload": {k: hide(str(v)) if k in PERSON_KEYS and v else v for k, v in payload.items()},
                    "prev_hash": event.prev_hash,
                    "hash": event.hash,
                }
            )
        return {
            "incident_id": incident.id,
            "reference": incident.reference,
            "protocol": {"key": incident.definition.key, "version": incident.definition.version},
            "events": shown,
            "next_after_seq": events[-1].seq if events and events[-1].seq < last_seq else None,
            "total": last_seq,
        }


def list_oversight_notices(*, uow: UnitOfWork, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """Every legal deadline not kept in the supervised organisations (missed, or met only late), latest first.

    Derived from the deadlines themselves, so a notice cannot be lost by a worker that did not run.
    It stays open until the organisation records what it did about it (`account_for_missed_deadline`);
    then it shows as answered, with that account.
    """
    listing = list_oversight_incidents(uow=uow, principal=principal, missed=True, per_page=MAX_PER_PAGE)
    notices = [
        {
            "incident_id": item["id"],
            "reference": item["reference"],
            "organisation_id": item["organisation_id"],
            "organisation": item["organisation"],
            "deadline_id": deadline["id"],
            "rule": deadline["rule"],
            "title": deadline["title"],
            "legal_basis": deadline["legal_basis"],
            "due_at": deadline["due_at"],
            "met_at": deadline["met_at"],
            "outcome": deadline["outcome"],
        }
        for item in listing["items"]
        for deadline in item["deadlines"]
        if DeadlineOutcome(deadline["outcome"]) in BROKEN
    ]
    with uow.read_only():
        accounts = accounts_of(uow, list({n["incident_id"] for n in notices}))
    for notice in notices:
        notice["account"] = accounts.get(notice["deadline_id"])
        notice["answered"] = notice["account"] is not None
    # open notices first, then the answered ones; latest due first within each
    notices.sort(key=lambda n: (n["due_at"], str(n["reference"])), reverse=True)
    notices.sort(key=lambda n: n["answered"])
    return notices[:limit]
